package network

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// fakeEC2 answers DescribeNetworkInterfaces; every other method panics
// (through the nil embedded interface) if a test calls it unexpectedly.
type fakeEC2 struct {
	ec2API
	enis    []ec2types.NetworkInterface
	filters []ec2types.Filter
}

func (f *fakeEC2) DescribeNetworkInterfaces(_ context.Context, in *ec2.DescribeNetworkInterfacesInput, _ ...func(*ec2.Options)) (*ec2.DescribeNetworkInterfacesOutput, error) {
	f.filters = in.Filters
	return &ec2.DescribeNetworkInterfacesOutput{NetworkInterfaces: f.enis}, nil
}

func dependencyViolation() error {
	return &smithy.GenericAPIError{Code: "DependencyViolation", Message: "resource sg-1 has a dependent object"}
}

func shortRetries(t *testing.T) {
	t.Helper()
	base, maxWait := dependencyRetryBase, dependencyRetryMax
	dependencyRetryBase, dependencyRetryMax = 5*time.Millisecond, 20*time.Millisecond
	t.Cleanup(func() { dependencyRetryBase, dependencyRetryMax = base, maxWait })
}

func TestRetryDependencySucceedsOnceReleased(t *testing.T) {
	shortRetries(t)
	calls := 0
	err := retryDependency(context.Background(), &fakeEC2{}, "subnet subnet-1", nil, func() error {
		calls++
		if calls < 4 {
			return dependencyViolation()
		}
		return nil
	})
	if err != nil || calls != 4 {
		t.Fatalf("err = %v after %d calls, want success after 4", err, calls)
	}
}

func TestRetryDependencyStopsOnOtherErrors(t *testing.T) {
	calls := 0
	err := retryDependency(context.Background(), &fakeEC2{}, "subnet subnet-1", nil, func() error {
		calls++
		return &smithy.GenericAPIError{Code: "UnauthorizedOperation", Message: "no"}
	})
	if calls != 1 || err == nil || !strings.Contains(err.Error(), "deleting subnet subnet-1: api error UnauthorizedOperation") {
		t.Fatalf("err = %v after %d calls", err, calls)
	}
}

func TestRetryDependencyReportsInterfacesAtTimeout(t *testing.T) {
	shortRetries(t)
	f := &fakeEC2{enis: []ec2types.NetworkInterface{
		{
			NetworkInterfaceId: aws.String("eni-sagemaker"), Status: ec2types.NetworkInterfaceStatusInUse,
			RequesterManaged: aws.Bool(true), RequesterId: aws.String("AROAEXAMPLE:SageMaker"),
			Attachment:  &ec2types.NetworkInterfaceAttachment{InstanceOwnerId: aws.String("amazon-sagemaker")},
			Description: aws.String("SageMaker endpoint churn"), SubnetId: aws.String("subnet-1"), InterfaceType: "interface",
		},
		{NetworkInterfaceId: aws.String("eni-orphan"), Status: ec2types.NetworkInterfaceStatusAvailable, OwnerId: aws.String("111122223333"), SubnetId: aws.String("subnet-1")},
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Millisecond)
	defer cancel()
	err := retryDependency(ctx, f, "subnet subnet-1", eniFilter("subnet-id", "subnet-1"), func() error { return dependencyViolation() })
	if err == nil {
		t.Fatal("no error at timeout")
	}
	msg := err.Error()
	for _, want := range []string{
		"deleting subnet subnet-1: still has dependent objects after",
		"2 network interface(s) remain (1 requester-managed)",
		"eni-sagemaker, status in-use, requester-managed by AROAEXAMPLE:SageMaker, attached for amazon-sagemaker",
		`description "SageMaker endpoint churn"`,
		"eni-orphan, status available, owner 111122223333",
		"hashicorp/terraform-provider-aws#34397",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if len(f.filters) != 1 || aws.ToString(f.filters[0].Name) != "subnet-id" {
		t.Errorf("interfaces were listed with filters %v", f.filters)
	}
}

func TestRetryDependencyWithoutInterfaces(t *testing.T) {
	shortRetries(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := retryDependency(ctx, &fakeEC2{}, "VPC vpc-1", eniFilter("vpc-id", "vpc-1"), func() error { return dependencyViolation() })
	if err == nil || !strings.Contains(err.Error(), "No network interfaces remain in it; run destroy again.") {
		t.Fatalf("err = %v", err)
	}
}

func TestErrorClassification(t *testing.T) {
	if !isDependencyViolation(dependencyViolation()) || isDependencyViolation(errors.New("DependencyViolation")) {
		t.Error("DependencyViolation must be detected by code, not text")
	}
	if !isEC2NotFound(&smithy.GenericAPIError{Code: "InvalidSubnetID.NotFound"}) || ignoreNotFound(&smithy.GenericAPIError{Code: "InvalidVpcID.NotFound"}) != nil {
		t.Error("not-found codes")
	}
	if isEC2NotFound(&smithy.GenericAPIError{Code: "UnauthorizedOperation"}) {
		t.Error("UnauthorizedOperation is not not-found")
	}
}

func TestFlattenTags(t *testing.T) {
	ctx := context.Background()
	var diags diag.Diagnostics
	live := shared.TagList(map[string]string{
		"Name": "ml", TagNetwork: "ml", TagRole: roleVPC, "aws:cloudformation:stack": "x",
		"team": "a", "stack": "golden-path", "managed-by": "someone",
	}, ec2Tag)
	defaults := map[string]string{"stack": "golden-path", "managed-by": "terraform"}

	got := flattenTags(ctx, shared.TagMap(live, ec2TagKeyValue), types.MapNull(types.StringType), defaults, &diags)
	want := tfval.Map(map[string]string{"team": "a", "managed-by": "someone"})
	if !got.Equal(want) {
		t.Errorf("flattenTags = %v, want %v (default tags with their default value are left out)", got, want)
	}
	// A key the configuration sets is kept even when default_tags has it too.
	got = flattenTags(ctx, shared.TagMap(live, ec2TagKeyValue), tfval.Map(map[string]string{"stack": "golden-path"}), defaults, &diags)
	if v, ok := got.Elements()["stack"]; !ok || v.(types.String).ValueString() != "golden-path" {
		t.Errorf("flattenTags dropped a configured key: %v", got)
	}
	// No user tags and none configured: null, not {}.
	got = flattenTags(ctx, map[string]string{"Name": "ml"}, types.MapNull(types.StringType), nil, &diags)
	if !got.IsNull() {
		t.Errorf("flattenTags = %v, want null", got)
	}
	if diags.HasError() {
		t.Fatal(diags)
	}
}

func TestRetryNotFound(t *testing.T) {
	interval := pollInterval
	pollInterval = 4 * time.Millisecond
	t.Cleanup(func() { pollInterval = interval })
	calls := 0
	err := retryNotFound(context.Background(), func() error {
		calls++
		if calls < 3 {
			return &smithy.GenericAPIError{Code: "InvalidRouteTableID.NotFound"}
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Fatalf("err = %v after %d calls, want success after 3", err, calls)
	}
	calls = 0
	err = retryNotFound(context.Background(), func() error {
		calls++
		return &smithy.GenericAPIError{Code: "UnauthorizedOperation"}
	})
	if err == nil || calls != 1 {
		t.Fatalf("err = %v after %d calls, want the error at once", err, calls)
	}
}

type fakeServices struct {
	ec2API
	details []ec2types.ServiceDetail
}

func (f *fakeServices) DescribeVpcEndpointServices(context.Context, *ec2.DescribeVpcEndpointServicesInput, ...func(*ec2.Options)) (*ec2.DescribeVpcEndpointServicesOutput, error) {
	out := &ec2.DescribeVpcEndpointServicesOutput{ServiceDetails: f.details}
	for _, d := range f.details {
		out.ServiceNames = append(out.ServiceNames, aws.ToString(d.ServiceName))
	}
	return out, nil
}

func TestCheckServices(t *testing.T) {
	f := &fakeServices{details: []ec2types.ServiceDetail{
		{ServiceName: aws.String("com.amazonaws.us-east-1.sagemaker.api"), AvailabilityZones: []string{"us-east-1a", "us-east-1b", "us-east-1c"}},
		{ServiceName: aws.String("com.amazonaws.us-east-1.sagemaker.runtime"), AvailabilityZones: []string{"us-east-1a", "us-east-1c"}},
	}}
	s := testSpec()
	s.Services = []string{"sagemaker.api", "sagemaker.runtime", "nope"}
	diags := checkServices(context.Background(), f, s)
	var got []string
	for _, d := range diags.Errors() {
		got = append(got, d.Detail())
	}
	joined := strings.Join(got, "\n")
	if len(got) != 2 ||
		!strings.Contains(joined, "us-east-1 offers no VPC endpoint service com.amazonaws.us-east-1.nope") ||
		!strings.Contains(joined, "com.amazonaws.us-east-1.sagemaker.runtime is not offered in us-east-1b (only in us-east-1a, us-east-1c)") {
		t.Fatalf("diagnostics:\n%s", joined)
	}
}
