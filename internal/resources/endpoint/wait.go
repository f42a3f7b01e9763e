package endpoint

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// Polling backoff: the first poll after pollInitial, then 1.5 times longer
// each time, up to pollMax. Variables so that tests against a fast emulator
// can shorten them.
var (
	pollInitial = 5 * time.Second
	pollMax     = 30 * time.Second
)

// errTimeout marks a wait that ran out of time.
var errTimeout = errors.New("timed out")

// pending reports whether an endpoint status is a transition that ends by
// itself.
func pending(s smtypes.EndpointStatus) bool {
	switch s {
	case smtypes.EndpointStatusCreating, smtypes.EndpointStatusUpdating, smtypes.EndpointStatusSystemUpdating,
		smtypes.EndpointStatusRollingBack, smtypes.EndpointStatusDeleting:
		return true
	}
	return false
}

// backoff sleeps for the next delay or returns errTimeout when ctx ends first.
type backoff struct{ next time.Duration }

func (b *backoff) wait(ctx context.Context) error {
	if b.next == 0 {
		b.next = pollInitial
	}
	t := time.NewTimer(b.next)
	defer t.Stop()
	b.next = min(time.Duration(float64(b.next)*1.5), pollMax)
	select {
	case <-ctx.Done():
		return errTimeout
	case <-t.C:
		return nil
	}
}

// waitSettled polls the endpoint until its status is no longer a transition
// (Creating, Updating, SystemUpdating, RollingBack, Deleting). On timeout it
// returns the last description with an error wrapping errTimeout.
func waitSettled(ctx context.Context, api SageMakerAPI, name string) (*sagemaker.DescribeEndpointOutput, error) {
	var b backoff
	for {
		out, err := findEndpoint(ctx, api, name)
		if err != nil {
			return nil, err
		}
		if !pending(out.EndpointStatus) {
			return out, nil
		}
		if err := b.wait(ctx); err != nil {
			return out, fmt.Errorf("endpoint %s is still %s: %w", name, out.EndpointStatus, err)
		}
	}
}

// waitGone polls until the endpoint no longer exists.
func waitGone(ctx context.Context, api SageMakerAPI, name string) error {
	var b backoff
	for {
		out, err := findEndpoint(ctx, api, name)
		if IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := b.wait(ctx); err != nil {
			return fmt.Errorf("endpoint %s is still %s: %w", name, out.EndpointStatus, err)
		}
	}
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
