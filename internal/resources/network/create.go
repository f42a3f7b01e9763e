package network

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
	"github.com/hashicorp/aws-sdk-go-base/v2/tfawserr"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

// Every create of the network survives a lost answer (issue 12). AWS may
// apply a create and the answer never arrive; the SDK would then send it
// again and make a second VPC or route table (orphaned: nothing records
// it), or be told that the subnet's CIDR, the group's name or the flow
// log is taken by the network's own object. So each create here:
//
//   - carries a fresh creation token (idem.NewToken) in the tags it writes
//     on the object (tag-on-create), and as ClientToken where EC2 has one
//     (CreateRouteTable, CreateVpcEndpoint, CreateFlowLogs);
//   - is sent with the SDK's retries off (noRetry), through idem.Create,
//     which after a lost answer, a 5xx, throttling or a "taken" answer
//     looks for the object carrying the token (tag:sagesafe:creation-token)
//     before it sends again, and uses it: it is this create's object;
//   - never adopts an object without the token: a "taken" answer for
//     anything else stays an error.
//
// The token tag stays on the object (syncTags and restoreRole leave it
// alone, the `tags` attribute and drift ignore sagesafe:* keys).
//
// The other mutating calls are safe to send again as they are:
//
//	ModifyVpcAttribute, ModifySubnetAttribute   set a value: same result twice
//	CreateTags, DeleteTags, TagRole, UntagRole  set or remove keys: same result twice
//	PutRolePolicy, UpdateAssumeRolePolicy       replace a document: same result twice
//	logs:CreateLogGroup                         "already exists" reads the group back (loggroup.Ensure)
//	logs:PutRetentionPolicy, TagResource        set a value: same result twice
//	AssociateRouteTable                         Resource.AlreadyAssociated after a retry: success when the
//	                                            subnet's table is the one asked for (associatedWith)
//	ReplaceRouteTableAssociation                not-found after a retry (the old association is gone):
//	                                            success when the subnet's table is the one asked for
//	Authorize{Ingress,Egress}                   InvalidPermission.Duplicate: the group is read again and
//	                                            only what is still missing is added (authorize)
//	Revoke{Ingress,Egress}, DeleteRoute,        not-found after a retry is success (ignoreNotFound,
//	DetachInternetGateway, Disassociate...,     isIAMNotFound, loggroup.Delete): the object is gone
//	Delete{Subnet,RouteTable,SecurityGroup,Vpc,
//	FlowLogs}, DeleteVpcEndpoints (one ID per
//	call), DeleteRole, DeleteRolePolicy,
//	DetachRolePolicy, logs:DeleteLogGroup
//	ModifyVpcEndpoint                           adds or removes route tables, subnets, groups, sets the
//	                                            policy (drift repair only). Not checked against a lost
//	                                            answer: should the retry be refused, that apply fails
//	                                            and the next one, reading the endpoint again, converges

// noRetry turns the SDK's own retries off for one EC2 call: idem.Create
// retries, looking for the object first.
func noRetry(o *ec2.Options) { o.RetryMaxAttempts = 1 }

// noIAMRetry is noRetry for IAM.
func noIAMRetry(o *iam.Options) { o.RetryMaxAttempts = 1 }

// tokenFilter finds the EC2 objects carrying a creation token.
func tokenFilter(token string) ec2types.Filter {
	return ec2types.Filter{Name: aws.String("tag:" + idem.TokenTag), Values: []string{token}}
}

// ec2Create is one EC2 create safe to send again: do sends it with the
// token (in its tags, and as ClientToken where there is one), find looks
// the object up by the token, taken lists the EC2 error codes that mean
// "exists already".
type ec2Create[T any] struct {
	what  string
	do    func(ctx context.Context, token string) (T, bool, error) // false: the answer names no object
	find  func(ctx context.Context, token string) (T, bool, error)
	taken []string
}

// run sends the create with a fresh token until its object exists.
func (c ec2Create[T]) run(ctx context.Context) (T, error) {
	var zero T
	token, err := idem.NewToken()
	if err != nil {
		return zero, err
	}
	find := func(ctx context.Context) (T, bool, error) { return c.find(ctx, token) }
	create := idem.Create[T]{
		What: c.what,
		Do: func(ctx context.Context) (T, error) {
			out, ok, err := c.do(ctx, token)
			if err != nil || ok {
				return out, err
			}
			// An answer without the object: it may exist all the same.
			if found, ok, ferr := find(ctx); ferr == nil && ok {
				return found, nil
			}
			return zero, fmt.Errorf("%s: EC2 answered the create without the object, and no object carries its creation token", c.what)
		},
		Find: find,
	}
	if len(c.taken) > 0 {
		create.Taken = func(err error) bool { return tfawserr.ErrCodeEquals(err, c.taken...) }
	}
	return create.Run(ctx)
}

// tokenTags returns a copy of an object's tags with the creation token
// added (a copy: each attempt of a create starts from the same tags).
func tokenTags(specs []ec2types.TagSpecification, token string) []ec2types.TagSpecification {
	out := make([]ec2types.TagSpecification, len(specs))
	for i, s := range specs {
		tags := append(slices.Clone(s.Tags), ec2types.Tag{Key: aws.String(idem.TokenTag), Value: aws.String(token)})
		out[i] = ec2types.TagSpecification{ResourceType: s.ResourceType, Tags: tags}
	}
	return out
}

// createVPC creates the network's VPC, tagged, and returns its ID.
func createVPC(ctx context.Context, c ec2API, s spec) (string, error) {
	vpc, err := ec2Create[*ec2types.Vpc]{
		what: "creating VPC " + s.CIDR,
		do: func(ctx context.Context, token string) (*ec2types.Vpc, bool, error) {
			out, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{
				CidrBlock:         aws.String(s.CIDR),
				TagSpecifications: tokenTags(s.tagSpec(ec2types.ResourceTypeVpc, roleVPC, "", nil), token),
			}, noRetry)
			if err != nil {
				return nil, false, err
			}
			return out.Vpc, out.Vpc != nil && aws.ToString(out.Vpc.VpcId) != "", nil
		},
		find: func(ctx context.Context, token string) (*ec2types.Vpc, bool, error) {
			out, err := c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []ec2types.Filter{tokenFilter(token)}})
			if err != nil || len(out.Vpcs) == 0 {
				return nil, false, err
			}
			return &out.Vpcs[0], true, nil
		},
	}.run(ctx)
	if err != nil {
		return "", fmt.Errorf("creating VPC %s: %w", s.CIDR, err)
	}
	return aws.ToString(vpc.VpcId), nil
}

// createSubnet creates the zone's private subnet. A lost answer makes the
// retry conflict with the subnet itself (InvalidSubnet.Conflict): it is
// found by its token.
func (r *reconciler) createSubnet(ctx context.Context, cidr, az string, tags []ec2types.TagSpecification) (*ec2types.Subnet, error) {
	return ec2Create[*ec2types.Subnet]{
		what: "creating the private subnet " + cidr + " in " + az,
		do: func(ctx context.Context, token string) (*ec2types.Subnet, bool, error) {
			out, err := r.c.ec2.CreateSubnet(ctx, &ec2.CreateSubnetInput{
				VpcId:             aws.String(r.vpcID),
				CidrBlock:         aws.String(cidr),
				AvailabilityZone:  aws.String(az),
				TagSpecifications: tokenTags(tags, token),
			}, noRetry)
			if err != nil {
				return nil, false, err
			}
			return out.Subnet, out.Subnet != nil && aws.ToString(out.Subnet.SubnetId) != "", nil
		},
		find: func(ctx context.Context, token string) (*ec2types.Subnet, bool, error) {
			out, err := r.c.ec2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{vpcFilter(r.vpcID), tokenFilter(token)}})
			if err != nil || len(out.Subnets) == 0 {
				return nil, false, err
			}
			return &out.Subnets[0], true, nil
		},
		taken: []string{"InvalidSubnet.Conflict"},
	}.run(ctx)
}

// createRouteTable creates a zone's route table.
func (r *reconciler) createRouteTable(ctx context.Context, subnetID string, tags []ec2types.TagSpecification) (*ec2types.RouteTable, error) {
	return ec2Create[*ec2types.RouteTable]{
		what: "creating the route table for subnet " + subnetID,
		do: func(ctx context.Context, token string) (*ec2types.RouteTable, bool, error) {
			out, err := r.c.ec2.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{
				VpcId:             aws.String(r.vpcID),
				ClientToken:       aws.String(token),
				TagSpecifications: tokenTags(tags, token),
			}, noRetry)
			if err != nil {
				return nil, false, err
			}
			return out.RouteTable, out.RouteTable != nil && aws.ToString(out.RouteTable.RouteTableId) != "", nil
		},
		find: func(ctx context.Context, token string) (*ec2types.RouteTable, bool, error) {
			out, err := r.c.ec2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []ec2types.Filter{vpcFilter(r.vpcID), tokenFilter(token)}})
			if err != nil || len(out.RouteTables) == 0 {
				return nil, false, err
			}
			return &out.RouteTables[0], true, nil
		},
	}.run(ctx)
}

// createGroup creates a security group and returns its ID. A lost answer
// makes the retry find the name taken (InvalidGroup.Duplicate) by the
// group itself: it is found by its token.
func (r *reconciler) createGroup(ctx context.Context, name, desc string, tags []ec2types.TagSpecification) (string, error) {
	return ec2Create[string]{
		what: "creating security group " + name,
		do: func(ctx context.Context, token string) (string, bool, error) {
			out, err := r.c.ec2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
				GroupName:         aws.String(name),
				Description:       aws.String(desc),
				VpcId:             aws.String(r.vpcID),
				TagSpecifications: tokenTags(tags, token),
			}, noRetry)
			if err != nil {
				return "", false, err
			}
			return aws.ToString(out.GroupId), aws.ToString(out.GroupId) != "", nil
		},
		find: func(ctx context.Context, token string) (string, bool, error) {
			out, err := r.c.ec2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{vpcFilter(r.vpcID), tokenFilter(token)}})
			if err != nil || len(out.SecurityGroups) == 0 {
				return "", false, err
			}
			return aws.ToString(out.SecurityGroups[0].GroupId), true, nil
		},
		taken: []string{"InvalidGroup.Duplicate"},
	}.run(ctx)
}

// createVPCEndpoint creates a gateway or interface endpoint (in.ClientToken
// and the token tag are set here).
func (r *reconciler) createVPCEndpoint(ctx context.Context, what string, in ec2.CreateVpcEndpointInput) (*ec2types.VpcEndpoint, error) {
	tags := in.TagSpecifications
	return ec2Create[*ec2types.VpcEndpoint]{
		what: "creating the " + what,
		do: func(ctx context.Context, token string) (*ec2types.VpcEndpoint, bool, error) {
			in := in
			in.ClientToken = aws.String(token)
			in.TagSpecifications = tokenTags(tags, token)
			var out *ec2.CreateVpcEndpointOutput
			// The subnets and group were created a moment ago: EC2 may not
			// see them yet (a not-found answer created nothing).
			err := retryNotFound(ctx, func() (err error) {
				out, err = r.c.ec2.CreateVpcEndpoint(ctx, &in, noRetry)
				return err
			})
			if err != nil {
				return nil, false, err
			}
			return out.VpcEndpoint, out.VpcEndpoint != nil && aws.ToString(out.VpcEndpoint.VpcEndpointId) != "", nil
		},
		find: func(ctx context.Context, token string) (*ec2types.VpcEndpoint, bool, error) {
			out, err := r.c.ec2.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{Filters: []ec2types.Filter{vpcFilter(r.vpcID), tokenFilter(token)}})
			if err != nil {
				return nil, false, err
			}
			for i := range out.VpcEndpoints {
				if !endpointGone(out.VpcEndpoints[i]) {
					return &out.VpcEndpoints[i], true, nil
				}
			}
			return nil, false, nil
		},
	}.run(ctx)
}

// errFlowLogUnsuccessful is CreateFlowLogs' answer that it made no flow
// log (listed in Unsuccessful): retried by the caller while the delivery
// role propagates through IAM.
type errFlowLogUnsuccessful struct{ reason string }

func (e errFlowLogUnsuccessful) Error() string { return e.reason }

// createFlowLog creates the VPC's flow log once. A lost answer makes the
// retry find it exists (FlowLogAlreadyExists, as an error or in
// Unsuccessful): it is found by its token.
func (r *reconciler) createFlowLog(ctx context.Context, in ec2.CreateFlowLogsInput) (string, error) {
	tags := in.TagSpecifications
	return ec2Create[string]{
		what: "creating the flow log of VPC " + r.vpcID,
		do: func(ctx context.Context, token string) (string, bool, error) {
			in := in
			in.ClientToken = aws.String(token)
			in.TagSpecifications = tokenTags(tags, token)
			out, err := r.c.ec2.CreateFlowLogs(ctx, &in, noRetry)
			if err != nil {
				return "", false, err
			}
			if len(out.Unsuccessful) > 0 {
				u := out.Unsuccessful[0]
				if u.Error == nil {
					return "", false, errFlowLogUnsuccessful{"no flow log was created"}
				}
				code := aws.ToString(u.Error.Code)
				if code == flowLogExists {
					// As "taken": idem.Create looks for this create's flow log.
					return "", false, &smithy.GenericAPIError{Code: code, Message: aws.ToString(u.Error.Message)}
				}
				return "", false, errFlowLogUnsuccessful{code + ": " + aws.ToString(u.Error.Message)}
			}
			if len(out.FlowLogIds) == 0 {
				return "", false, nil
			}
			return out.FlowLogIds[0], true, nil
		},
		find: func(ctx context.Context, token string) (string, bool, error) {
			out, err := r.c.ec2.DescribeFlowLogs(ctx, &ec2.DescribeFlowLogsInput{Filter: []ec2types.Filter{
				{Name: aws.String("resource-id"), Values: []string{r.vpcID}}, tokenFilter(token),
			}})
			if err != nil || len(out.FlowLogs) == 0 {
				return "", false, err
			}
			return aws.ToString(out.FlowLogs[0].FlowLogId), true, nil
		},
		taken: []string{flowLogExists},
	}.run(ctx)
}

// flowLogExists is EC2's code for a flow log of the same configuration.
const flowLogExists = "FlowLogAlreadyExists"

// createRoleOnce creates the delivery role with a creation token. A lost
// answer makes the retry find the name taken (EntityAlreadyExists) by the
// role itself: it is found by its token. After a "taken" answer for a
// role without the token, that error is returned (the caller decides
// about leftovers of this network).
func (r *reconciler) createRoleOnce(ctx context.Context, in iam.CreateRoleInput) error {
	token, err := idem.NewToken()
	if err != nil {
		return err
	}
	name := aws.ToString(in.RoleName)
	in.Tags = append(append([]iamtypes.Tag(nil), in.Tags...), iamtypes.Tag{Key: aws.String(idem.TokenTag), Value: aws.String(token)})
	_, err = idem.Create[bool]{
		What: "creating flow-log role " + name,
		Do: func(ctx context.Context) (bool, error) {
			_, err := r.c.iam.CreateRole(ctx, &in, noIAMRetry)
			return err == nil, err
		},
		Find: func(ctx context.Context) (bool, bool, error) {
			got, err := r.c.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
			if isIAMNotFound(err) || (err == nil && got.Role == nil) {
				return false, false, nil
			}
			if err != nil {
				return false, false, err
			}
			return true, shared.TagMap(got.Role.Tags, iamTagKeyValue)[idem.TokenTag] == token, nil
		},
		Taken: func(err error) bool { return tfawserr.ErrCodeEquals(err, "EntityAlreadyExists") },
	}.Run(ctx)
	return err
}
