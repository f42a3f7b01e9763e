package loggroup

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

type fake struct {
	groups map[string]*logstypes.LogGroup
	tags   map[string]map[string]string // by ARN without :*
	calls  map[string]int
	// raceOnCreate simulates another apply creating the group between our
	// Describe and Create.
	raceOnCreate bool
}

func newFake() *fake {
	return &fake{groups: map[string]*logstypes.LogGroup{}, tags: map[string]map[string]string{}, calls: map[string]int{}}
}

func (f *fake) CreateLogGroup(_ context.Context, in *cloudwatchlogs.CreateLogGroupInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.CreateLogGroupOutput, error) {
	f.calls["Create"]++
	name := aws.ToString(in.LogGroupName)
	if f.raceOnCreate {
		f.groups[name] = &logstypes.LogGroup{LogGroupName: in.LogGroupName, Arn: aws.String("arn:aws:logs:us-east-1:1:log-group:" + name + ":*")}
		return nil, &logstypes.ResourceAlreadyExistsException{Message: aws.String("exists")}
	}
	f.groups[name] = &logstypes.LogGroup{LogGroupName: in.LogGroupName, KmsKeyId: in.KmsKeyId, Arn: aws.String("arn:aws:logs:us-east-1:1:log-group:" + name + ":*")}
	return &cloudwatchlogs.CreateLogGroupOutput{}, nil
}

func (f *fake) DescribeLogGroups(_ context.Context, in *cloudwatchlogs.DescribeLogGroupsInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error) {
	f.calls["Describe"]++
	out := &cloudwatchlogs.DescribeLogGroupsOutput{}
	for name, g := range f.groups {
		if len(name) >= len(aws.ToString(in.LogGroupNamePrefix)) && name[:len(aws.ToString(in.LogGroupNamePrefix))] == aws.ToString(in.LogGroupNamePrefix) {
			out.LogGroups = append(out.LogGroups, *g)
		}
	}
	if in.Limit == nil {
		return out, nil
	}
	// Paged as CloudWatch Logs pages: Limit a page, in name order.
	slices.SortFunc(out.LogGroups, func(a, b logstypes.LogGroup) int { return strings.Compare(*a.LogGroupName, *b.LogGroupName) })
	start := 0
	if in.NextToken != nil {
		start, _ = strconv.Atoi(aws.ToString(in.NextToken))
	}
	end := min(start+int(*in.Limit), len(out.LogGroups))
	if end < len(out.LogGroups) {
		out.NextToken = aws.String(strconv.Itoa(end))
	}
	out.LogGroups = out.LogGroups[start:end]
	return out, nil
}

func (f *fake) AssociateKmsKey(_ context.Context, in *cloudwatchlogs.AssociateKmsKeyInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.AssociateKmsKeyOutput, error) {
	f.calls["Associate"]++
	f.groups[aws.ToString(in.LogGroupName)].KmsKeyId = in.KmsKeyId
	return &cloudwatchlogs.AssociateKmsKeyOutput{}, nil
}

func (f *fake) PutRetentionPolicy(_ context.Context, in *cloudwatchlogs.PutRetentionPolicyInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutRetentionPolicyOutput, error) {
	f.calls["Retention"]++
	f.groups[aws.ToString(in.LogGroupName)].RetentionInDays = in.RetentionInDays
	return &cloudwatchlogs.PutRetentionPolicyOutput{}, nil
}

func (f *fake) DeleteLogGroup(_ context.Context, in *cloudwatchlogs.DeleteLogGroupInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DeleteLogGroupOutput, error) {
	f.calls["Delete"]++
	if _, ok := f.groups[aws.ToString(in.LogGroupName)]; !ok {
		return nil, &logstypes.ResourceNotFoundException{Message: aws.String("gone")}
	}
	delete(f.groups, aws.ToString(in.LogGroupName))
	return &cloudwatchlogs.DeleteLogGroupOutput{}, nil
}

func (f *fake) TagResource(_ context.Context, in *cloudwatchlogs.TagResourceInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.TagResourceOutput, error) {
	f.calls["Tag"]++
	arn := aws.ToString(in.ResourceArn)
	if arn[len(arn)-1] == '*' {
		return nil, errors.New("TagResource wants the ARN without :*")
	}
	if f.tags[arn] == nil {
		f.tags[arn] = map[string]string{}
	}
	maps.Copy(f.tags[arn], in.Tags)
	return &cloudwatchlogs.TagResourceOutput{}, nil
}

func (f *fake) ListTagsForResource(_ context.Context, in *cloudwatchlogs.ListTagsForResourceInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.ListTagsForResourceOutput, error) {
	f.calls["ListTags"]++
	return &cloudwatchlogs.ListTagsForResourceOutput{Tags: maps.Clone(f.tags[aws.ToString(in.ResourceArn)])}, nil
}

func (f *fake) UntagResource(_ context.Context, in *cloudwatchlogs.UntagResourceInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.UntagResourceOutput, error) {
	f.calls["Untag"]++
	for _, k := range in.TagKeys {
		delete(f.tags[aws.ToString(in.ResourceArn)], k)
	}
	return &cloudwatchlogs.UntagResourceOutput{}, nil
}

const key = "arn:aws:kms:us-east-1:123456789012:key/k1"

func TestEnsureCreatesEncryptedWithRetention(t *testing.T) {
	f := newFake()
	res, err := Ensure(context.Background(), f, Spec{Name: "/aws/sagemaker/Endpoints/e", KMSKeyARN: key, RetentionDays: 365})
	if err != nil {
		t.Fatal(err)
	}
	g := f.groups["/aws/sagemaker/Endpoints/e"]
	if !res.Created || aws.ToString(g.KmsKeyId) != key || aws.ToInt32(g.RetentionInDays) != 365 {
		t.Fatalf("res=%+v group=%+v", res, g)
	}
	if f.calls["Associate"] != 0 {
		t.Errorf("a group created with its key needs no AssociateKmsKey")
	}
}

func TestEnsureAdoptsUnencryptedGroup(t *testing.T) {
	f := newFake()
	f.groups["/aws/sagemaker/TrainingJobs"] = &logstypes.LogGroup{LogGroupName: aws.String("/aws/sagemaker/TrainingJobs"), Arn: aws.String("arn:aws:logs:us-east-1:1:log-group:/aws/sagemaker/TrainingJobs:*")}
	res, err := Ensure(context.Background(), f, Spec{Name: "/aws/sagemaker/TrainingJobs", KMSKeyARN: key, RetentionDays: 30, Tags: map[string]string{"a": "b"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Created || !res.KeyAssociated || !res.RetentionSet || f.calls["Tag"] != 1 {
		t.Fatalf("res=%+v calls=%v", res, f.calls)
	}
	// A second Ensure with nothing to change makes no writes.
	before := f.calls["Associate"] + f.calls["Retention"]
	if _, err := Ensure(context.Background(), f, Spec{Name: "/aws/sagemaker/TrainingJobs", KMSKeyARN: key, RetentionDays: 30}); err != nil {
		t.Fatal(err)
	}
	if after := f.calls["Associate"] + f.calls["Retention"]; after != before {
		t.Errorf("idempotent Ensure wrote again: %v", f.calls)
	}
}

func TestEnsureToleratesConcurrentCreate(t *testing.T) {
	f := newFake()
	f.raceOnCreate = true
	res, err := Ensure(context.Background(), f, Spec{Name: "g", KMSKeyARN: key, RetentionDays: 7})
	if err != nil {
		t.Fatalf("already-exists must be success: %v", err)
	}
	if res.Created || aws.ToString(f.groups["g"].KmsKeyId) != key || aws.ToInt32(f.groups["g"].RetentionInDays) != 7 {
		t.Fatalf("the raced group must be brought to spec: res=%+v group=%+v", res, f.groups["g"])
	}
}

func TestFindAndDelete(t *testing.T) {
	f := newFake()
	f.groups["/a/b-long"] = &logstypes.LogGroup{LogGroupName: aws.String("/a/b-long")}
	if _, err := Find(context.Background(), f, "/a/b"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a prefix match is not the group: %v", err)
	}
	if err := Delete(context.Background(), f, "/a/b"); err != nil {
		t.Fatalf("deleting a missing group is success: %v", err)
	}
	if err := Delete(context.Background(), f, "/a/b-long"); err != nil || len(f.groups) != 0 {
		t.Fatalf("delete: %v %v", err, f.groups)
	}
}

func TestEnsureExactTagsRemovesOtherKeys(t *testing.T) {
	ctx := context.Background()
	f := newFake()
	name := "/aws/vpc/flow-logs/n"
	arn := "arn:aws:logs:us-east-1:1:log-group:" + name
	if _, err := Ensure(ctx, f, Spec{Name: name, KMSKeyARN: key, Tags: map[string]string{"team": "ml", "env": "dev"}, ExactTags: true}); err != nil {
		t.Fatal(err)
	}
	f.tags[arn] = map[string]string{"team": "ml", "env": "dev", "aws:cloudformation:stack-name": "s"}
	res, err := Ensure(ctx, f, Spec{Name: name, KMSKeyARN: key, Tags: map[string]string{"team": "ml"}, ExactTags: true})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.UntaggedKeys, []string{"env"}) {
		t.Errorf("untagged %v, want [env]", res.UntaggedKeys)
	}
	if want := map[string]string{"team": "ml", "aws:cloudformation:stack-name": "s"}; !maps.Equal(f.tags[arn], want) {
		t.Errorf("tags %v, want %v", f.tags[arn], want)
	}
	// Without ExactTags (a shared group) nothing is removed or even listed.
	f.tags[arn]["other"] = "x"
	before := f.calls["ListTags"]
	if res, err := Ensure(ctx, f, Spec{Name: name, KMSKeyARN: key, Tags: map[string]string{"team": "ml"}}); err != nil || res.UntaggedKeys != nil {
		t.Fatal(res, err)
	}
	if f.tags[arn]["other"] != "x" || f.calls["ListTags"] != before {
		t.Errorf("a shared group lost a tag or was listed: %v, %d calls", f.tags[arn], f.calls["ListTags"]-before)
	}
}

func TestKeyARN(t *testing.T) {
	for _, c := range []struct {
		name, ref, resolved, want string
	}{
		{"a key ARN as given", key, "", key},
		{"an alias resolved by the posture fetcher", "alias/ml", key, key},
		{"a key ID resolved", "k1", key, key},
		{"an alias ARN resolved", "arn:aws:kms:us-east-1:123456789012:alias/ml", key, key},
		{"an alias not resolved", "alias/ml", "", ""},
		{"a key ID not resolved", "1234abcd-12ab-34cd-56ef-1234567890ab", "", ""},
		{"an alias ARN not resolved", "arn:aws:kms:us-east-1:123456789012:alias/ml", "", ""},
		{"another service's ARN", "arn:aws:s3:::bucket", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := KeyARN(c.ref, c.resolved)
			if got != c.want || (err != nil) != (c.want == "") {
				t.Errorf("KeyARN(%q, %q) = %q, %v; want %q", c.ref, c.resolved, got, err, c.want)
			}
			if err != nil && !strings.Contains(err.Error(), "SS-ENC-5: CloudWatch Logs needs the ARN of the key, and \""+c.ref+"\" could not be resolved") {
				t.Errorf("error does not name the control and the key: %v", err)
			}
		})
	}
}

// TestEnsureRefusesKeyThatIsNotAnARN: an alias would pass CreateLogGroup's
// validation nowhere; Ensure refuses it before any call.
func TestEnsureRefusesKeyThatIsNotAnARN(t *testing.T) {
	f := newFake()
	_, err := Ensure(context.Background(), f, Spec{Name: "g", KMSKeyARN: "alias/ml", RetentionDays: 365})
	if err == nil || !strings.Contains(err.Error(), "SS-ENC-5") {
		t.Fatalf("Ensure with an alias: err = %v, want an SS-ENC-5 error", err)
	}
	if len(f.calls) != 0 {
		t.Errorf("Ensure called CloudWatch Logs: %v", f.calls)
	}
}

// TestMetricFilterTransformation: dimensions only when there are some (an
// empty map is not sent), and the default value only when set (CloudWatch
// refuses it together with dimensions).
func TestMetricFilterTransformation(t *testing.T) {
	plain := MetricFilter{Namespace: "ns", Metric: "m", Value: "1", Default: aws.Float64(0), Dimensions: map[string]string{}}.Transformation()
	if plain.Dimensions != nil || aws.ToFloat64(plain.DefaultValue) != 0 || plain.DefaultValue == nil {
		t.Errorf("plain filter: %+v", plain)
	}
	dims := MetricFilter{Namespace: "ns", Metric: "m", Value: "$.v", Dimensions: map[string]string{"A": "$.a"}}.Transformation()
	if dims.Dimensions["A"] != "$.a" || dims.DefaultValue != nil || aws.ToString(dims.MetricValue) != "$.v" {
		t.Errorf("filter with dimensions: %+v", dims)
	}
}

// TestListByPrefix: every page is read (120 groups, 50 a page: 3 calls),
// and only groups under the prefix are returned.
func TestListByPrefix(t *testing.T) {
	f := newFake()
	for i := range 120 {
		n := "/aws/sagemaker/Endpoints/e" + strings.Repeat("x", i)
		f.groups[n] = &logstypes.LogGroup{LogGroupName: aws.String(n)}
	}
	f.groups["/aws/sagemaker/TrainingJobs"] = &logstypes.LogGroup{LogGroupName: aws.String("/aws/sagemaker/TrainingJobs")}
	got, err := ListByPrefix(context.Background(), f, "/aws/sagemaker/Endpoints/")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 120 || f.calls["Describe"] != 3 {
		t.Fatalf("got %d groups in %d calls, want 120 in 3", len(got), f.calls["Describe"])
	}
}
