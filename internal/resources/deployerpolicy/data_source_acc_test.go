package deployerpolicy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/fixtures"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
)

// stackTypes are the types of the stack applied as the deployer.
var stackTypes = []string{iampolicy.TypeKMSKey, iampolicy.TypeNetwork, iampolicy.TypeExecutionRole, iampolicy.TypeTrainingJob}

// TestAccDeployerPolicy_trainingStack reads the deployer policy of a key, a
// network, an execution role and a training job, then plans, applies,
// refreshes and destroys that stack as an IAM user holding only that
// policy, on an emulator that enforces IAM (moto's INITIAL_NO_AUTH_ACTION_COUNT,
// switched on through its /moto-api/reset-auth). Any call the policy does
// not allow is denied and fails the apply; every call the run makes must
// be one the inventory lists for these types.
//
// What the emulator cannot judge: moto treats the resource of every
// request but IAM's and S3's as "*" and denies any statement with a
// condition it cannot evaluate, and it names some operations by their API
// names rather than their IAM actions (CloudWatch as "monitoring:", S3's
// bucket reads after its own table). So the user holds the policy in the
// emulator's vocabulary (emulatorPolicy): the same calls, resources "*",
// conditions dropped (moto never checks iam:PassRole; the token-tag
// conditions of keys and VPC objects it cannot judge). Name scoping and iam:PassedToService are judged by an IAM
// policy simulator (TestDeployerPolicy_judged); that the policy grants no
// action the provider never calls, by TestDeployerInventoryIsTheProvidersCalls.
func TestAccDeployerPolicy_trainingStack(t *testing.T) {
	d := newDeployerRun(t, stackTypes, "dp")
	resource.Test(t, d.testCase(resource.TestStep{
		Config: d.e.ProviderConfig("") + stackConfig(d.name, d.bucket),
		Check: resource.ComposeAggregateTestCheckFunc(
			resource.TestCheckResourceAttrSet("sagesafe_training_job.test", "arn"),
			resource.TestCheckResourceAttr("sagesafe_kms_key.test", "alias", "alias/"+d.name),
		),
	}))
}

// deployerRun is one stack applied as the deployer: a private emulator (IAM
// enforcement is global to it) with a data bucket, and the stack's types.
type deployerRun struct {
	t            *testing.T
	e            *acctest.PrivateEmulator
	types        []string
	name, bucket string
	policy       string // the data source's policy_json, read as the emulator's own identity
}

func newDeployerRun(t *testing.T, types []string, prefix string, more ...func(context.Context, *fixtures.Builder) error) *deployerRun {
	t.Helper()
	e := acctest.StartPrivateEmulator(t)
	b := e.Fixtures(t)
	ctx := context.Background()
	for _, f := range more {
		if err := f(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	key, err := b.Key(ctx, "deployer policy: data bucket", true)
	if err != nil {
		t.Fatal(err)
	}
	bucket, err := b.DataBucket(ctx, acctest.RandomName("data"), key)
	if err != nil {
		t.Fatal(err)
	}
	// Registered after the fixtures, so it runs before their teardown:
	// the fixtures are removed with the emulator's own credentials.
	t.Cleanup(func() { setEnforcement(t, e.URL, false) })
	return &deployerRun{t: t, e: e, types: types, name: acctest.RandomName(prefix), bucket: bucket}
}

// testCase reads the policy, then applies the stack step as a user holding
// only that policy, with enforcement on; the destroy runs as that user too.
func (d *deployerRun) testCase(stack resource.TestStep) resource.TestCase {
	t, ctx := d.t, context.Background()
	stack.PreConfig = func() {
		actAsDeployer(ctx, t, d.e.AWS.IAM, d.policy, d.types)
		if err := d.e.Emulator().ResetCalls(ctx); err != nil {
			t.Fatal(err)
		}
		setEnforcement(t, d.e.URL, true)
	}
	return resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy: func(*terraform.State) error {
			// The last check made as the deployer: then the emulator's own
			// credentials work again for the fixtures' teardown.
			defer setEnforcement(t, d.e.URL, false)
			return checkCallsListed(ctx, t, d.e.Emulator(), d.types)
		},
		Steps: []resource.TestStep{
			{
				Config: d.e.ProviderConfig("") + policyConfig(d.name, d.types),
				Check: func(s *terraform.State) error {
					d.policy = s.RootModule().Resources["data.sagesafe_deployer_policy.test"].Primary.Attributes["policy_json"]
					return nil
				},
			},
			stack,
		},
	}
}

func policyConfig(name string, types []string) string {
	return fmt.Sprintf(`
data "sagesafe_deployer_policy" "test" {
  resource_types = [%[2]s]
  name_prefix    = %[1]q
}
`, name, `"`+strings.Join(types, `", "`)+`"`)
}

func stackConfig(name, bucket string) string {
	return fmt.Sprintf(`
resource "sagesafe_kms_key" "test" {
  alias                    = "alias/%[1]s"
  description              = "deployer policy test"
  allow_flow_logs_delivery = true
}

resource "sagesafe_network" "test" {
  name        = %[1]q
  cidr_block  = "10.40.0.0/16"
  kms_key_arn = sagesafe_kms_key.test.arn
}

resource "sagesafe_execution_role" "test" {
  name                   = "%[1]s-training"
  purpose                = "training"
  s3_read_uris           = ["s3://%[2]s/training/"]
  s3_write_uris          = ["s3://%[2]s/models/"]
  kms_key_arns           = [sagesafe_kms_key.test.arn]
  vpc_subnet_ids         = sagesafe_network.test.subnet_ids
  vpc_security_group_ids = [sagesafe_network.test.workload_security_group_id]
}

resource "sagesafe_training_job" "test" {
  name_prefix         = "%[1]s-"
  role_arn            = sagesafe_execution_role.test.arn
  image               = "123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost-train@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945"
  instance_type       = "ml.m5.xlarge"
  kms_key_arn         = sagesafe_kms_key.test.arn
  max_runtime_seconds = 3600
  input_channels = [{
    name   = "train"
    s3_uri = "s3://%[2]s/training/"
  }]
  output_s3_uri = "s3://%[2]s/models/"
  vpc = {
    subnet_ids         = sagesafe_network.test.subnet_ids
    security_group_ids = [sagesafe_network.test.workload_security_group_id]
  }
}
`, name, bucket)
}

// actAsDeployer makes an IAM user holding the policy (in the emulator's
// vocabulary) and points the provider's credentials at its access key.
func actAsDeployer(ctx context.Context, t *testing.T, c *iam.Client, policy string, types []string) {
	t.Helper()
	if policy == "" {
		t.Fatal("the data source gave no policy_json")
	}
	user := acctest.RandomName("deployer")
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(user)}); err != nil {
		t.Fatal(err)
	}
	doc := emulatorPolicy(t, policy, types)
	if _, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(user), PolicyName: aws.String("deployer"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	k, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(user)})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", aws.ToString(k.AccessKey.AccessKeyId))
	t.Setenv("AWS_SECRET_ACCESS_KEY", aws.ToString(k.AccessKey.SecretAccessKey))
}

// emulatorPolicy is the policy in the emulator's vocabulary: for every
// inventory call of the stack's types whose IAM actions the policy grants,
// the name moto checks it under; resources "*"; conditions dropped (moto
// denies a statement with a condition it cannot evaluate: the tag-scoped
// writes of keys and VPC objects, iam:PassRole, are judged by the IAM
// policy simulator instead); Deny statements left out. A call the
// inventory lacks for these types gets no name and is denied.
func emulatorPolicy(t *testing.T, policy string, types []string) string {
	t.Helper()
	d, err := iampolicy.Parse(policy)
	if err != nil {
		t.Fatal(err)
	}
	granted := map[string]bool{}
	for _, s := range d.Statement {
		if s.Effect != iampolicy.EffectAllow {
			continue
		}
		for _, a := range s.Action {
			granted[a] = true
		}
	}
	var actions []string
	for _, c := range iampolicy.DeployerCalls() {
		if !slices.ContainsFunc(c.Types, func(ty string) bool { return slices.Contains(types, ty) }) {
			continue
		}
		iamActions := iampolicy.IAMActions(c.Call)
		if !slices.ContainsFunc(iamActions, func(a string) bool { return granted[a] }) {
			continue
		}
		actions = append(actions, emulatorNames(c.Call)...)
	}
	doc := iampolicy.Document{Version: iampolicy.PolicyVersion, Statement: []iampolicy.Statement{
		{Effect: iampolicy.EffectAllow, Action: actions, Resource: []string{"*"}},
	}}
	return doc.JSON()
}

// emulatorNames are the action names moto 5.2.1 checks a call under: the
// request's signing name and operation ("monitoring:" for CloudWatch), and
// for S3 the name its own request table gives (motoS3).
func emulatorNames(call string) []string {
	service, op, _ := strings.Cut(call, ":")
	switch service {
	case "cloudwatch":
		return []string{"monitoring:" + op}
	case "s3":
		if name, ok := motoS3[call]; ok {
			return []string{name}
		}
		return append([]string{call}, iampolicy.IAMActions(call)...)
	}
	return []string{call}
}

// motoS3 are the S3 bucket reads moto's request table does not know: it
// checks them as s3:ListBucket, the bucket GET it falls back to.
var motoS3 = map[string]string{
	"s3:GetBucketEncryption":        "s3:ListBucket",
	"s3:GetBucketOwnershipControls": "s3:ListBucket",
}

// checkCallsListed fails when the run made a call the inventory does not
// list under the stack's types.
func checkCallsListed(ctx context.Context, t *testing.T, emu interface {
	Calls(context.Context) (map[string]int, error)
}, types []string) error {
	calls, err := emu.Calls(ctx)
	if err != nil {
		return err
	}
	listed := map[string]bool{}
	for _, c := range iampolicy.DeployerCalls() {
		if slices.ContainsFunc(c.Types, func(ty string) bool { return slices.Contains(types, ty) }) {
			listed[c.Call] = true
		}
	}
	var missing []string
	for call := range calls {
		if !listed[call] {
			missing = append(missing, call)
		}
	}
	t.Logf("the run made %d distinct calls", len(calls))
	if len(missing) > 0 {
		slices.Sort(missing)
		return fmt.Errorf("the run made calls the deployer inventory does not list for %v: %v", types, missing)
	}
	return nil
}

// setEnforcement switches moto's IAM enforcement on (every request from
// now on is authenticated and authorized) or off.
func setEnforcement(t *testing.T, url string, on bool) {
	t.Helper()
	count := "inf"
	if on {
		count = "0"
	}
	resp, err := http.Post(url+"/moto-api/reset-auth", "text/plain", strings.NewReader(count))
	if err != nil {
		t.Errorf("switching IAM enforcement: %v", err)
		return
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("switching IAM enforcement: status %d, %v", resp.StatusCode, err)
	}
}

// TestAccDeployerPolicy_refusals: inputs that would widen the grant or name
// nothing sagesafe makes are refused before anything is read.
func TestAccDeployerPolicy_refusals(t *testing.T) {
	cfg := func(body string) string {
		return acctest.ProviderConfig("") + "data \"sagesafe_deployer_policy\" \"test\" {\n" + body + "\n}\n"
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: cfg(`resource_types = ["aws_instance"]`), ExpectError: regexp.MustCompile(`value must be one of`)},
			{Config: cfg(`resource_types = []`), ExpectError: regexp.MustCompile(`at least 1`)},
			{Config: cfg(`
  resource_types = ["sagesafe_training_job"]
  name_prefix    = "churn*"`), ExpectError: regexp.MustCompile(`letters, digits and hyphens`)},
			{Config: cfg(`
  resource_types = ["sagesafe_training_job"]
  pass_role_arns = ["arn:aws:iam::123456789012:role/*"]`), ExpectError: regexp.MustCompile(`IAM role ARN without wildcards`)},
			{Config: cfg(`
  resource_types           = ["sagesafe_execution_role"]
  name_prefix              = "churn-"
  permissions_boundary_arn = "arn:aws:iam::123456789012:policy/*"`), ExpectError: regexp.MustCompile(`managed policy ARN without\s+wildcards`)},
		},
	})
}

// TestAccDeployerPolicy_boundary: with permissions_boundary_arn the role
// writes are conditioned on it and its removal is denied (the judgement of
// what that allows is TestDeployerPolicy_boundaryJudged's).
func TestAccDeployerPolicy_boundary(t *testing.T) {
	const boundary = "arn:aws:iam::123456789012:policy/churn-boundary"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig("") + `
data "sagesafe_deployer_policy" "test" {
  resource_types           = ["sagesafe_execution_role", "sagesafe_network"]
  name_prefix              = "churn-"
  permissions_boundary_arn = "` + boundary + `"
}
`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("data.sagesafe_deployer_policy.test", "permissions_boundary_arn", boundary),
				resource.TestMatchResourceAttr("data.sagesafe_deployer_policy.test", "policy_json",
					regexp.MustCompile(`"iam:PermissionsBoundary":"`+regexp.QuoteMeta(boundary)+`"`)),
				resource.TestMatchResourceAttr("data.sagesafe_deployer_policy.test", "policy_json",
					regexp.MustCompile(`"Sid":"SagesafeKeepBoundary","Effect":"Deny"`)),
				// Denied, so not among the actions granted.
				func(s *terraform.State) error {
					for k, v := range s.RootModule().Resources["data.sagesafe_deployer_policy.test"].Primary.Attributes {
						if strings.HasPrefix(k, "actions.") && (v == "iam:DeleteRolePermissionsBoundary" || v == "iam:CreatePolicyVersion") {
							return fmt.Errorf("actions lists %s, which the policy denies", v)
						}
					}
					return nil
				},
				resource.TestCheckTypeSetElemAttr("data.sagesafe_deployer_policy.test", "actions.*", "iam:CreateRole"),
			),
		}},
	})
}
