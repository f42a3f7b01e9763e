package iampolicy

import (
	"slices"
	"strings"
	"testing"
)

func deployerStatement(t *testing.T, d Document, sid string) Statement {
	t.Helper()
	for _, s := range d.Statement {
		if s.Sid == sid {
			return s
		}
	}
	t.Fatalf("no statement %s in %s", sid, d.JSON())
	return Statement{}
}

func TestDeployerPolicy_trainingStack(t *testing.T) {
	d, err := DeployerPolicy(DeployerInputs{
		Types:      []string{TypeKMSKey, TypeNetwork, TypeExecutionRole, TypeTrainingJob},
		NamePrefix: "ML-gp",
	}, "aws", "us-east-1", "123456789012")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(d.JSON()); err != nil {
		t.Fatalf("the policy does not parse: %v", err)
	}
	sm := deployerStatement(t, d, SidDeployerSageMaker)
	if !slices.Contains(sm.Action, "sagemaker:CreateTrainingJob") || slices.Contains(sm.Action, "sagemaker:CreateEndpoint") {
		t.Errorf("SageMaker actions are those of training jobs only: %v", sm.Action)
	}
	// SageMaker ARNs carry names in lower case.
	if want := []string{"arn:aws:sagemaker:us-east-1:123456789012:training-job/ml-gp*"}; !slices.Equal(sm.Resource, want) {
		t.Errorf("SageMaker resources = %v, want %v", sm.Resource, want)
	}
	roles := deployerStatement(t, d, SidDeployerRoles)
	if want := []string{"arn:aws:iam::123456789012:role/ML-gp*", "arn:aws:iam::123456789012:role/sagesafe/ML-gp*"}; !slices.Equal(roles.Resource, want) {
		t.Errorf("role resources = %v, want %v", roles.Resource, want)
	}
	pass := deployerStatement(t, d, SidDeployerPassRole)
	if got := pass.Condition["StringEquals"]["iam:PassedToService"]; !slices.Equal(got, []string{"sagemaker.amazonaws.com", "vpc-flow-logs.amazonaws.com"}) {
		t.Errorf("PassRole goes to %v, want SageMaker and flow logs only", got)
	}
	reads := deployerStatement(t, d, SidDeployerReads)
	for _, a := range []string{"kms:DescribeKey", "ec2:DescribeSubnets", "iam:GetRole", "sagemaker:DescribeTrainingJob", "s3:GetEncryptionConfiguration"} {
		if !slices.Contains(reads.Action, a) {
			t.Errorf("reads lack %s (a plan-time lookup): %v", a, reads.Action)
		}
	}
	// Keys and VPC objects are scoped by the creation token tag: nothing is
	// left on "*" but reads and the creates that carry the tag.
	for _, s := range d.Statement {
		if s.Sid == SidDeployerWrites {
			t.Errorf("writes on \"*\" without a condition: %v", s.Action)
		}
	}
	all := strings.Join(append(reads.Action, sm.Action...), " ")
	for _, absent := range []string{"cloudtrail:", "budgets:", "scheduler:", "s3:CreateBucket", "application-autoscaling:", "iam:CreateServiceLinkedRole"} {
		if strings.Contains(d.JSON(), absent) {
			t.Errorf("a training stack needs no %s, but the policy grants it: %s", absent, all)
		}
	}
}

func TestDeployerPolicy_givenRolesAndNoPrefix(t *testing.T) {
	role := "arn:aws:iam::123456789012:role/exec"
	d, err := DeployerPolicy(DeployerInputs{Types: []string{TypeEndpoint}, PassRoleARNs: []string{role}}, "aws", "us-east-1", "123456789012")
	if err != nil {
		t.Fatal(err)
	}
	if got := deployerStatement(t, d, SidDeployerPassRole).Resource; !slices.Equal(got, []string{role}) {
		t.Errorf("PassRole on %v, want only the given role", got)
	}
	sm := deployerStatement(t, d, SidDeployerSageMaker).Resource
	if len(sm) != 3 || !slices.Contains(sm, "arn:aws:sagemaker:us-east-1:123456789012:endpoint/*") {
		t.Errorf("without a prefix, SageMaker writes cover the endpoint's kinds in the account: %v", sm)
	}
	if s := deployerStatement(t, d, SidDeployerSLR); s.Condition["StringEquals"]["iam:AWSServiceName"][0] != "sagemaker.application-autoscaling.amazonaws.com" {
		t.Errorf("service-linked role statement: %+v", s)
	}
}

func TestDeployerPolicy_refusals(t *testing.T) {
	for name, in := range map[string]DeployerInputs{
		"no types":        {},
		"unknown type":    {Types: []string{"aws_instance"}},
		"wildcard prefix": {Types: []string{TypeKMSKey}, NamePrefix: "ml*"},
		"wildcard role":   {Types: []string{TypeTrainingJob}, PassRoleARNs: []string{"arn:aws:iam::123456789012:role/*"}},
		"not a role":      {Types: []string{TypeTrainingJob}, PassRoleARNs: []string{"arn:aws:iam::123456789012:user/x"}},
		// Without a prefix role writes and PassRole would cover role/*,
		// the deployer's own role included (red team).
		"roles without a prefix":       {Types: []string{TypeExecutionRole}},
		"passing roles without prefix": {Types: []string{TypeTrainingJob}},
	} {
		if _, err := DeployerPolicy(in, "aws", "us-east-1", "123456789012"); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestDeployerCalls_wellFormed: every inventory row names known types and
// a call once; every type makes at least one call of its own.
func TestDeployerCalls_wellFormed(t *testing.T) {
	seen := map[string]bool{}
	used := map[string]bool{}
	for _, c := range DeployerCalls() {
		if seen[c.Call] {
			t.Errorf("%s is listed twice", c.Call)
		}
		seen[c.Call] = true
		if len(c.Types) == 0 {
			t.Errorf("%s names no type", c.Call)
		}
		for _, ty := range c.Types {
			if !slices.Contains(DeployerTypes(), ty) {
				t.Errorf("%s names %s, not a deployer type", c.Call, ty)
			}
			used[ty] = true
		}
	}
	for _, ty := range DeployerTypes() {
		if !used[ty] {
			t.Errorf("%s makes no call in the inventory", ty)
		}
	}
}

// The whole provider's policy is larger than one customer managed policy
// (6,144 characters); ManagedPolicies splits it into documents that fit,
// and together grant exactly what the one document grants.
func TestDeployerPolicy_managedPoliciesFit(t *testing.T) {
	d, err := DeployerPolicy(DeployerInputs{Types: DeployerTypes(), NamePrefix: "ml"}, "aws", "us-east-1", "123456789012")
	if err != nil {
		t.Fatal(err)
	}
	parts := ManagedPolicies(d, ManagedPolicyLimit)
	t.Logf("%d characters in %d managed policies", Size(d), len(parts))
	var joined []Statement
	for _, p := range parts {
		if Size(p) > ManagedPolicyLimit {
			t.Errorf("a part is %d characters, over %d", Size(p), ManagedPolicyLimit)
		}
		joined = append(joined, p.Statement...)
	}
	if same, err := Equivalent(d.JSON(), Document{Version: PolicyVersion, Statement: joined}.JSON()); err != nil || !same {
		t.Errorf("the parts grant other than the policy (%v)", err)
	}
	if small := ManagedPolicies(d, 1500); len(small) < 4 {
		t.Errorf("a 1,500-character limit gives %d parts", len(small))
	}
}

// With a permissions boundary, the role writes IAM can condition on it are
// granted only with it, its removal is never granted (and denied), and the
// boundary policy cannot be rewritten; without one, the roles statement is
// unconditioned as before.
func TestDeployerPolicy_boundary(t *testing.T) {
	const boundary = "arn:aws:iam::123456789012:policy/sagesafe-boundary"
	in := DeployerInputs{Types: []string{TypeExecutionRole, TypeNetwork}, NamePrefix: "churn-", PermissionsBoundaryARN: boundary}
	d, err := DeployerPolicy(in, "aws", "us-east-1", "123456789012")
	if err != nil {
		t.Fatal(err)
	}
	roles := deployerStatement(t, d, SidDeployerRoles)
	if got := roles.Condition["StringEquals"]["iam:PermissionsBoundary"]; !slices.Equal(got, []string{boundary}) {
		t.Errorf("role writes conditioned on %v, want the boundary", got)
	}
	for _, a := range []string{"iam:CreateRole", "iam:PutRolePolicy", "iam:PutRolePermissionsBoundary", "iam:UpdateAssumeRolePolicy"} {
		if !slices.Contains(roles.Action, a) {
			t.Errorf("%s is not granted with the boundary: %v", a, roles.Action)
		}
	}
	for _, s := range d.Statement {
		if s.Effect == EffectAllow && slices.Contains(s.Action, "iam:DeleteRolePermissionsBoundary") {
			t.Errorf("%s grants iam:DeleteRolePermissionsBoundary", s.Sid)
		}
	}
	if s := deployerStatement(t, d, SidDeployerKeepBoundary); s.Effect != EffectDeny {
		t.Errorf("the boundary's removal is not denied: %+v", s)
	}
	if s := deployerStatement(t, d, SidDeployerBoundaryPolicy); s.Effect != EffectDeny || !slices.Equal(s.Resource, []string{boundary}) {
		t.Errorf("the boundary policy's versions are not denied: %+v", s)
	}
	if s := deployerStatement(t, d, SidDeployerRoleTags); !slices.Contains(s.Action, "iam:TagRole") || s.Condition != nil {
		t.Errorf("TagRole (no iam:PermissionsBoundary key) should be unconditioned: %+v", s)
	}

	in.PermissionsBoundaryARN = ""
	d, err = DeployerPolicy(in, "aws", "us-east-1", "123456789012")
	if err != nil {
		t.Fatal(err)
	}
	if s := deployerStatement(t, d, SidDeployerRoles); s.Condition != nil || !slices.Contains(s.Action, "iam:DeleteRolePermissionsBoundary") {
		t.Errorf("without a boundary the roles statement is as before: %+v", s)
	}

	for _, bad := range []string{"arn:aws:iam::123456789012:policy/*", "arn:aws:iam::123456789012:role/x", "arn:aws-us-gov:iam::123456789012:policy/b",
		"arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::123456789012:policy/b ", "arn:aws:iam::210987654321:policy/b"} {
		in.PermissionsBoundaryARN = bad
		if _, err := DeployerPolicy(in, "aws", "us-east-1", "123456789012"); err == nil {
			t.Errorf("boundary %s accepted", bad)
		}
	}
}
