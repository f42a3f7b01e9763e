// Package loggroup makes sure a CloudWatch Logs group exists, encrypted with
// a customer-managed key and with retention (controls SS-ENC-5, SS-MON-3),
// before SageMaker or VPC flow logs would create it unencrypted. Shared by
// sagesafe_network, sagesafe_endpoint and sagesafe_training_job. It also
// puts, lists and deletes metric filters on a group (metricfilter.go), for
// sagesafe_audit_trail and sagesafe_model_monitor.
package loggroup

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

// API is the subset of the CloudWatch Logs client used here.
type API interface {
	CreateLogGroup(context.Context, *cloudwatchlogs.CreateLogGroupInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.CreateLogGroupOutput, error)
	DescribeLogGroups(context.Context, *cloudwatchlogs.DescribeLogGroupsInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error)
	AssociateKmsKey(context.Context, *cloudwatchlogs.AssociateKmsKeyInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.AssociateKmsKeyOutput, error)
	PutRetentionPolicy(context.Context, *cloudwatchlogs.PutRetentionPolicyInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutRetentionPolicyOutput, error)
	DeleteLogGroup(context.Context, *cloudwatchlogs.DeleteLogGroupInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DeleteLogGroupOutput, error)
	TagResource(context.Context, *cloudwatchlogs.TagResourceInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.TagResourceOutput, error)
	ListTagsForResource(context.Context, *cloudwatchlogs.ListTagsForResourceInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.ListTagsForResourceOutput, error)
	UntagResource(context.Context, *cloudwatchlogs.UntagResourceInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.UntagResourceOutput, error)
}

// ValidRetentionDays are the retention periods CloudWatch Logs accepts.
var ValidRetentionDays = []int64{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// ErrNotFound is returned by Find when the group does not exist.
var ErrNotFound = errors.New("log group not found")

// Spec is the desired state of a log group.
type Spec struct {
	Name          string
	KMSKeyARN     string
	RetentionDays int32
	Tags          map[string]string
	// ExactTags makes the group carry exactly Tags: other keys (except
	// aws:*) are removed. For groups one resource owns; not for groups
	// shared with others (the training-job group).
	ExactTags bool
}

// Result says what Ensure did.
type Result struct {
	Created        bool // the group did not exist
	KeyAssociated  bool // an existing group got (or changed) its key
	RetentionSet   bool // retention was changed
	PreviousKMSKey string
	UntaggedKeys   []string // keys removed because of ExactTags
}

// Find returns the group with exactly this name.
func Find(ctx context.Context, api API, name string) (*logstypes.LogGroup, error) {
	p := cloudwatchlogs.NewDescribeLogGroupsPaginator(api, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describing log group %s: %w", name, err)
		}
		for i := range page.LogGroups {
			if aws.ToString(page.LogGroups[i].LogGroupName) == name {
				return &page.LogGroups[i], nil
			}
		}
	}
	return nil, fmt.Errorf("%w: %s", ErrNotFound, name)
}

// ListByPrefix returns every log group whose name starts with prefix, by
// name: DescribeLogGroups with LogGroupNamePrefix, 50 a page, every page. It
// is the listing the provider's shared reads take once per command
// (providerdata.Reads), instead of one DescribeLogGroups per workload.
func ListByPrefix(ctx context.Context, api API, prefix string) (map[string]logstypes.LogGroup, error) {
	out := map[string]logstypes.LogGroup{}
	p := cloudwatchlogs.NewDescribeLogGroupsPaginator(api, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(prefix), Limit: aws.Int32(describeLimit)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing log groups %s*: %w", prefix, err)
		}
		for _, lg := range page.LogGroups {
			out[aws.ToString(lg.LogGroupName)] = lg
		}
	}
	return out, nil
}

// describeLimit is DescribeLogGroups' largest page.
const describeLimit = 50

// KeyARN returns the key ARN to give CloudWatch Logs for ref, the key as
// the workload names it (a key ARN, key ID, alias name or alias ARN).
// resolved is the key's ARN as the posture fetcher looked it up for ref
// (facts.KeyFact.ARN), "" when it was not looked up or not found. CloudWatch
// Logs takes only a key ARN (CreateLogGroup's and AssociateKmsKey's
// kmsKeyId), so anything else that could not be resolved is an error: the
// plan would pass and the apply fail halfway.
func KeyARN(ref, resolved string) (string, error) {
	if isKeyARN(resolved) {
		return resolved, nil
	}
	if isKeyARN(ref) {
		return ref, nil
	}
	return "", fmt.Errorf("SS-ENC-5: CloudWatch Logs needs the ARN of the key, and %q could not be resolved to one; "+
		"give kms_key_arn as a key ARN (arn:<partition>:kms:<region>:<account>:key/<id>), or an alias or key ID that exists in this region", ref)
}

// isKeyARN reports whether s is the ARN of a KMS key (not of an alias).
func isKeyARN(s string) bool {
	a, err := arn.Parse(s)
	id, isKey := strings.CutPrefix(a.Resource, "key/")
	return err == nil && a.Service == "kms" && isKey && id != ""
}

// Ensure creates the group when it is missing and otherwise brings its key
// and retention to the spec. Concurrent callers are safe: "already exists"
// counts as success and the group is read back. A KMSKeyARN that is not a
// key ARN (see KeyARN) is refused before any call.
func Ensure(ctx context.Context, api API, s Spec) (Result, error) {
	var res Result
	if s.KMSKeyARN != "" {
		if _, err := KeyARN(s.KMSKeyARN, ""); err != nil {
			return res, fmt.Errorf("log group %s: %w", s.Name, err)
		}
	}
	lg, err := Find(ctx, api, s.Name)
	if errors.Is(err, ErrNotFound) {
		_, err = api.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{
			LogGroupName: aws.String(s.Name),
			KmsKeyId:     nonEmpty(s.KMSKeyARN),
			Tags:         s.Tags,
		})
		var exists *logstypes.ResourceAlreadyExistsException
		switch {
		case err == nil:
			res.Created = true
		case errors.As(err, &exists):
			// Another apply made it first: fall through and reconcile.
		default:
			return res, fmt.Errorf("creating log group %s: %w", s.Name, err)
		}
		lg, err = Find(ctx, api, s.Name)
	}
	if err != nil {
		return res, err
	}

	if s.KMSKeyARN != "" && aws.ToString(lg.KmsKeyId) != s.KMSKeyARN {
		res.PreviousKMSKey = aws.ToString(lg.KmsKeyId)
		if _, err := api.AssociateKmsKey(ctx, &cloudwatchlogs.AssociateKmsKeyInput{LogGroupName: aws.String(s.Name), KmsKeyId: aws.String(s.KMSKeyARN)}); err != nil {
			return res, fmt.Errorf("associating key %s with log group %s: %w", s.KMSKeyARN, s.Name, err)
		}
		res.KeyAssociated = !res.Created
	}
	if s.RetentionDays > 0 && aws.ToInt32(lg.RetentionInDays) != s.RetentionDays {
		if _, err := api.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(s.Name), RetentionInDays: aws.Int32(s.RetentionDays)}); err != nil {
			return res, fmt.Errorf("setting retention of log group %s: %w", s.Name, err)
		}
		res.RetentionSet = true
	}
	if !res.Created && len(s.Tags) > 0 && lg.Arn != nil {
		if _, err := api.TagResource(ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: aws.String(trimStar(aws.ToString(lg.Arn))), Tags: s.Tags}); err != nil {
			return res, fmt.Errorf("tagging log group %s: %w", s.Name, err)
		}
	}
	if s.ExactTags && !res.Created && lg.Arn != nil {
		keys, err := untagOthers(ctx, api, trimStar(aws.ToString(lg.Arn)), s.Tags)
		if err != nil {
			return res, fmt.Errorf("removing tags from log group %s: %w", s.Name, err)
		}
		res.UntaggedKeys = keys
	}
	return res, nil
}

// untagOthers removes the group's tag keys that are not in want (aws:*
// keys belong to AWS and stay) and returns them, sorted.
func untagOthers(ctx context.Context, api API, arn string, want map[string]string) ([]string, error) {
	out, err := api.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		return nil, err
	}
	var remove []string
	for k := range out.Tags {
		if _, ok := want[k]; !ok && !shared.IsAWSTag(k) {
			remove = append(remove, k)
		}
	}
	if len(remove) == 0 {
		return nil, nil
	}
	sort.Strings(remove)
	if _, err := api.UntagResource(ctx, &cloudwatchlogs.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: remove}); err != nil {
		return nil, err
	}
	return remove, nil
}

// Delete removes the group; a group that is already gone is success.
func Delete(ctx context.Context, api API, name string) error {
	_, err := api.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(name)})
	var nf *logstypes.ResourceNotFoundException
	if err != nil && !errors.As(err, &nf) {
		return fmt.Errorf("deleting log group %s: %w", name, err)
	}
	return nil
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// trimStar drops the ":*" that DescribeLogGroups appends to group ARNs;
// TagResource wants the bare ARN.
func trimStar(arn string) string {
	if len(arn) > 2 && arn[len(arn)-2:] == ":*" {
		return arn[:len(arn)-2]
	}
	return arn
}
