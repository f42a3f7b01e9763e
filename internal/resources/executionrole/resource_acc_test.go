package executionrole_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
)

const (
	addr          = "sagesafe_execution_role.test"
	fullAccessARN = "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"
	policyName    = "sagesafe-execution"
)

var allControls = knownvalue.ListExact([]knownvalue.Check{
	knownvalue.StringExact("SS-IAM-1"), knownvalue.StringExact("SS-IAM-2"),
})

// roleInputs are a role's inputs, rendered both into HCL and into the
// iampolicy spec the expected documents are built from.
type roleInputs struct {
	purpose               string
	read, write           []string
	keys, repos           []string
	subnets, groups       []string
	maxSession            int
	boundary              string
	namePrefix, roleName  string
	extraTags             string
	kmsKeyExpr            string // an HCL expression for kms_key_arns (overrides keys)
	extraConfigBeforeRole string
	providerExtra         string // inside the provider block
}

func (in roleInputs) hcl() string {
	var b strings.Builder
	b.WriteString(acctest.ProviderConfig(in.providerExtra))
	b.WriteString(in.extraConfigBeforeRole)
	b.WriteString("\nresource \"sagesafe_execution_role\" \"test\" {\n")
	if in.roleName != "" {
		fmt.Fprintf(&b, "  name = %q\n", in.roleName)
	}
	if in.namePrefix != "" {
		fmt.Fprintf(&b, "  name_prefix = %q\n", in.namePrefix)
	}
	fmt.Fprintf(&b, "  purpose = %q\n", in.purpose)
	list := func(name string, values []string) {
		if values != nil {
			q := make([]string, len(values))
			for i, v := range values {
				q[i] = fmt.Sprintf("%q", v)
			}
			fmt.Fprintf(&b, "  %s = [%s]\n", name, strings.Join(q, ", "))
		}
	}
	list("s3_read_uris", in.read)
	list("s3_write_uris", in.write)
	if in.kmsKeyExpr != "" {
		fmt.Fprintf(&b, "  kms_key_arns = %s\n", in.kmsKeyExpr)
	} else {
		list("kms_key_arns", in.keys)
	}
	list("ecr_repository_arns", in.repos)
	list("vpc_subnet_ids", in.subnets)
	list("vpc_security_group_ids", in.groups)
	if in.maxSession != 0 {
		fmt.Fprintf(&b, "  max_session_duration = %d\n", in.maxSession)
	}
	if in.boundary != "" {
		fmt.Fprintf(&b, "  permissions_boundary_arn = %q\n", in.boundary)
	}
	fmt.Fprintf(&b, "  tags = {\n    team = \"ml\"\n%s  }\n}\n", in.extraTags)
	return b.String()
}

// documents builds the expected trust and permission policies with the
// library, independently of the resource.
func (in roleInputs) documents(t *testing.T) (trust, policy string) {
	t.Helper()
	spec := iampolicy.RoleSpec{
		Partition: "aws", Region: acctest.Region, AccountID: acctest.AWS(t).AccountID,
		Purpose: iampolicy.Purpose(in.purpose), S3ReadURIs: in.read, S3WriteURIs: in.write,
		KMSKeyARNs: in.keys, ECRRepositoryARNs: in.repos, SubnetIDs: in.subnets, SecurityGroupIDs: in.groups,
	}
	tr, err := iampolicy.TrustPolicy(spec)
	if err != nil {
		t.Fatal(err)
	}
	p, err := iampolicy.ExecutionPolicy(spec)
	if err != nil {
		t.Fatal(err)
	}
	return tr.JSON(), p.JSON()
}

// trainingInputs uses fixture subnets, security groups and a key; the
// repository need not exist (IAM names it, nothing reads it).
func trainingInputs(t *testing.T, name string) roleInputs {
	c := acctest.AWS(t)
	vpc := acctest.VPC(t, "10.60.0.0/16")
	return roleInputs{
		roleName: name,
		purpose:  "training",
		read:     []string{"s3://" + acctest.RandomName("data") + "/train/"},
		write:    []string{"s3://" + acctest.RandomName("artifacts") + "/models/"},
		keys:     []string{acctest.Key(t, true)},
		repos:    []string{fmt.Sprintf("arn:aws:ecr:%s:%s:repository/team/trainer", acctest.Region, c.AccountID)},
		subnets: []string{
			acctest.Subnet(t, vpc, acctest.SubnetOpts{CIDR: "10.60.1.0/24"}),
			acctest.Subnet(t, vpc, acctest.SubnetOpts{CIDR: "10.60.2.0/24", AZ: acctest.Region + "b"}),
		},
		groups:     []string{acctest.SecurityGroup(t, vpc, false)},
		maxSession: 7200,
	}
}

func TestAccExecutionRole_training(t *testing.T) {
	name := acctest.RandomName("exec")
	in := trainingInputs(t, name)
	trust, policy := in.documents(t)
	c := acctest.AWS(t)
	roleARN := fmt.Sprintf("arn:aws:iam::%s:role/%s", c.AccountID, name)

	up := in
	up.write = append([]string{"s3://" + acctest.RandomName("ckpt")}, in.write...) // a whole bucket
	up.repos = nil
	up.maxSession = 3600
	up.boundary = "arn:aws:iam::aws:policy/AmazonSageMakerReadOnly"
	up.extraTags = "    stage = \"prod\"\n"
	_, upPolicy := up.documents(t)

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckExecutionRoleDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: in.hcl(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
					// Reviewers see the exact documents in the plan; the ARN is
					// unknown until the role exists, so that resources using it
					// check it at apply rather than refusing a role not yet made.
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("arn")),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("trust_policy_json"), knownvalue.StringExact(trust)),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("policy_json"), knownvalue.StringExact(policy)),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), allControls),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("arn"), knownvalue.StringExact(roleARN)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("trust_policy_json"), knownvalue.StringExact(trust)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("policy_json"), knownvalue.StringExact(policy)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), allControls),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("attached_policy_arns"), knownvalue.SetExact([]knownvalue.Check{})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("inline_policy_names"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(policyName)})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("max_session_duration"), knownvalue.Int64Exact(7200)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("tags_all"), knownvalue.MapExact(map[string]knownvalue.Check{"team": knownvalue.StringExact("ml")})),
				},
				Check: func(*terraform.State) error {
					return checkLiveRole(t, name, trust, policy, 7200, "", map[string]string{"team": "ml"})
				},
			},
			{
				Config: up.hcl(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("policy_json"), knownvalue.StringExact(upPolicy)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("policy_json"), knownvalue.StringExact(upPolicy)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("permissions_boundary_arn"), knownvalue.StringExact(up.boundary)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), allControls),
				},
				Check: func(*terraform.State) error {
					return checkLiveRole(t, name, trust, upPolicy, 3600, up.boundary, map[string]string{"team": "ml", "stage": "prod"})
				},
			},
			{
				// A new name replaces the role; the new ARN is known after apply.
				Config: func() string { u := up; u.roleName = name + "-2"; return u.hcl() }(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("arn")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("arn"), knownvalue.StringExact(roleARN+"-2")),
				},
			},
			{
				Config: up.hcl(),
			},
			{
				// Dropping the boundary removes it.
				Config: func() string { u := up; u.boundary = ""; return u.hcl() }(),
				Check: func(*terraform.State) error {
					return checkLiveRole(t, name, trust, upPolicy, 3600, "", map[string]string{"team": "ml", "stage": "prod"})
				},
			},
		},
	})
}

func TestAccExecutionRole_inference(t *testing.T) {
	c := acctest.AWS(t)
	in := roleInputs{
		namePrefix: "tfacc-inf-",
		purpose:    "inference",
		read:       []string{"s3://" + acctest.RandomName("models") + "/churn/"},
		keys:       []string{acctest.Key(t, true)},
	}
	trust, policy := in.documents(t)
	both := in
	both.purpose = "training_and_inference"
	bothTrust, bothPolicy := both.documents(t)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckExecutionRoleDestroy(t),
		Steps: []resource.TestStep{
			{
				Config: in.hcl(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("arn")), // the name is generated at apply
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringRegexp(regexp.MustCompile(`^tfacc-inf-[0-9a-f]{26}$`))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("trust_policy_json"), knownvalue.StringExact(trust)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("policy_json"), knownvalue.StringExact(policy)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), allControls),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					// Hosting needs the broad, unnarrowed aws:SourceArn and DescribeAlarms.
					resource.TestCheckResourceAttr(addr, "trust_policy_json", trust),
					resource.TestMatchResourceAttr(addr, "trust_policy_json", regexp.MustCompile(
						fmt.Sprintf(`"aws:SourceArn":"arn:aws:sagemaker:us-east-1:%s:\*"`, c.AccountID))),
					resource.TestMatchResourceAttr(addr, "policy_json", regexp.MustCompile(`"Sid":"CloudWatchDescribeAlarms"`)),
					resource.TestMatchResourceAttr(addr, "policy_json", regexp.MustCompile(`log-group:/aws/sagemaker/Endpoints/\*`)),
					func(s *terraform.State) error {
						name := s.RootModule().Resources[addr].Primary.ID
						return checkLiveRole(t, name, trust, policy, 3600, "", map[string]string{"team": "ml"})
					},
				),
			},
			{
				Config: both.hcl(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("trust_policy_json"), knownvalue.StringExact(bothTrust)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("policy_json"), knownvalue.StringExact(bothPolicy)),
				},
			},
			{
				// A new prefix means a new role with a new generated name.
				Config: func() string { b := both; b.namePrefix = "tfacc-both-"; return b.hcl() }(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("name")),
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New("arn")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringRegexp(regexp.MustCompile(`^tfacc-both-[0-9a-f]{26}$`))),
				},
			},
		},
	})
}

func TestAccExecutionRole_driftManagedPolicyAttached(t *testing.T) {
	name := acctest.RandomName("exec")
	in := roleInputs{roleName: name, purpose: "training", read: []string{"s3://" + acctest.RandomName("data") + "/train/"}}
	trust, policy := in.documents(t)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckExecutionRoleDestroy(t),
		Steps: []resource.TestStep{
			{Config: in.hcl()},
			{
				PreConfig: func() {
					if _, err := acctest.AWS(t).IAM.AttachRolePolicy(context.Background(), &iam.AttachRolePolicyInput{
						RoleName: aws.String(name), PolicyArn: aws.String(fullAccessARN),
					}); err != nil {
						t.Fatal(err)
					}
				},
				Config: in.hcl(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					expectBefore(addr, "attached_policy_arns", []any{fullAccessARN}),
					expectBefore(addr, "controls", []any{"SS-IAM-1"}),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("attached_policy_arns"), knownvalue.SetExact([]knownvalue.Check{})),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("attached_policy_arns"), knownvalue.SetExact([]knownvalue.Check{})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), allControls),
				},
				Check: func(*terraform.State) error {
					return checkLiveRole(t, name, trust, policy, 3600, "", map[string]string{"team": "ml"})
				},
			},
		},
	})
}

func TestAccExecutionRole_driftInlineEdited(t *testing.T) {
	name := acctest.RandomName("exec")
	in := roleInputs{roleName: name, purpose: "training", write: []string{"s3://" + acctest.RandomName("data") + "/out/"}}
	trust, policy := in.documents(t)
	const broad = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckExecutionRoleDestroy(t),
		Steps: []resource.TestStep{
			{Config: in.hcl()},
			{
				// The generated policy is widened, another inline policy is
				// added and the trust loses its confused-deputy conditions.
				PreConfig: func() {
					ic, ctx := acctest.AWS(t).IAM, context.Background()
					for pn, doc := range map[string]string{policyName: broad, "hand-made": broad} {
						if _, err := ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(pn), PolicyDocument: aws.String(doc)}); err != nil {
							t.Fatal(err)
						}
					}
					if _, err := ic.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(name),
						PolicyDocument: aws.String(acctest.SageMakerTrust(acctest.AWS(t).AccountID, false))}); err != nil {
						t.Fatal(err)
					}
				},
				Config: in.hcl(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					expectBefore(addr, "inline_policy_names", []any{"hand-made", policyName}),
					expectBeforeMatches(addr, "policy_json", regexp.MustCompile(`"Action":"s3:\*"`)),
					expectBeforeMatches(addr, "trust_policy_json", regexp.MustCompile(`^[^C]*$`)), // no Condition left
					expectBefore(addr, "controls", []any{}),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("policy_json"), knownvalue.StringExact(policy)),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("trust_policy_json"), knownvalue.StringExact(trust)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("inline_policy_names"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(policyName)})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), allControls),
				},
				Check: func(*terraform.State) error {
					return checkLiveRole(t, name, trust, policy, 3600, "", map[string]string{"team": "ml"})
				},
			},
			{
				// The generated policy deleted outside Terraform is put back.
				PreConfig: func() {
					if _, err := acctest.AWS(t).IAM.DeleteRolePolicy(context.Background(), &iam.DeleteRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(policyName)}); err != nil {
						t.Fatal(err)
					}
				},
				Config: in.hcl(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					expectBefore(addr, "policy_json", ""),
					expectBefore(addr, "inline_policy_names", []any{}),
				}},
				Check: func(*terraform.State) error {
					return checkLiveRole(t, name, trust, policy, 3600, "", map[string]string{"team": "ml"})
				},
			},
		},
	})
}

func TestAccExecutionRole_import(t *testing.T) {
	name := acctest.RandomName("exec")
	in := trainingInputs(t, name)
	in.read = append(in.read, "s3://"+acctest.RandomName("ref")) // a whole bucket
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckExecutionRoleDestroy(t),
		Steps: []resource.TestStep{
			{Config: in.hcl()},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				ResourceName: addr,
				ImportState:  true,
				ImportStateIdFunc: func(s *terraform.State) (string, error) {
					return s.RootModule().Resources[addr].Primary.Attributes["arn"], nil
				},
				ImportStateVerify: true,
			},
			{
				ResourceName:  addr,
				ImportState:   true,
				ImportStateId: "not a role name",
				ExpectError:   regexp.MustCompile(`not an IAM role name`),
			},
		},
	})
}

func TestAccExecutionRole_refusals(t *testing.T) {
	name := acctest.RandomName("exec")
	ok := roleInputs{roleName: name, purpose: "training", read: []string{"s3://" + acctest.RandomName("data") + "/train/"}}
	with := func(f func(*roleInputs)) string { in := ok; f(&in); return in.hcl() }
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckExecutionRoleDestroy(t),
		Steps: []resource.TestStep{
			{
				Config:      with(func(in *roleInputs) { in.read = []string{"s3://my-data/train/*"} }),
				ExpectError: regexp.MustCompile(`SS-IAM-2: wildcards`),
			},
			{
				Config:      with(func(in *roleInputs) { in.write = []string{"https://my-data.s3.amazonaws.com/out/"} }),
				ExpectError: regexp.MustCompile(`SS-TLS-2: use an s3://bucket/prefix URI`),
			},
			{
				Config:      with(func(in *roleInputs) { in.purpose = "batch" }),
				ExpectError: regexp.MustCompile(`(?s)purpose.*must be one of:.*"training".*"inference".*"training_and_inference"`),
			},
			{
				// A wildcard is refused at plan even while another input is
				// known only after apply.
				Config: with(func(in *roleInputs) {
					in.extraConfigBeforeRole = `
resource "sagesafe_kms_key" "test" {
  deletion_window_days = 7
}
`
					in.kmsKeyExpr = "[sagesafe_kms_key.test.arn]"
					in.read = []string{"s3://my-data/*/train/"}
				}),
				ExpectError: regexp.MustCompile(`SS-IAM-2: wildcards`),
			},
			{
				Config:      with(func(in *roleInputs) { in.subnets = []string{"subnet-0123456789abcdef0"} }),
				ExpectError: regexp.MustCompile(`give both subnet IDs and security group IDs`),
			},
			{
				// The provider's required_tags guardrail applies to roles (SS-GOV-1).
				Config:      with(func(in *roleInputs) { in.providerExtra = "guardrails {\n  required_tags = [\"cost-center\"]\n}\n" }),
				ExpectError: regexp.MustCompile(`SS-GOV-1: execution role .* lacks required tags cost-center`),
			},
			{Config: ok.hcl()},
			{
				// Refused on update too; the role is left as it was.
				Config:      with(func(in *roleInputs) { in.read = []string{"s3://*"} }),
				ExpectError: regexp.MustCompile(`SS-IAM-2: wildcards`),
			},
			{Config: ok.hcl(), PlanOnly: true},
		},
	})
}

// TestAccExecutionRole_preflightCompliant creates a key whose user is the
// role, and asks sagesafe_preflight about both: no findings.
func TestAccExecutionRole_preflightCompliant(t *testing.T) {
	name := acctest.RandomName("exec")
	cfg := acctest.ProviderConfig("") + fmt.Sprintf(`
resource "sagesafe_execution_role" "test" {
  name          = %[1]q
  purpose       = "training_and_inference"
  s3_read_uris  = ["s3://%[2]s/train/"]
  s3_write_uris = ["s3://%[2]s/models/"]
}

resource "sagesafe_kms_key" "test" {
  alias                = "alias/%[1]s"
  deletion_window_days = 7
  users                = [sagesafe_execution_role.test.arn]
}

data "sagesafe_preflight" "test" {
  kms_key_arn = sagesafe_kms_key.test.arn
  role_arn    = sagesafe_execution_role.test.arn
  enforce     = true
}
`, name, acctest.RandomName("data"))
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckExecutionRoleDestroy(t),
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				// The key policy names the role once it exists.
				statecheck.ExpectKnownValue("sagesafe_kms_key.test", tfjsonpath.New("policy_json"),
					knownvalue.StringRegexp(regexp.MustCompile(regexp.QuoteMeta(`:role/`+name+`"`)))),
				statecheck.ExpectKnownValue("data.sagesafe_preflight.test", tfjsonpath.New("compliant"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue("data.sagesafe_preflight.test", tfjsonpath.New("findings"), knownvalue.ListExact([]knownvalue.Check{})),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), allControls),
				statecheck.ExpectKnownValue("sagesafe_kms_key.test", tfjsonpath.New("controls"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact("SS-KMS-1"), knownvalue.StringExact("SS-KMS-2"),
				})),
			},
		}},
	})
}

// checkLiveRole asks the emulator directly for the role's documents,
// policies, session duration, boundary and tags.
func checkLiveRole(t *testing.T, name, trust, policy string, maxSession int32, boundary string, tags map[string]string) error {
	ctx := context.Background()
	ic := acctest.AWS(t).IAM
	got, err := ic.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		return err
	}
	if same, err := iampolicy.Equivalent(aws.ToString(got.Role.AssumeRolePolicyDocument), trust); err != nil || !same {
		return fmt.Errorf("role %s: live trust %s, want %s (%v)", name, aws.ToString(got.Role.AssumeRolePolicyDocument), trust, err)
	}
	if aws.ToInt32(got.Role.MaxSessionDuration) != maxSession {
		return fmt.Errorf("role %s: max session %d, want %d", name, aws.ToInt32(got.Role.MaxSessionDuration), maxSession)
	}
	liveBoundary := ""
	if got.Role.PermissionsBoundary != nil {
		liveBoundary = aws.ToString(got.Role.PermissionsBoundary.PermissionsBoundaryArn)
	}
	if liveBoundary != boundary {
		return fmt.Errorf("role %s: boundary %q, want %q", name, liveBoundary, boundary)
	}
	names, err := ic.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil {
		return err
	}
	if !reflect.DeepEqual(names.PolicyNames, []string{policyName}) {
		return fmt.Errorf("role %s: inline policies %v, want only %s", name, names.PolicyNames, policyName)
	}
	doc, err := ic.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(policyName)})
	if err != nil {
		return err
	}
	if same, err := iampolicy.Equivalent(aws.ToString(doc.PolicyDocument), policy); err != nil || !same {
		return fmt.Errorf("role %s: live policy %s, want %s (%v)", name, aws.ToString(doc.PolicyDocument), policy, err)
	}
	attached, err := ic.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil {
		return err
	}
	if len(attached.AttachedPolicies) != 0 {
		return fmt.Errorf("role %s: managed policies attached: %v", name, aws.ToString(attached.AttachedPolicies[0].PolicyArn))
	}
	lt, err := ic.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String(name)})
	if err != nil {
		return err
	}
	have := map[string]string{}
	for _, tg := range lt.Tags {
		have[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	// The creation token the resource writes with CreateRole: there, and
	// not part of the configured tags.
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(have[idem.TokenTag]) {
		return fmt.Errorf("role %s: creation token tag %s is %q", name, idem.TokenTag, have[idem.TokenTag])
	}
	delete(have, idem.TokenTag)
	if !reflect.DeepEqual(have, tags) {
		return fmt.Errorf("role %s: tags %v, want %v", name, have, tags)
	}
	return nil
}

// testAccCheckExecutionRoleDestroy asks the emulator that every role the
// test created is gone.
func testAccCheckExecutionRoleDestroy(t *testing.T) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "sagesafe_execution_role" {
				continue
			}
			_, err := acctest.AWS(t).IAM.GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String(rs.Primary.ID)})
			var nse *iamtypes.NoSuchEntityException
			if !errors.As(err, &nse) {
				return fmt.Errorf("role %s still exists after destroy (err %v)", rs.Primary.ID, err)
			}
		}
		return nil
	}
}

// expectBefore checks an attribute of the refreshed state the plan starts
// from (the plan's "before"), which is where drift shows. Lists and sets are
// compared sorted.
func expectBefore(address, attribute string, want any) plancheck.PlanCheck {
	return beforeCheck{address: address, attribute: attribute, want: fmt.Sprint(want), match: func(got any) bool {
		return reflect.DeepEqual(sorted(got), sorted(want))
	}}
}

func expectBeforeMatches(address, attribute string, re *regexp.Regexp) plancheck.PlanCheck {
	return beforeCheck{address: address, attribute: attribute, want: "a match for " + re.String(), match: func(got any) bool {
		s, ok := got.(string)
		return ok && re.MatchString(s)
	}}
}

func sorted(v any) any {
	l, ok := v.([]any)
	if !ok {
		return v
	}
	out := append([]any{}, l...)
	sort.Slice(out, func(i, j int) bool { return fmt.Sprint(out[i]) < fmt.Sprint(out[j]) })
	return out
}

type beforeCheck struct {
	address, attribute, want string
	match                    func(any) bool
}

func (c beforeCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != c.address {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		if got := before[c.attribute]; !c.match(got) {
			b, _ := json.Marshal(got)
			resp.Error = fmt.Errorf("%s: before-plan %s is %s, want %s", c.address, c.attribute, b, c.want)
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in the plan", c.address)
}
