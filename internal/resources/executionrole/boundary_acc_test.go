package executionrole_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
)

// boundaryDocument is an allow-list boundary that caps (acctest.Boundary
// adds the denies): a boundary caps, so it must allow what the role needs,
// which is not iam:PassRole (on every role it would cap nothing).
const boundaryDocument = `{"Effect":"Allow","NotAction":"iam:PassRole","Resource":"*"}`

var boundaryGuardrail = acctest.BoundaryGuardrail

// TestAccExecutionRole_permissionsBoundary: with the provider's
// role_permissions_boundary_arn, a role that sets no boundary is planned and
// created with it (SS-IAM-5 held); a boundary deleted outside Terraform is a
// non-empty plan whose apply puts it back; without the guardrail SS-IAM-5 is
// not checked.
func TestAccExecutionRole_permissionsBoundary(t *testing.T) {
	name := acctest.RandomName("exec")
	boundary := acctest.Boundary(t, boundaryDocument)
	in := roleInputs{roleName: name, purpose: "training", read: []string{"s3://" + acctest.RandomName("data") + "/train/"},
		providerExtra: boundaryGuardrail(boundary)}
	trust, policy := in.documents(t)
	state := func(id string) plancheck.PlanCheck {
		return plancheck.ExpectKnownValue(addr, tfjsonpath.New("control_states").AtMapKey("SS-IAM-5"), knownvalue.StringExact(id))
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckExecutionRoleDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: in.hcl(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("permissions_boundary_arn"), knownvalue.StringExact(boundary)),
					state("held"),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("permissions_boundary_arn"), knownvalue.StringExact(boundary)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("control_states").AtMapKey("SS-IAM-5"), knownvalue.StringExact("held")),
				},
				Check: func(*terraform.State) error {
					return checkLiveRole(t, name, trust, policy, 3600, boundary, map[string]string{"team": "ml"})
				},
			},
			{
				PreConfig: func() {
					if _, err := acctest.AWS(t).IAM.DeleteRolePermissionsBoundary(context.Background(),
						&iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String(name)}); err != nil {
						t.Fatal(err)
					}
				},
				Config: in.hcl(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					expectBefore(addr, "permissions_boundary_arn", nil),
					expectBefore(addr, "controls", []any{"SS-IAM-1", "SS-IAM-2"}), // SS-IAM-5 dropped out
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("permissions_boundary_arn"), knownvalue.StringExact(boundary)),
				}},
				Check: func(*terraform.State) error {
					return checkLiveRole(t, name, trust, policy, 3600, boundary, map[string]string{"team": "ml"})
				},
			},
			{Config: in.hcl(), PlanOnly: true},
			{
				// Without the guardrail there is nothing to check: not held.
				// The boundary the role has is no longer planned, so it comes off.
				Config: func() string { in := in; in.providerExtra = ""; return in.hcl() }(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("permissions_boundary_arn"), knownvalue.Null()),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("control_states").AtMapKey("SS-IAM-5"),
						knownvalue.StringRegexp(regexp.MustCompile(`^not_checked`))),
				},
			},
		},
	})
}

// TestAccExecutionRole_conflictingBoundaryRefused: a role whose own
// permissions_boundary_arn is not the provider's is refused at plan with
// SS-IAM-5, and no role is made.
func TestAccExecutionRole_conflictingBoundaryRefused(t *testing.T) {
	name := acctest.RandomName("exec")
	org := acctest.Boundary(t, boundaryDocument)
	other := acctest.Boundary(t, boundaryDocument)
	in := roleInputs{roleName: name, purpose: "training", read: []string{"s3://" + acctest.RandomName("data") + "/train/"},
		providerExtra: boundaryGuardrail(org), boundary: other}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckExecutionRoleDestroy(t),
		Steps: []resource.TestStep{
			{
				Config:      in.hcl(),
				ExpectError: regexp.MustCompile(`(?s)SS-IAM-5: role ` + name + ` does not carry the organisation's permissions boundary.*permissions boundary is\s+` + regexp.QuoteMeta(other)),
			},
			{
				// The emulator has no role of that name: nothing was created.
				PreConfig: func() {
					if err := acctest.NoRole(t, name); err != nil {
						t.Fatal(err) // the refusal created nothing
					}
				},
				Config: func() string { in := in; in.boundary = org; return in.hcl() }(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("permissions_boundary_arn"), knownvalue.StringExact(org)),
				},
			},
		},
	})
}

// TestAccExecutionRole_boundaryPassRoleAnyRoleRefused: a boundary that lets
// a role under it pass any role (iam:PassRole on "*") caps nothing: the role
// is refused with SS-IAM-5 before it exists. Once the boundary's default
// version limits PassRole to the prefix's roles, the same configuration
// applies and SS-IAM-5 holds: the boundary is read live, not remembered.
func TestAccExecutionRole_boundaryPassRoleAnyRoleRefused(t *testing.T) {
	name := acctest.RandomName("exec")
	c := acctest.AWS(t)
	org := acctest.Policy(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sagemaker:CreateTrainingJob","s3:*","iam:PassRole"],"Resource":"*"}]}`)
	limited := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sagemaker:CreateTrainingJob","s3:*"],"Resource":"*"},` +
		`{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::` + c.AccountID + `:role/` + name + `*"}]}`
	refusedUntilFixed(t, name, org, regexp.MustCompile(`(?s)SS-IAM-5: the permissions boundary `+regexp.QuoteMeta(org)+` caps nothing.*iam:PassRole\s+on\s+any\s+resource`),
		func() error {
			_, err := c.IAM.CreatePolicyVersion(context.Background(), &iam.CreatePolicyVersionInput{
				PolicyArn: aws.String(org), PolicyDocument: aws.String(limited), SetAsDefault: true})
			return err
		})
}

// TestAccExecutionRole_boundaryPassRoleUncappedRoleRefused: a boundary
// whose iam:PassRole names a prefix (so passes AssessBoundary) still caps
// nothing while a role of that prefix exists without it: a role under the
// boundary could pass it to a job and act as it. Refused at plan, naming
// the role, before anything is made; held once that role carries the
// boundary too (SS-IAM-5, red team: "role/ml-*" with an old unbounded
// ml- role).
func TestAccExecutionRole_boundaryPassRoleUncappedRoleRefused(t *testing.T) {
	name := acctest.RandomName("exec")
	c := acctest.AWS(t)
	legacy := acctest.NamedRole(t, name+"-legacy", sageMakerTrust)
	org := acctest.Boundary(t, `{"Effect":"Allow","Action":["sagemaker:CreateTrainingJob","s3:*"],"Resource":"*"}`,
		`{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::`+c.AccountID+`:role/`+name+`*"}`)
	refusedUntilFixed(t, name, org, regexp.MustCompile(`(?s)SS-IAM-5: the permissions boundary `+regexp.QuoteMeta(org)+
		` lets a role under it pass or assume roles it does not cap.*`+regexp.QuoteMeta(legacy)),
		capRole(c.IAM, name+"-legacy", org))
}

// TestAccExecutionRole_boundaryNotebookUncappedRefused: the boundary lets
// a role under it open the notebook instances of the stack's prefix
// (presigned URLs), and one of them, made earlier, runs as a role without
// the boundary: opening it runs code as that role, beyond the boundary.
// Refused at plan naming the notebook instance, nothing created; once its
// role carries the boundary, SS-IAM-5 holds.
func TestAccExecutionRole_boundaryNotebookUncappedRefused(t *testing.T) {
	name := acctest.RandomName("exec")
	c := acctest.AWS(t)
	legacy := acctest.NamedRole(t, name+"-nbrole", sageMakerTrust)
	notebook := notebookInstance(t, name+"-lab", legacy)
	org := acctest.BoundaryAllowing(t, []string{"sagemaker:CreatePresigned*"},
		`{"Effect":"Allow","Action":["sagemaker:CreateTrainingJob","s3:*"],"Resource":"*"}`,
		`{"Effect":"Allow","Action":"sagemaker:CreatePresignedNotebookInstanceUrl","Resource":"arn:aws:sagemaker:`+acctest.Region+`:`+c.AccountID+`:notebook-instance/`+name+`*"}`)
	refusedUntilFixed(t, name, org, regexp.MustCompile(`(?s)SS-IAM-5: the permissions boundary `+regexp.QuoteMeta(org)+
		` lets a role under it open notebook instances whose roles it does not cap.*`+regexp.QuoteMeta(notebook)),
		capRole(c.IAM, name+"-nbrole", org))
}

// TestAccExecutionRole_boundaryUnverifiedRunCodeWarned: the boundary lets
// a role under it change the code of the account's Lambda functions of the
// stack's prefix; sagesafe does not read those functions' roles, so the
// role is made but SS-IAM-5 is warned, not held, naming the action.
func TestAccExecutionRole_boundaryUnverifiedRunCodeWarned(t *testing.T) {
	name := acctest.RandomName("exec")
	c := acctest.AWS(t)
	fn := "arn:aws:lambda:" + acctest.Region + ":" + c.AccountID + ":function:" + name + "*"
	org := acctest.BoundaryAllowing(t, []string{"lambda:Update*"},
		`{"Effect":"Allow","Action":["sagemaker:CreateTrainingJob","s3:*"],"Resource":"*"}`,
		`{"Effect":"Allow","Action":"lambda:UpdateFunctionCode","Resource":"`+fn+`"}`)
	in := roleInputs{roleName: name, purpose: "training", read: []string{"s3://" + acctest.RandomName("data") + "/train/"},
		providerExtra: boundaryGuardrail(org)}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckExecutionRoleDestroy(t),
		Steps: []resource.TestStep{{
			Config: in.hcl(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("control_states").AtMapKey("SS-IAM-5"), knownvalue.StringExact("warned")),
			},
			Check: func(*terraform.State) error { return acctest.CheckRoleBoundary(c.IAM, name, org)(nil) },
		}},
	})
}

// sageMakerTrust lets SageMaker assume a role (the tests' older roles).
const sageMakerTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// capRole returns a fix that gives the role the permissions boundary org.
func capRole(c *iam.Client, role, org string) func() error {
	return func() error {
		_, err := c.PutRolePermissionsBoundary(context.Background(), &iam.PutRolePermissionsBoundaryInput{
			RoleName: aws.String(role), PermissionsBoundary: aws.String(org)})
		return err
	}
}

// notebookInstance makes a SageMaker notebook instance running as role and
// returns its ARN; it is stopped and deleted when the test ends.
func notebookInstance(t *testing.T, name, role string) string {
	t.Helper()
	sm := acctest.AWS(t).SageMaker
	out, err := sm.CreateNotebookInstance(context.Background(), &sagemaker.CreateNotebookInstanceInput{
		NotebookInstanceName: aws.String(name), InstanceType: smtypes.InstanceTypeMlT3Medium, RoleArn: aws.String(role)})
	if err != nil {
		t.Fatalf("creating notebook instance %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		if _, err := sm.StopNotebookInstance(ctx, &sagemaker.StopNotebookInstanceInput{NotebookInstanceName: aws.String(name)}); err != nil {
			t.Errorf("stopping notebook instance %s: %v", name, err)
		}
		if _, err := sm.DeleteNotebookInstance(ctx, &sagemaker.DeleteNotebookInstanceInput{NotebookInstanceName: aws.String(name)}); err != nil {
			t.Errorf("deleting notebook instance %s: %v", name, err)
		}
	})
	return aws.ToString(out.NotebookInstanceArn)
}

// refusedUntilFixed runs what the boundary tests share: a training execution
// role named name under the guardrails' boundary org is refused with want
// before anything exists; after fix (which mends the boundary or what it
// reaches), the same configuration applies and SS-IAM-5 holds.
func refusedUntilFixed(t *testing.T, name, org string, want *regexp.Regexp, fix func() error) {
	t.Helper()
	in := roleInputs{roleName: name, purpose: "training", read: []string{"s3://" + acctest.RandomName("data") + "/train/"},
		providerExtra: boundaryGuardrail(org)}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckExecutionRoleDestroy(t),
		Steps: []resource.TestStep{
			{Config: in.hcl(), ExpectError: want},
			{
				PreConfig: func() {
					if err := acctest.NoRole(t, name); err != nil {
						t.Fatal(err) // the refusal created nothing
					}
					if err := fix(); err != nil {
						t.Fatal(err)
					}
				},
				Config: in.hcl(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("control_states").AtMapKey("SS-IAM-5"), knownvalue.StringExact("held")),
				},
			},
		},
	})
}

// TestAccExecutionRole_boundaryWidenedAfterPlan: the boundary policy gets a
// default version that caps nothing after the plan was saved (the plan
// check runs between plan and apply): the apply refuses, and no role is
// made. A red team suspected a window there because Create does not run the
// guardrails; it needs not: applying a saved plan, Terraform plans each
// resource again (PlanResourceChange, so ModifyPlan and its guardrails) in
// the apply's own provider process, on facts read afresh.
func TestAccExecutionRole_boundaryWidenedAfterPlan(t *testing.T) {
	name := acctest.RandomName("exec")
	c := acctest.AWS(t)
	org := acctest.Boundary(t, boundaryDocument)
	in := roleInputs{roleName: name, purpose: "training", read: []string{"s3://" + acctest.RandomName("data") + "/train/"},
		providerExtra: boundaryGuardrail(org)}
	widen := widenBoundary{iam: c.IAM, arn: org, doc: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckExecutionRoleDestroy(t),
		Steps: []resource.TestStep{
			{
				Config:           in.hcl(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{widen}},
				ExpectError:      regexp.MustCompile(`SS-IAM-5: the permissions boundary ` + regexp.QuoteMeta(org) + ` caps nothing`),
			},
			{
				PreConfig: func() {
					if err := acctest.NoRole(t, name); err != nil {
						t.Fatal(err) // the refusal created nothing
					}
				},
				Config:      in.hcl(),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`SS-IAM-5: the permissions boundary ` + regexp.QuoteMeta(org) + ` caps nothing`),
			},
		},
	})
}

// widenBoundary is a plan check that, once the plan is made and before it
// is applied, gives the boundary policy a default version that caps
// nothing.
type widenBoundary struct {
	iam      *iam.Client
	arn, doc string
}

func (w widenBoundary) CheckPlan(ctx context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	if _, err := w.iam.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{
		PolicyArn: aws.String(w.arn), PolicyDocument: aws.String(w.doc), SetAsDefault: true}); err != nil {
		resp.Error = err
	}
}
