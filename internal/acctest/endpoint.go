package acctest

import (
	"testing"
)

// EndpointFixture is what a secure sagesafe_endpoint needs, made with the SDK:
// private subnets in two Availability Zones, each routed to S3 through a
// gateway endpoint, a closed security group, a rotating customer-managed key
// and an execution role trusted only by SageMaker with the confused-deputy
// conditions.
type EndpointFixture struct {
	AccountID     string
	VPCID         string
	SubnetIDs     []string
	SecurityGroup string
	KeyARN        string
	RoleARN       string
}

// EndpointFixtures creates an EndpointFixture; everything is removed when the
// test ends.
func EndpointFixtures(t *testing.T) EndpointFixture {
	t.Helper()
	account := AWS(t).AccountID
	vpc := VPC(t, "10.20.0.0/16")
	return EndpointFixture{
		AccountID: account,
		VPCID:     vpc,
		SubnetIDs: []string{
			Subnet(t, vpc, SubnetOpts{CIDR: "10.20.1.0/24", AZ: Region + "a", S3Gateway: true}),
			Subnet(t, vpc, SubnetOpts{CIDR: "10.20.2.0/24", AZ: Region + "b", S3Gateway: true}),
		},
		SecurityGroup: SecurityGroup(t, vpc, false),
		KeyARN:        Key(t, true),
		RoleARN:       Role(t, SageMakerTrust(account, true)),
	}
}
