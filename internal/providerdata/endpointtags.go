package providerdata

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	tagtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

// TaggingAPI is the part of the Resource Groups Tagging API client Reads
// uses.
type TaggingAPI interface {
	GetResources(context.Context, *resourcegroupstaggingapi.GetResourcesInput, ...func(*resourcegroupstaggingapi.Options)) (*resourcegroupstaggingapi.GetResourcesOutput, error)
}

// TagsReader reads one SageMaker object's tags directly (the endpoint's
// ListTags); EndpointTags falls back to it.
type TagsReader func(ctx context.Context) (map[string]string, error)

// EndpointTags returns the tags of the SageMaker endpoint with this ARN.
//
// On a refresh they come from one listing of the command (tag:GetResources
// of every SageMaker endpoint that carries sagesafe's creation token tag,
// 100 a page) instead of one ListTags per endpoint. That listing is a live
// read made in this command, like every other read a refresh makes, so its
// answer is as good for drift, ignore_tags, the identity tags and SS-GOV-1
// (required tags) as ListTags': the Tagging API is eventually consistent,
// but so is SageMaker's own tag store, and a change made out of band seconds
// before a plan can be missed by either; the next plan sees it.
//
// direct (ListTags) answers what the listing cannot:
//   - an endpoint written in this command (ForgetEndpointTags on create and
//     on tag changes): the listing may predate the write;
//   - an endpoint absent from the listing: GetResources lists only
//     resources that carry tags, with the token tag here (an imported
//     endpoint until its first apply tags it with the token, one whose
//     token was removed out of band), and may not yet list one created
//     moments ago. Absence is never taken as "no tags".
//
// A nil *Reads, or an ARN that is not an endpoint's, reads directly.
func (r *Reads) EndpointTags(ctx context.Context, endpointARN string, direct TagsReader) (map[string]string, error) {
	prefix, ok := endpointARNPrefix(endpointARN)
	if r == nil || !ok {
		return direct(ctx)
	}
	// An endpoint written in this command is never in found (readcache
	// returns it as unlisted): like one absent from the listing, it is read
	// directly.
	found, _, err := r.endpointTags.Get(ctx, prefix, []string{endpointARN})
	if err != nil {
		return nil, err
	}
	if tags, ok := found[endpointARN]; ok {
		return tags, nil
	}
	return direct(ctx)
}

// ForgetEndpointTags records a write of the endpoint's tags (its creation,
// AddTags, DeleteTags): later reads in this command call ListTags. Safe on a
// nil *Reads.
func (r *Reads) ForgetEndpointTags(endpointARN string) {
	if r != nil {
		r.endpointTags.Forget(endpointARN)
	}
}

// endpointARNPrefix returns the ARN of endpoint "" in the endpoint ARN's
// partition, region and account ("arn:aws:sagemaker:us-east-1:123456789012:
// endpoint/"): every endpoint one provider configuration reads shares it,
// so one listing answers them all.
func endpointARNPrefix(endpointARN string) (string, bool) {
	a, err := arn.Parse(endpointARN)
	if err != nil || a.Service != "sagemaker" || !strings.HasPrefix(a.Resource, endpointResource) {
		return "", false
	}
	a.Resource = endpointResource
	return a.String(), true
}

const (
	endpointResource = "endpoint/"
	// endpointResourceType is the Tagging API's resource type of SageMaker
	// endpoints ("service:resource").
	endpointResourceType = "sagemaker:endpoint"
	// taggingPage is GetResources' largest page.
	taggingPage = 100
)

// listEndpointTags returns the tags of every SageMaker endpoint whose ARN
// starts with prefix and that carries the creation token tag, by ARN
// (GetResources, every page). The token filter keeps out endpoints sagesafe
// did not create (other teams', other tools'), which it never reads this
// way: pages grow with sagesafe's endpoints only. The answer holds every tag
// of each endpoint listed, not only the filter's.
func listEndpointTags(ctx context.Context, api TaggingAPI, prefix string) (map[string]map[string]string, error) {
	if api == nil {
		return nil, errors.New("no Resource Groups Tagging API client configured")
	}
	out := map[string]map[string]string{}
	p := resourcegroupstaggingapi.NewGetResourcesPaginator(api, &resourcegroupstaggingapi.GetResourcesInput{
		ResourceTypeFilters: []string{endpointResourceType},
		TagFilters:          []tagtypes.TagFilter{{Key: aws.String(idem.TokenTag)}},
		ResourcesPerPage:    aws.Int32(taggingPage),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing the tags of SageMaker endpoints (tag:GetResources): %w", err)
		}
		for _, m := range page.ResourceTagMappingList {
			if id := aws.ToString(m.ResourceARN); strings.HasPrefix(id, prefix) {
				out[id] = shared.TagMap(m.Tags, func(t tagtypes.Tag) (*string, *string) { return t.Key, t.Value })
			}
		}
	}
	return out, nil
}
