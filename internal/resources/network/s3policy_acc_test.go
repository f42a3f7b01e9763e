package network_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
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
