package network_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
)

// TestAccNetwork_driftS3EndpointPolicy checks the S3 gateway endpoint's
// policy (SS-DATA-2): it is created allowing only buckets of this account
// and ECR's layer bucket, AWS's default allow-all put back out of band
// shows up in drift, and the next apply restores the network's policy.
func TestAccNetwork_driftS3EndpointPolicy(t *testing.T) {
	name := acctest.RandomName("net")
	key := acctest.Key(t, true)
	ctx := context.Background()
	c := acctest.AWS(t)
	want, err := iampolicy.S3GatewayEndpointPolicy(c.Partition, acctest.Region, c.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	var a map[string]string
	checkPolicy := func(*terraform.State) error {
		id := a["vpc_endpoint_ids.s3"]
		out, err := c.EC2.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{VpcEndpointIds: []string{id}})
		if err != nil {
			return err
		}
		got := aws.ToString(out.VpcEndpoints[0].PolicyDocument)
		if ok, err := iampolicy.Equivalent(got, want.JSON()); err != nil || !ok {
			return fmt.Errorf("S3 gateway endpoint %s has policy %s, want %s (%v)", id, got, want.JSON(), err)
		}
		return nil
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             acctest.CheckNetworkDestroyed(t, name),
		Steps: []resource.TestStep{
			{
				Config:            testAccNetworkConfig_basic(name, key),
				ConfigStateChecks: restoredChecks,
				Check:             resource.ComposeAggregateTestCheckFunc(stateAttrs(&a), checkPolicy),
			},
			{
				// Someone puts AWS's default allow-all policy back.
				PreConfig: func() {
					_, err := c.EC2.ModifyVpcEndpoint(ctx, &ec2.ModifyVpcEndpointInput{
						VpcEndpointId:  aws.String(a["vpc_endpoint_ids.s3"]),
						PolicyDocument: aws.String(`{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`),
					})
					if err != nil {
						t.Fatalf("editing the S3 endpoint policy: %v", err)
					}
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: driftChecks("SS-DATA-2", regexp.MustCompile(`^SS-DATA-2: S3 gateway endpoint vpce-\w+ has a policy other than the network's \(only buckets of account `+
					c.AccountID+`, aws:ResourceAccount, and ECR's layer bucket\)`)),
			},
			{
				// The next apply restores it.
				Config:            testAccNetworkConfig_basic(name, key),
				ConfigPlanChecks:  restorePlan(),
				ConfigStateChecks: restoredChecks,
				Check:             checkPolicy,
			},
		},
	})
}

// TestAccNetwork_foreignS3EndpointFailsDataControl: someone adds an S3
// interface endpoint with AWS's default allow-all policy to the network's
// VPC. Workloads could reach any account's bucket through it, around the
// gateway's policy, so the refresh reports it as SS-DATA-2 drift and the
// control leaves `controls` (the apply does not delete an endpoint it did
// not make; the test removes it before destroy).
func TestAccNetwork_foreignS3EndpointFailsDataControl(t *testing.T) {
	name := acctest.RandomName("net")
	key := acctest.Key(t, true)
	ctx := context.Background()
	c := acctest.AWS(t)
	var a map[string]string
	var foreign string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             acctest.CheckNetworkDestroyed(t, name),
		Steps: []resource.TestStep{
			{
				Config:            testAccNetworkConfig_basic(name, key),
				ConfigStateChecks: restoredChecks,
				Check:             stateAttrs(&a),
			},
			{
				PreConfig: func() {
					out, err := c.EC2.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{
						VpcId: aws.String(a["vpc_id"]), ServiceName: aws.String("com.amazonaws." + acctest.Region + ".s3"),
						VpcEndpointType: ec2types.VpcEndpointTypeInterface, SubnetIds: []string{a["subnet_ids.0"]},
					})
					if err != nil {
						t.Fatalf("adding an S3 interface endpoint: %v", err)
					}
					foreign = aws.ToString(out.VpcEndpoint.VpcEndpointId)
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check:              driftChecks("SS-DATA-2", regexp.MustCompile(`^SS-DATA-2: S3 endpoint vpce-\w+ \(Interface\), not made by the network, has a policy other than the network's`)),
			},
			{
				PreConfig: func() {
					if _, err := c.EC2.DeleteVpcEndpoints(ctx, &ec2.DeleteVpcEndpointsInput{VpcEndpointIds: []string{foreign}}); err != nil {
						t.Fatalf("removing the S3 interface endpoint: %v", err)
					}
				},
				Config:            testAccNetworkConfig_basic(name, key),
				ConfigStateChecks: restoredChecks,
			},
		},
	})
}
