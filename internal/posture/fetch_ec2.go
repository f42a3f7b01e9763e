package posture

import (
	"context"
	"fmt"
	"maps"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/hashicorp/aws-sdk-go-base/v2/tfawserr"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

// maxFilterValues is how many values one EC2 filter is given per call. EC2
// limits the values of one filter (200 is the limit quoted for several
// Describe calls), so larger requests are split; realistic ones fit in one.
const maxFilterValues = 200

// describeFiltered calls an EC2 Describe operation with filter name = ids,
// in chunks of maxFilterValues and following NextToken. Filtering (rather
// than passing SubnetIds, GroupIds, ...) makes unknown IDs come back missing
// instead of failing the whole call.
func describeFiltered[Item any](
	ctx context.Context,
	filter string,
	ids []string,
	call func(ctx context.Context, filters []ec2types.Filter, token *string) (items []Item, next *string, err error),
) ([]Item, error) {
	var all []Item
	for start := 0; start < len(ids); start += maxFilterValues {
		chunk := ids[start:min(start+maxFilterValues, len(ids))]
		filters := []ec2types.Filter{{Name: aws.String(filter), Values: chunk}}
		var token *string
		for {
			items, next, err := call(ctx, filters, token)
			if err != nil {
				return nil, err
			}
			all = append(all, items...)
			if aws.ToString(next) == "" || aws.ToString(next) == aws.ToString(token) {
				break
			}
			token = next
		}
	}
	return all, nil
}

// nonEmpty splits ids into the non-empty ones and calls notFound for each
// empty one (nothing to look up).
func nonEmpty(ids []string, notFound func(id string)) []string {
	var out []string
	for _, id := range ids {
		if id == "" {
			notFound(id)
			continue
		}
		out = append(out, id)
	}
	return out
}

// fetchSubnets describes the subnets, then the route tables of all their
// VPCs (so the main-table fallback can be resolved), and assesses each.
func (f *Fetcher) fetchSubnets(ctx context.Context, ids []string, into map[string]facts.SubnetFact) error {
	ids = nonEmpty(ids, func(id string) { into[id] = facts.SubnetFact{ID: id} })
	if len(ids) == 0 {
		return nil
	}
	if f.ec2 == nil {
		return errNoClient("EC2", ids)
	}
	subnets, err := describeFiltered(ctx, "subnet-id", ids,
		func(ctx context.Context, filters []ec2types.Filter, token *string) ([]ec2types.Subnet, *string, error) {
			out, err := f.ec2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: filters, NextToken: token})
			if err != nil {
				return nil, nil, err
			}
			return out.Subnets, out.NextToken, nil
		})
	if err != nil {
		return fmt.Errorf("posture: describing subnets %q: %w", ids, err)
	}

	byID := make(map[string]ec2types.Subnet, len(subnets))
	var vpcs []string
	seenVPC := map[string]bool{}
	for _, s := range subnets {
		byID[aws.ToString(s.SubnetId)] = s
		if vpc := aws.ToString(s.VpcId); vpc != "" && !seenVPC[vpc] {
			seenVPC[vpc] = true
			vpcs = append(vpcs, vpc)
		}
	}
	tables, err := describeFiltered(ctx, "vpc-id", vpcs,
		func(ctx context.Context, filters []ec2types.Filter, token *string) ([]ec2types.RouteTable, *string, error) {
			out, err := f.ec2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: filters, NextToken: token})
			if err != nil {
				return nil, nil, err
			}
			return out.RouteTables, out.NextToken, nil
		})
	if err != nil {
		return fmt.Errorf("posture: describing route tables of %q (for subnets %q): %w", vpcs, ids, err)
	}

	for _, id := range ids {
		if s, ok := byID[id]; ok {
			into[id] = AssessSubnet(s, tables)
		} else {
			into[id] = facts.SubnetFact{ID: id}
		}
	}
	return nil
}

// fetchSecurityGroups describes the security groups and assesses each.
func (f *Fetcher) fetchSecurityGroups(ctx context.Context, ids []string, into map[string]facts.SecurityGroupFact) error {
	ids = nonEmpty(ids, func(id string) { into[id] = facts.SecurityGroupFact{ID: id} })
	if len(ids) == 0 {
		return nil
	}
	if f.ec2 == nil {
		return errNoClient("EC2", ids)
	}
	groups, err := describeFiltered(ctx, "group-id", ids,
		func(ctx context.Context, filters []ec2types.Filter, token *string) ([]ec2types.SecurityGroup, *string, error) {
			out, err := f.ec2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: filters, NextToken: token})
			if err != nil {
				return nil, nil, err
			}
			return out.SecurityGroups, out.NextToken, nil
		})
	if err != nil {
		return fmt.Errorf("posture: describing security groups %q: %w", ids, err)
	}
	lists, err := f.prefixListEntries(ctx, PrefixListIDs(groups...))
	if err != nil {
		return fmt.Errorf("posture: reading the prefix lists of security groups %q: %w", ids, err)
	}
	byID := make(map[string]ec2types.SecurityGroup, len(groups))
	for _, g := range groups {
		byID[aws.ToString(g.GroupId)] = g
	}
	for _, id := range ids {
		if g, ok := byID[id]; ok {
			into[id] = AssessSecurityGroup(g, lists)
		} else {
			into[id] = facts.SecurityGroupFact{ID: id}
		}
	}
	return nil
}

// prefixListCache holds the entries of the managed prefix lists read so
// far, for the Fetcher generation they were read in (Invalidate forgets
// them with everything else).
type prefixListCache struct {
	generation uint64
	lists      PrefixLists
}

// prefixListEntries returns the CIDRs of the managed prefix lists ids, from
// the cache or with one GetManagedPrefixListEntries call (paginated) per
// list not yet read: there is no batched form. A list that does not exist
// is left out of the answer, so rules that name it fail closed.
func (f *Fetcher) prefixListEntries(ctx context.Context, ids []string) (PrefixLists, error) {
	out := PrefixLists{}
	if len(ids) == 0 {
		return out, nil
	}
	f.mu.Lock()
	generation := f.generation
	if f.prefixLists.lists == nil || f.prefixLists.generation != generation {
		f.prefixLists = prefixListCache{generation: generation, lists: PrefixLists{}}
	}
	missing := takeCached(ids, f.prefixLists.lists, out)
	f.mu.Unlock()

	fetched := PrefixLists{}
	for _, id := range missing {
		in := &ec2.GetManagedPrefixListEntriesInput{PrefixListId: aws.String(id)}
		entries := []string{}
		for {
			page, err := f.ec2.GetManagedPrefixListEntries(ctx, in)
			if tfawserr.ErrCodeEquals(err, "InvalidPrefixListID.NotFound", "InvalidPrefixListId.NotFound", "InvalidPrefixListID.Malformed") {
				entries = nil
				break
			}
			if err != nil {
				return nil, fmt.Errorf("reading the entries of prefix list %s: %w", id, err)
			}
			for _, e := range page.Entries {
				entries = append(entries, aws.ToString(e.Cidr))
			}
			if aws.ToString(page.NextToken) == "" || aws.ToString(page.NextToken) == aws.ToString(in.NextToken) {
				break
			}
			in.NextToken = page.NextToken
		}
		if entries != nil {
			fetched[id] = entries
		}
	}

	f.mu.Lock()
	if f.prefixLists.generation == generation && f.generation == generation {
		maps.Copy(f.prefixLists.lists, fetched)
	}
	f.mu.Unlock()
	maps.Copy(out, fetched)
	return out, nil
}

// fetchInstanceTypes describes the EC2 instance types behind the SageMaker
// types. A SageMaker type that does not map to an EC2 type, or whose EC2
// type does not exist, is Found=false.
func (f *Fetcher) fetchInstanceTypes(ctx context.Context, sageMakerTypes []string, into map[string]facts.InstanceTypeFact) error {
	var ec2Types []string
	for _, smType := range sageMakerTypes {
		if ec2Type, ok := SageMakerToEC2InstanceType(smType); ok {
			ec2Types = append(ec2Types, ec2Type)
		} else {
			into[smType] = facts.InstanceTypeFact{Name: smType}
		}
	}
	if len(ec2Types) == 0 {
		return nil
	}
	if f.ec2 == nil {
		return errNoClient("EC2", ec2Types)
	}
	infos, err := describeFiltered(ctx, "instance-type", ec2Types,
		func(ctx context.Context, filters []ec2types.Filter, token *string) ([]ec2types.InstanceTypeInfo, *string, error) {
			out, err := f.ec2.DescribeInstanceTypes(ctx, &ec2.DescribeInstanceTypesInput{Filters: filters, NextToken: token})
			if err != nil {
				return nil, nil, err
			}
			return out.InstanceTypes, out.NextToken, nil
		})
	if err != nil {
		return fmt.Errorf("posture: describing instance types %q: %w", ec2Types, err)
	}
	byType := make(map[string]ec2types.InstanceTypeInfo, len(infos))
	for _, info := range infos {
		byType[string(info.InstanceType)] = info
	}
	for _, smType := range sageMakerTypes {
		ec2Type, ok := SageMakerToEC2InstanceType(smType)
		if !ok {
			continue
		}
		if info, found := byType[ec2Type]; found {
			into[smType] = AssessInstanceType(smType, info)
		} else {
			into[smType] = facts.InstanceTypeFact{Name: smType}
		}
	}
	return nil
}
