package deployerpolicy_test

import (
	"context"
	"strings"
	"testing"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iamsim"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
)

const boundaryARN = arnIAM + "policy/churn-boundary"

// judge renders the deployer policy of every type (split into managed
// policies, as users attach it) and judges each case with the IAM policy
// simulator.
func judge(t *testing.T, in iampolicy.DeployerInputs, cases []iamsim.Case) {
	t.Helper()
	requireSimulator(t)
	d, err := iampolicy.DeployerPolicy(in, "aws", region, account)
	if err != nil {
		t.Fatal(err)
	}
	var docs []string
	for _, p := range iampolicy.ManagedPolicies(d, iampolicy.ManagedPolicyLimit) {
		docs = append(docs, p.JSON())
	}
	outcomes, err := iamsim.CheckPersona(context.Background(), arnIAM+"role/ci", docs, cases)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range outcomes {
		if !o.OK {
			t.Error(o)
		}
	}
}

// TestDeployerPolicy_boundaryJudged: with permissions_boundary_arn, the
// deployer makes and changes roles only with that boundary, cannot remove
// it, and cannot rewrite the boundary policy (red team: without it the
// deployer can make a role under the prefix that trusts itself and grants
// "*").
func TestDeployerPolicy_boundaryJudged(t *testing.T) {
	with := func(b string) map[string][]string { return map[string][]string{"iam:PermissionsBoundary": {b}} }
	role := arnIAM + "role/churn-training"
	other := arnIAM + "policy/wide-open"
	judge(t, iampolicy.DeployerInputs{Types: iampolicy.DeployerTypes(), NamePrefix: "churn-", PermissionsBoundaryARN: boundaryARN}, []iamsim.Case{
		{Name: "create a role with the boundary", Action: "iam:CreateRole", Resource: role, Context: with(boundaryARN), WantAllowed: true},
		{Name: "create a role without a boundary", Action: "iam:CreateRole", Resource: role},
		{Name: "create a role with another boundary", Action: "iam:CreateRole", Resource: role, Context: with(other)},
		{Name: "put a policy on a role with the boundary", Action: "iam:PutRolePolicy", Resource: role, Context: with(boundaryARN), WantAllowed: true},
		{Name: "put a policy on a role without the boundary", Action: "iam:PutRolePolicy", Resource: role},
		{Name: "change the trust of a role without the boundary", Action: "iam:UpdateAssumeRolePolicy", Resource: role},
		{Name: "set the boundary on a role", Action: "iam:PutRolePermissionsBoundary", Resource: arnIAM + "role/churn-flow-logs-us-east-1", Context: with(boundaryARN), WantAllowed: true},
		{Name: "set another boundary on a role", Action: "iam:PutRolePermissionsBoundary", Resource: role, Context: with(other)},
		{Name: "remove the boundary", Action: "iam:DeleteRolePermissionsBoundary", Resource: role, Context: with(boundaryARN)},
		{Name: "tag a role (no boundary key on TagRole)", Action: "iam:TagRole", Resource: role, WantAllowed: true},
		{Name: "write a new version of the boundary", Action: "iam:CreatePolicyVersion", Resource: boundaryARN},
		{Name: "make an old version of the boundary the default", Action: "iam:SetDefaultPolicyVersion", Resource: boundaryARN},
		{Name: "delete the boundary policy", Action: "iam:DeletePolicy", Resource: boundaryARN},
	})
}

// TestDeployerPolicy_taggedWrites: keys and VPC objects (IDs AWS assigns)
// are written only when they carry sagesafe's creation token tag, created
// only with it, and the tag cannot be removed; scaling targets only of
// SageMaker variants.
func TestDeployerPolicy_taggedWrites(t *testing.T) {
	tagged := map[string][]string{"aws:ResourceTag/" + idem.TokenTag: {"tok"}}
	requestTagged := map[string][]string{"aws:RequestTag/" + idem.TokenTag: {"tok"}, "aws:TagKeys": {idem.TokenTag}}
	removeToken := map[string][]string{"aws:ResourceTag/" + idem.TokenTag: {"tok"}, "aws:TagKeys": {idem.TokenTag}}
	removeOther := map[string][]string{"aws:ResourceTag/" + idem.TokenTag: {"tok"}, "aws:TagKeys": {"team"}}
	arn := func(service, resource string) string {
		return "arn:aws:" + service + ":" + region + ":" + account + ":" + resource
	}
	key, vpc, sg := arn("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab"), arn("ec2", "vpc/vpc-0abc"), arn("ec2", "security-group/sg-0abc")
	scaling := func(ns string) map[string][]string {
		return map[string][]string{"application-autoscaling:service-namespace": {ns}, "application-autoscaling:scalable-dimension": {ns + ":variant:DesiredInstanceCount"}}
	}
	cases := []iamsim.Case{
		{Name: "create a key with the token tag", Action: "kms:CreateKey", Resource: "*", Context: requestTagged, WantAllowed: true},
		{Name: "tag a new key at create", Action: "kms:TagResource", Resource: "*", Context: requestTagged, WantAllowed: true},
		{Name: "create a key without the token tag", Action: "kms:CreateKey", Resource: "*"},
		{Name: "delete a key of sagesafe", Action: "kms:ScheduleKeyDeletion", Resource: key, Context: tagged, WantAllowed: true},
		{Name: "delete another key", Action: "kms:ScheduleKeyDeletion", Resource: key},
		{Name: "rewrite another key's policy", Action: "kms:PutKeyPolicy", Resource: key},
		{Name: "remove the token tag from a key", Action: "kms:UntagResource", Resource: key, Context: removeToken},
		{Name: "remove another tag from a key of sagesafe", Action: "kms:UntagResource", Resource: key, Context: removeOther, WantAllowed: true},
		{Name: "create the stack's alias (alias side)", Action: "kms:CreateAlias", Resource: arn("kms", "alias/churn-data"), WantAllowed: true},
		{Name: "create the stack's alias (key side)", Action: "kms:CreateAlias", Resource: key, Context: tagged, WantAllowed: true},
		{Name: "point an alias at another key (key side)", Action: "kms:UpdateAlias", Resource: key},
		{Name: "delete another team's alias", Action: "kms:DeleteAlias", Resource: arn("kms", "alias/finance")},

		{Name: "create a VPC with the token tag", Action: "ec2:CreateVpc", Resource: arn("ec2", "vpc/*"), Context: requestTagged, WantAllowed: true},
		{Name: "create a VPC without the token tag", Action: "ec2:CreateVpc", Resource: arn("ec2", "vpc/*")},
		{Name: "tag a VPC at its create", Action: "ec2:CreateTags", Resource: vpc, Context: map[string][]string{"ec2:CreateAction": {"CreateVpc"}}, WantAllowed: true},
		{Name: "tag a foreign VPC", Action: "ec2:CreateTags", Resource: vpc, Context: requestTagged},
		{Name: "create a subnet (subnet side)", Action: "ec2:CreateSubnet", Resource: arn("ec2", "subnet/*"), Context: requestTagged, WantAllowed: true},
		{Name: "create a subnet in the network's VPC (VPC side)", Action: "ec2:CreateSubnet", Resource: vpc, Context: tagged, WantAllowed: true},
		{Name: "create a subnet in a foreign VPC (VPC side)", Action: "ec2:CreateSubnet", Resource: vpc, Context: requestTagged},
		{Name: "delete the network's VPC", Action: "ec2:DeleteVpc", Resource: vpc, Context: tagged, WantAllowed: true},
		{Name: "delete a foreign VPC", Action: "ec2:DeleteVpc", Resource: vpc},
		{Name: "open a foreign security group", Action: "ec2:AuthorizeSecurityGroupIngress", Resource: sg},
		{Name: "add rules to the network's group", Action: "ec2:AuthorizeSecurityGroupIngress", Resource: sg, Context: tagged, WantAllowed: true},
		{Name: "revoke the default group's rules (made by AWS, untagged)", Action: "ec2:RevokeSecurityGroupIngress", Resource: sg, WantAllowed: true},
		{Name: "remove the token tag from a VPC", Action: "ec2:DeleteTags", Resource: vpc, Context: removeToken},
		{Name: "remove another tag from the network's VPC", Action: "ec2:DeleteTags", Resource: vpc, Context: removeOther, WantAllowed: true},

		{Name: "register an endpoint variant's scaling target", Action: "application-autoscaling:RegisterScalableTarget", Resource: "*", Context: scaling("sagemaker"), WantAllowed: true},
		{Name: "deregister a DynamoDB table's scaling target", Action: "application-autoscaling:DeregisterScalableTarget", Resource: "*", Context: scaling("dynamodb")},
	}
	for i, c := range cases {
		if strings.HasPrefix(c.Resource, arn("kms", "key/")) {
			// KMS lets IAM policies act on a key only when its key policy
			// trusts the account, as sagesafe's key policy does.
			cases[i].ResourcePolicy = keyPolicyTrustingIAM
		}
	}
	judge(t, iampolicy.DeployerInputs{Types: iampolicy.DeployerTypes(), NamePrefix: "churn-"}, cases)
}

// keyPolicyTrustingIAM is the key policy statement that lets the account's
// IAM policies grant access to the key (sagesafe's key policy has it).
const keyPolicyTrustingIAM = `{"Version":"2012-10-17","Statement":[{"Sid":"IAM","Effect":"Allow",` +
	`"Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"}]}`

// The policy's tag name is the one sagesafe's creates put on (iampolicy
// imports no AWS code, so it cannot use idem.TokenTag itself).
func TestCreationTokenTagIsIdemsTokenTag(t *testing.T) {
	if iampolicy.CreationTokenTag != idem.TokenTag {
		t.Errorf("iampolicy.CreationTokenTag = %q, idem.TokenTag = %q", iampolicy.CreationTokenTag, idem.TokenTag)
	}
}
