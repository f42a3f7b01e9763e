package faultmatrix

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/fixtures"
)

// live are the IDs of the stack a drift needs, read from the state.
type live struct {
	vpcID, groupID, flowLogID, keyID, alias, trainingRole, endpointLogGroup, endpointName, jobARN, alarm string
}

func (l *live) capture(s *terraform.State) error {
	attr := func(addr, key string) string {
		if rs := s.RootModule().Resources[addr]; rs != nil {
			return rs.Primary.Attributes[key]
		}
		return ""
	}
	*l = live{
		vpcID:            attr("sagesafe_network.ml", "vpc_id"),
		groupID:          attr("sagesafe_network.ml", "workload_security_group_id"),
		flowLogID:        attr("sagesafe_network.ml", "flow_log_id"),
		keyID:            attr("sagesafe_kms_key.ml", "key_id"),
		alias:            attr("sagesafe_kms_key.ml", "alias"),
		trainingRole:     attr("sagesafe_execution_role.training", "name"),
		endpointLogGroup: attr("sagesafe_endpoint.model", "log_group_name"),
		endpointName:     attr("sagesafe_endpoint.model", "name"),
		jobARN:           attr("sagesafe_training_job.model", "arn"),
	}
	if rs := s.RootModule().Resources["sagesafe_endpoint.model"]; rs != nil {
		for k, v := range rs.Primary.Attributes {
			if strings.HasPrefix(k, "alarm_names.") && k != "alarm_names.%" {
				l.alarm = v
				break
			}
		}
	}
	if l.vpcID == "" || l.keyID == "" || l.trainingRole == "" || l.alarm == "" {
		return fmt.Errorf("the state lacks IDs the drift step needs: %+v", *l)
	}
	return nil
}

// drift changes the stack behind Terraform's back, the way a person with
// console access or another tool would, so that the next apply repairs it
// with the calls that only a repair makes.
func drift(t *testing.T, st stack, l live) {
	t.Helper()
	ctx := context.Background()
	c := st.aws
	must := func(what string, err error) {
		if err != nil {
			t.Fatalf("drift: %s: %v", what, err)
		}
	}
	// The key: rotation off, description and policy changed, its alias
	// pointed at another key, and the key scheduled for deletion.
	_, err := c.KMS.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: aws.String(l.keyID)})
	must("DisableKeyRotation", err)
	_, err = c.KMS.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: aws.String(l.keyID), Description: aws.String("edited by hand")})
	must("UpdateKeyDescription", err)
	rootOnly := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"kms:*","Resource":"*"}]}`, c.AccountID)
	_, err = c.KMS.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(l.keyID), PolicyName: aws.String("default"), Policy: aws.String(rootOnly)})
	must("PutKeyPolicy", err)
	_, err = c.KMS.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String(l.alias), TargetKeyId: aws.String(st.otherKey)})
	must("UpdateAlias", err)
	_, err = c.KMS.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(l.keyID), PendingWindowInDays: aws.Int32(7)})
	must("ScheduleKeyDeletion", err)

	// The training role: a managed policy attached, a boundary, a foreign tag.
	_, err = c.IAM.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(l.trainingRole), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
	must("AttachRolePolicy", err)
	_, err = c.IAM.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String(l.trainingRole), PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
	must("PutRolePermissionsBoundary", err)
	_, err = c.IAM.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String(l.trainingRole), MaxSessionDuration: aws.Int32(43200)})
	must("UpdateRole", err)
	// An instance profile made for the role (a destroy must take the role
	// out of it); the profile itself is the test's to delete.
	profile := l.trainingRole + "-profile"
	_, err = c.IAM.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String(profile)})
	must("CreateInstanceProfile", err)
	t.Cleanup(func() {
		_, _ = c.IAM.DeleteInstanceProfile(context.Background(), &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String(profile)})
	})
	_, err = c.IAM.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String(profile), RoleName: aws.String(l.trainingRole)})
	must("AddRoleToInstanceProfile", err)
	_, err = c.IAM.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(l.trainingRole), PolicyDocument: aws.String(acctest.SageMakerTrust(c.AccountID, false))})
	must("UpdateAssumeRolePolicy", err)

	// The network: a public subnet, an open group, no flow log.
	subnets, err := c.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{l.vpcID}}}})
	must("DescribeSubnets", err)
	if len(subnets.Subnets) == 0 {
		t.Fatal("drift: the network has no subnets")
	}
	subnet := aws.ToString(subnets.Subnets[0].SubnetId)
	_, err = c.EC2.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{SubnetId: aws.String(subnet), MapPublicIpOnLaunch: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)}})
	must("ModifySubnetAttribute", err)
	tables, err := c.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []ec2types.Filter{{Name: aws.String("association.subnet-id"), Values: []string{subnet}}}})
	must("DescribeRouteTables", err)
	if len(tables.RouteTables) == 0 {
		t.Fatal("drift: the subnet has no route table")
	}
	igw, err := fixtures.AddInternetRoute(ctx, c, l.vpcID, aws.ToString(tables.RouteTables[0].RouteTableId))
	must("AddInternetRoute", err)
	t.Cleanup(func() { _ = fixtures.RemoveInternetGateway(context.Background(), c, igw) })
	must("OpenIngress", fixtures.OpenIngress(ctx, c, l.groupID, 22))
	_, err = c.EC2.DeleteFlowLogs(ctx, &ec2.DeleteFlowLogsInput{FlowLogIds: []string{l.flowLogID}})
	must("DeleteFlowLogs", err)
	// A second subnet moved to the VPC's main route table; the S3 gateway
	// endpoint opened to every bucket.
	if len(subnets.Subnets) > 1 {
		second := aws.ToString(subnets.Subnets[1].SubnetId)
		own, err := c.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []ec2types.Filter{{Name: aws.String("association.subnet-id"), Values: []string{second}}}})
		must("DescribeRouteTables", err)
		main, err := c.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []ec2types.Filter{
			{Name: aws.String("vpc-id"), Values: []string{l.vpcID}}, {Name: aws.String("association.main"), Values: []string{"true"}}}})
		must("DescribeRouteTables main", err)
		for _, a := range own.RouteTables[0].Associations {
			if aws.ToString(a.SubnetId) == second && len(main.RouteTables) == 1 {
				_, err = c.EC2.ReplaceRouteTableAssociation(ctx, &ec2.ReplaceRouteTableAssociationInput{AssociationId: a.RouteTableAssociationId, RouteTableId: main.RouteTables[0].RouteTableId})
				must("ReplaceRouteTableAssociation", err)
			}
		}
	}
	gateways, err := c.EC2.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{Filters: []ec2types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{l.vpcID}}, {Name: aws.String("vpc-endpoint-type"), Values: []string{"Gateway"}}}})
	must("DescribeVpcEndpoints", err)
	for _, g := range gateways.VpcEndpoints {
		_, err = c.EC2.ModifyVpcEndpoint(ctx, &ec2.ModifyVpcEndpointInput{VpcEndpointId: g.VpcEndpointId,
			PolicyDocument: aws.String(`{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`)})
		must("ModifyVpcEndpoint", err)
	}

	// The endpoint: its log group without key and with a short retention,
	// an alarm that no longer alarms.
	_, err = c.Logs.DisassociateKmsKey(ctx, &cloudwatchlogs.DisassociateKmsKeyInput{LogGroupName: aws.String(l.endpointLogGroup)})
	must("DisassociateKmsKey", err)
	_, err = c.Logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(l.endpointLogGroup), RetentionInDays: aws.Int32(1)})
	must("PutRetentionPolicy", err)
	acctest.EditAlarmWith(t, c.CloudWatch, l.alarm, func(in *cloudwatch.PutMetricAlarmInput) { in.ActionsEnabled = aws.Bool(false) })

	// The training job: a foreign tag.
	_, err = c.SageMaker.AddTags(ctx, &sagemaker.AddTagsInput{ResourceArn: aws.String(l.jobARN), Tags: []smtypes.Tag{{Key: aws.String("rogue"), Value: aws.String("x")}}})
	must("AddTags", err)
}
