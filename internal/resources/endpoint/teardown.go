package endpoint

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/loggroup"
)

// teardown is the cleanup of destroy: everything the state says the
// resource owns, including the endpoint's network interfaces.
// key is the resource's name key (nil when its state has none).
func (r *endpointResource) teardown(ctx context.Context, state endpointModel, key *nameKey, diags *diag.Diagnostics) *cleanup {
	name := state.Name.ValueString()
	n, d := state.nested(ctx)
	diags.Append(d...)
	c := &cleanup{r: r, name: name, key: key, endpoint: true, alarms: true, logGroup: !state.RetainLogsOnDestroy.ValueBool()}
	diags.Append(n.VPC.SubnetIDs.ElementsAs(ctx, &c.subnets, false)...)
	diags.Append(n.VPC.SecurityGroupIDs.ElementsAs(ctx, &c.groups, false)...)
	for _, v := range []string{state.EndpointConfigName.ValueString(), state.ModelName.ValueString()} {
		if ownVersion(name, v) {
			c.configs = appendUnique(c.configs, v)
			c.models = appendUnique(c.models, v)
		}
	}
	return c
}

// cleanup removes what a failed create made, or everything on destroy.
type cleanup struct {
	r    *endpointResource
	name string
	// key proves what this resource created: only objects that carry its
	// creation token are deleted (nil: a state without a key, see mayDelete).
	key             *nameKey
	endpoint        bool
	subnets, groups []string
	configs, models []string
	alarms          bool
	logGroup        bool
}

// fail reports err and removes what was created, with a context of its own
// (the apply's may have run out).
func (c *cleanup) fail(ctx context.Context, diags *diag.Diagnostics, summary string, err error) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), DefaultDeleteTimeout)
	defer cancel()
	var done diag.Diagnostics
	c.run(cctx, &done)
	diags.AddError(summary, err.Error()+"\n\nsagesafe removed what this apply had created for the endpoint.")
	diags.Append(done...)
}

// run deletes, in order: the endpoint (waiting until it and its network
// interfaces are gone), the models and configurations, the alarms and the
// log group, as far as c says this resource owns them.
func (c *cleanup) run(ctx context.Context, diags *diag.Diagnostics) {
	r := c.r
	// The scalable target would outlive the endpoint (Application Auto
	// Scaling does not check that the variant exists).
	if c.endpoint {
		if err := r.deregisterScaling(ctx, c.name); err != nil {
			diags.AddError("Deregistering the autoscaling of endpoint "+c.name+" failed", err.Error())
			return
		}
	}
	if c.endpoint && !c.deleteEndpoint(ctx, diags) {
		return
	}
	r.deleteVersions(ctx, c.name, c.key, c.configs, c.models, diags)
	if c.alarms {
		r.data.Reads.ForgetAlarms(alarmNames(c.name)...)
		if err := alarms.Delete(ctx, r.data.AWS.CloudWatch, alarmNames(c.name)); err != nil {
			diags.AddError("Deleting the alarms of endpoint "+c.name+" failed", err.Error())
		}
	}
	if c.logGroup {
		r.data.Reads.ForgetLogGroup(logGroupName(c.name))
		if err := loggroup.Delete(ctx, r.data.AWS.Logs, logGroupName(c.name)); err != nil {
			diags.AddError("Deleting the log group of endpoint "+c.name+" failed", err.Error())
		}
	}
}

// deleteEndpoint deletes the endpoint, after any transition it is in, and
// waits until it is gone and SageMaker has released its network interfaces.
// The configuration it served is added to what is deleted next when this
// resource made it. It returns false when the rest must not be deleted.
func (c *cleanup) deleteEndpoint(ctx context.Context, diags *diag.Diagnostics) bool {
	r := c.r
	sm := r.data.AWS.SageMaker
	ep, err := findEndpoint(ctx, sm, c.name)
	switch {
	case IsNotFound(err):
		return true
	case err != nil:
		diags.AddError("Deleting endpoint "+c.name+" failed", err.Error())
		return false
	}
	tags, err := sm.ListTags(ctx, &sagemaker.ListTagsInput{ResourceArn: ep.EndpointArn, MaxResults: aws.Int32(100)})
	if err != nil {
		diags.AddError("Deleting endpoint "+c.name+" failed", "Reading its tags: "+err.Error())
		return false
	}
	if !mayDeleteEndpoint(c.key, tagMap(tags.Tags)) {
		diags.AddWarning("Endpoint "+c.name+" was left in place",
			"It carries the creation token of another sagesafe_endpoint, which took it over (for example the new instance of a "+
				"create_before_destroy replacement), so this destroy does not delete it, nor what it serves.")
		return false
	}
	if aws.ToString(ep.EndpointConfigName) != "" && ownVersion(c.name, aws.ToString(ep.EndpointConfigName)) {
		c.configs = appendUnique(c.configs, aws.ToString(ep.EndpointConfigName))
		c.models = appendUnique(c.models, aws.ToString(ep.EndpointConfigName))
	}
	if pending(ep.EndpointStatus) && ep.EndpointStatus != smtypes.EndpointStatusDeleting {
		if ep, err = waitSettled(ctx, sm, c.name); err != nil {
			diags.AddError("Deleting endpoint "+c.name+" failed", "It did not leave its transition: "+err.Error())
			return false
		}
	}
	instances := 0
	for _, v := range ep.ProductionVariants {
		instances += int(aws.ToInt32(v.CurrentInstanceCount))
	}
	before, err := sageMakerENIs(ctx, r.data.AWS.EC2, c.subnets, c.groups)
	if err != nil {
		diags.AddWarning("Could not list the endpoint's network interfaces", err.Error())
	}
	if _, err := sm.DeleteEndpoint(ctx, &sagemaker.DeleteEndpointInput{EndpointName: aws.String(c.name)}); err != nil && !sageMakerNotFound(err) {
		diags.AddError("Deleting endpoint "+c.name+" failed", err.Error())
		return false
	}
	if err := waitGone(ctx, sm, c.name); err != nil {
		diags.AddError("Deleting endpoint "+c.name+" failed", err.Error())
		return false
	}
	left, err := waitENIsReleased(ctx, r.data.AWS.EC2, before, instances, c.subnets, c.groups)
	switch {
	case len(left) > 0:
		diags.AddWarning("Network interfaces of endpoint "+c.name+" are still there",
			fmt.Sprintf("The endpoint is deleted, but SageMaker network interfaces %s in its subnets and security groups were not "+
				"released before the delete timeout. They may belong to another endpoint sharing them, or SageMaker may still be "+
				"releasing them; deleting the subnets or security groups fails with DependencyViolation until they are gone.",
				strings.Join(left, ", ")))
	case err != nil && !errors.Is(err, errTimeout):
		diags.AddWarning("Could not check the endpoint's network interfaces", err.Error())
	}
	return true
}

// EC2API is the part of the EC2 client used to find the endpoint's network
// interfaces.
type EC2API interface {
	DescribeNetworkInterfaces(context.Context, *ec2.DescribeNetworkInterfacesInput, ...func(*ec2.Options)) (*ec2.DescribeNetworkInterfacesOutput, error)
}

// sageMakerENIs lists the network interfaces SageMaker made in the given
// subnets with one of the given security groups: those whose requester or
// description names SageMaker.
func sageMakerENIs(ctx context.Context, api EC2API, subnets, groups []string) ([]string, error) {
	if len(subnets) == 0 || len(groups) == 0 {
		return nil, nil
	}
	in := &ec2.DescribeNetworkInterfacesInput{Filters: []ec2types.Filter{
		{Name: aws.String("subnet-id"), Values: subnets},
		{Name: aws.String("group-id"), Values: groups},
	}}
	var ids []string
	p := ec2.NewDescribeNetworkInterfacesPaginator(api, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describing network interfaces: %w", err)
		}
		for _, ni := range page.NetworkInterfaces {
			who := strings.ToLower(aws.ToString(ni.RequesterId) + " " + aws.ToString(ni.Description))
			if strings.Contains(who, "sagemaker") {
				ids = append(ids, aws.ToString(ni.NetworkInterfaceId))
			}
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// waitENIsReleased waits until the SageMaker network interfaces that
// belonged to a deleted endpoint are gone. SageMaker does not say which
// interfaces are an endpoint's, so before is every SageMaker interface in the
// endpoint's subnets and security groups just before it was deleted, and
// instances is how many instances it ran (one interface each). The wait ends
// when at most len(before)-instances of them remain: with subnets and groups
// of its own that means all of them; when another endpoint shares both, its
// interfaces are not waited for. It returns the interfaces still there when
// ctx ends.
//
// A hand-written poll: EC2 has no waiter for network interfaces going away
// (its NetworkInterfaceAvailable waiter waits for the opposite), and the end
// is a count over a listing, not the state of one object.
func waitENIsReleased(ctx context.Context, api EC2API, before []string, instances int, subnets, groups []string) ([]string, error) {
	if len(before) == 0 {
		return nil, nil
	}
	allowed := max(len(before)-max(instances, 1), 0)
	var b backoff
	for {
		now, err := sageMakerENIs(ctx, api, subnets, groups)
		if err != nil {
			return nil, err
		}
		var left []string
		for _, id := range before {
			if slices.Contains(now, id) {
				left = append(left, id)
			}
		}
		if len(left) <= allowed {
			return nil, nil
		}
		if err := b.wait(ctx); err != nil {
			return left, err
		}
	}
}

func appendIf(list []string, v string, ok bool) []string {
	if ok {
		return appendUnique(list, v)
	}
	return list
}

func appendUnique(list []string, v string) []string {
	if slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}

// filterOwn keeps the names this resource generated, other than keep.
func filterOwn(endpoint, keep string, names []string) []string {
	var out []string
	for _, n := range names {
		if n != keep && ownVersion(endpoint, n) {
			out = appendUnique(out, n)
		}
	}
	return out
}
