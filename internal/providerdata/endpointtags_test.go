package providerdata

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	tagtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
)

// fakeTagging pages the tagged endpoints, in the order of arns, as many a
// page as asked, and checks the filters it is given.
type fakeTagging struct {
	t     *testing.T
	arns  []string
	tags  map[string]map[string]string
	calls int
}

func (f *fakeTagging) GetResources(_ context.Context, in *resourcegroupstaggingapi.GetResourcesInput, _ ...func(*resourcegroupstaggingapi.Options)) (*resourcegroupstaggingapi.GetResourcesOutput, error) {
	f.calls++
	if !slices.Equal(in.ResourceTypeFilters, []string{"sagemaker:endpoint"}) || len(in.TagFilters) != 1 || aws.ToString(in.TagFilters[0].Key) != idem.TokenTag {
		f.t.Errorf("GetResources filters: %v, %+v", in.ResourceTypeFilters, in.TagFilters)
	}
	start, _ := strconv.Atoi(aws.ToString(in.PaginationToken))
	end := min(start+int(aws.ToInt32(in.ResourcesPerPage)), len(f.arns))
	out := &resourcegroupstaggingapi.GetResourcesOutput{PaginationToken: aws.String("")}
	for _, a := range f.arns[start:end] {
		m := tagtypes.ResourceTagMapping{ResourceARN: aws.String(a)}
		for k, v := range f.tags[a] {
			m.Tags = append(m.Tags, tagtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
		}
		out.ResourceTagMappingList = append(out.ResourceTagMappingList, m)
	}
	if end < len(f.arns) {
		out.PaginationToken = aws.String(strconv.Itoa(end))
	}
	return out, nil
}

// direct counts the ListTags fallbacks and answers from tags.
type direct struct {
	tags  map[string]map[string]string
	calls []string
}

func (d *direct) reader(endpointARN string) TagsReader {
	return func(context.Context) (map[string]string, error) {
		d.calls = append(d.calls, endpointARN)
		return maps.Clone(d.tags[endpointARN]), nil
	}
}

func endpointARN(name string) string {
	return "arn:aws:sagemaker:us-east-1:123456789012:endpoint/" + name
}

// TestReads_endpointTags: 150 listed endpoints cost 2 GetResources pages and
// no ListTags; an endpoint absent from the listing (no token tag), one
// written in this command, and an ARN of another account's endpoint are read
// with ListTags, and the written one shows the write.
func TestReads_endpointTags(t *testing.T) {
	ctx := context.Background()
	f := &fakeTagging{t: t, tags: map[string]map[string]string{}}
	live := &direct{tags: map[string]map[string]string{}}
	for i := range 150 {
		a := endpointARN(fmt.Sprintf("e%d", i))
		f.arns = append(f.arns, a)
		f.tags[a] = map[string]string{idem.TokenTag: "t", "team": strconv.Itoa(i)}
		live.tags[a] = f.tags[a]
	}
	imported := endpointARN("imported")
	live.tags[imported] = map[string]string{"team": "imported"}
	r := NewReads(nil, nil, nil, f)

	for _, i := range []int{0, 149, 7} {
		a := endpointARN(fmt.Sprintf("e%d", i))
		got, err := r.EndpointTags(ctx, a, live.reader(a))
		if err != nil || got["team"] != strconv.Itoa(i) || got[idem.TokenTag] != "t" {
			t.Fatalf("e%d: %v, %v", i, got, err)
		}
	}
	if f.calls != 2 || len(live.calls) != 0 {
		t.Fatalf("%d GetResources and ListTags of %v, want 2 pages and none", f.calls, live.calls)
	}
	if got, err := r.EndpointTags(ctx, imported, live.reader(imported)); err != nil || got["team"] != "imported" {
		t.Fatalf("imported: %v, %v", got, err)
	}
	written := endpointARN("e3")
	live.tags[written] = map[string]string{idem.TokenTag: "t", "team": "changed"}
	r.ForgetEndpointTags(written)
	if got, err := r.EndpointTags(ctx, written, live.reader(written)); err != nil || got["team"] != "changed" {
		t.Fatalf("after the write: %v, %v", got, err)
	}
	foreign := "arn:aws:sagemaker:us-east-1:210987654321:endpoint/e1"
	if _, err := r.EndpointTags(ctx, foreign, live.reader(foreign)); err != nil {
		t.Fatal(err)
	}
	if want := []string{imported, written, foreign}; !slices.Equal(live.calls, want) || f.calls != 4 {
		t.Fatalf("ListTags of %v (want %v), %d GetResources (want 4: the other account's prefix is listed once, 2 pages)", live.calls, want, f.calls)
	}
}

// TestReads_endpointTagsNil: without shared reads, or for an ARN that is not
// an endpoint's, every read is ListTags.
func TestReads_endpointTagsNil(t *testing.T) {
	live := &direct{tags: map[string]map[string]string{endpointARN("a"): {"k": "v"}}}
	var r *Reads
	if got, err := r.EndpointTags(context.Background(), endpointARN("a"), live.reader(endpointARN("a"))); err != nil || got["k"] != "v" {
		t.Fatalf("%v, %v", got, err)
	}
	r.ForgetEndpointTags(endpointARN("a")) // no panic
	f := &fakeTagging{t: t}
	r = NewReads(nil, nil, nil, f)
	cfg := "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/a"
	if _, err := r.EndpointTags(context.Background(), cfg, live.reader(cfg)); err != nil || f.calls != 0 || len(live.calls) != 2 {
		t.Fatalf("%v: %d GetResources, ListTags of %v", err, f.calls, live.calls)
	}
}
