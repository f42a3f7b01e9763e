package personarole_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
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
	addr          = "sagesafe_persona_role.test"
	policyName    = "sagesafe-persona"
	fullAccessARN = "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"
)

var bothControls = knownvalue.ListExact([]knownvalue.Check{
	knownvalue.StringExact("SS-IAM-3"), knownvalue.StringExact("SS-IAM-4"),
})

// personaInputs are a persona role's inputs, rendered both into HCL and into
// the iampolicy spec the expected documents are built from.
type personaInputs struct {
	name, persona      string
	principals         []string
	saml, studio       string
	subnets, groups    []string
	key                string
	execRoles          []string
	read, write, extra []string
	maxSession         int
	tags               string
	providerX          string // extra provider settings
}

// dataScientist uses a fixture key and IDs of this account; IAM checks none
// of the subnets or roles a policy names, so they need not exist.
func dataScientist(t *testing.T, name string) personaInputs {
	account := acctest.AWS(t).AccountID
	return personaInputs{
		name: name, persona: "data_scientist",
		principals: []string{fmt.Sprintf("arn:aws:iam::%s:role/platform/ml-lead", account)},
		saml:       fmt.Sprintf("arn:aws:iam::%s:saml-provider/IdentityCenter", account),
		subnets:    []string{"subnet-0123456789abcdef0", "subnet-0fedcba9876543210"},
		groups:     []string{"sg-0123456789abcdef0"},
		key:        acctest.Key(t, true),
		execRoles:  []string{fmt.Sprintf("arn:aws:iam::%s:role/sagesafe-exec", account)},
		read:       []string{"s3://" + acctest.RandomName("data") + "/train/"},
		write:      []string{"s3://" + acctest.RandomName("artifacts") + "/models/"},
	}
}

func (in personaInputs) hcl() string {
	var b strings.Builder
	b.WriteString(acctest.ProviderConfig(in.providerX))
	b.WriteString("\nresource \"sagesafe_persona_role\" \"test\" {\n")
	fmt.Fprintf(&b, "  name    = %q\n  persona = %q\n", in.name, in.persona)
	list := func(name string, values []string) {
		if values != nil {
			q := make([]string, len(values))
			for i, v := range values {
				q[i] = fmt.Sprintf("%q", v)
			}
			fmt.Fprintf(&b, "  %s = [%s]\n", name, strings.Join(q, ", "))
		}
	}
	str := func(name, v string) {
		if v != "" {
			fmt.Fprintf(&b, "  %s = %q\n", name, v)
		}
	}
	list("account_principals", in.principals)
	str("saml_provider_arn", in.saml)
	str("studio_domain_id", in.studio)
	list("subnet_ids", in.subnets)
	list("security_group_ids", in.groups)
	str("kms_key_arn", in.key)
	list("execution_role_arns", in.execRoles)
	list("s3_read_uris", in.read)
	list("s3_write_uris", in.write)
	list("extra_activities", in.extra)
	if in.maxSession != 0 {
		fmt.Fprintf(&b, "  max_session_duration = %d\n", in.maxSession)
	}
	fmt.Fprintf(&b, "  tags = {\n    team = \"ml\"\n%s  }\n}\n", in.tags)
	return b.String()
}

// documents builds the expected documents with the library, independently
// of the resource.
func (in personaInputs) documents(t *testing.T) (trust, policy string) {
	t.Helper()
	spec := iampolicy.PersonaSpec{
		Persona: iampolicy.Persona(in.persona), Partition: "aws", Region: acctest.Region, AccountID: acctest.AWS(t).AccountID,
		SubnetIDs: in.subnets, SecurityGroupIDs: in.groups, KMSKeyARN: in.key, ExecutionRoleARNs: in.execRoles,
		S3ReadURIs: in.read, S3WriteURIs: in.write, ExtraActivities: in.extra,
		AccountPrincipals: in.principals, SAMLProviderARN: in.saml, StudioDomainID: in.studio,
	}
	tr, err := iampolicy.PersonaTrust(spec)
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := iampolicy.PersonaPolicy(spec)
	if err != nil {
		t.Fatal(err)
	}
	return tr.JSON(), p.JSON()
}

func TestAccPersonaRole_basic(t *testing.T) {
	name := acctest.RandomName("persona")
	in := dataScientist(t, name)
	in.studio = "d-0123456789ab" // Studio apps of one domain; removed by the update
	trust, policy := in.documents(t)
	up := in
	up.studio = ""
	up.extra = []string{"manage_endpoints"}
	up.maxSession = 7200
	up.tags = "    stage = \"prod\"\n"
	_, upPolicy := up.documents(t)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckPersonaRoleDestroy(t, name),
		Steps: []resource.TestStep{
			{
				Config: in.hcl(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("trust_policy_json"), knownvalue.StringExact(trust)),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("policy_json"), knownvalue.StringExact(policy)),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), bothControls),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("arn"), knownvalue.StringExact(fmt.Sprintf("arn:aws:iam::%s:role/%s", acctest.AWS(t).AccountID, name))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("policy_json"), knownvalue.StringExact(policy)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), bothControls),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("attached_policy_arns"), knownvalue.SetExact([]knownvalue.Check{})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("inline_policy_names"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(policyName)})),
				},
				Check: func(*terraform.State) error {
					return checkLiveRole(t, name, trust, policy, 3600, map[string]string{"team": "ml"})
				},
			},
			// The domain is read back from the live policy on import.
			{ResourceName: addr, ImportState: true, ImportStateVerify: true},
			{
				Config: up.hcl(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("policy_json"), knownvalue.StringExact(upPolicy)),
				}},
				Check: func(*terraform.State) error {
					return checkLiveRole(t, name, trust, upPolicy, 7200, map[string]string{"team": "ml", "stage": "prod"})
				},
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true},
			{
				ResourceName: addr, ImportState: true, ImportStateVerify: true,
				ImportStateIdFunc: func(s *terraform.State) (string, error) {
					return s.RootModule().Resources[addr].Primary.Attributes["arn"], nil
				},
			},
			{ResourceName: addr, ImportState: true, ImportStateId: "not a role name", ExpectError: regexp.MustCompile(`not an IAM role name`)},
		},
	})
}

// TestAccPersonaRole_drift changes the role outside Terraform: a statement
// that allows an unguarded create is added to its policy, a managed policy
// is attached, another inline policy is added, and the trust loses its MFA
// condition. Each shows on refresh (the control is no longer held) and the
// next apply restores the generated documents.
func TestAccPersonaRole_drift(t *testing.T) {
	name := acctest.RandomName("persona")
	in := dataScientist(t, name)
	trust, policy := in.documents(t)
	ic := acctest.AWS(t).IAM
	ctx := context.Background()
	must := func(_ any, err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	restored := func(*terraform.State) error {
		return checkLiveRole(t, name, trust, policy, 3600, map[string]string{"team": "ml"})
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckPersonaRoleDestroy(t, name),
		Steps: []resource.TestStep{
			{Config: in.hcl()},
			{
				PreConfig: func() {
					added := strings.Replace(policy, `"Statement":[`,
						`"Statement":[{"Sid":"Notebooks","Effect":"Allow","Action":"sagemaker:CreateNotebookInstance","Resource":"*"},`, 1)
					must(ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(policyName), PolicyDocument: aws.String(added)}))
					must(ic.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(fullAccessARN)}))
					must(ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("extra"),
						PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sagemaker:CreateDomain","Resource":"*"}]}`)}))
				},
				Config: in.hcl(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					expectBefore(addr, "controls", []any{"SS-IAM-4"}),
					expectBefore(addr, "attached_policy_arns", []any{fullAccessARN}),
					expectBefore(addr, "inline_policy_names", []any{"extra", policyName}),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("policy_json"), knownvalue.StringExact(policy)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), bothControls),
				},
				Check: restored,
			},
			{
				PreConfig: func() {
					noMFA := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"sts:AssumeRole"}]}`, acctest.AWS(t).AccountID)
					must(ic.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(name), PolicyDocument: aws.String(noMFA)}))
				},
				Config: in.hcl(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					expectBefore(addr, "controls", []any{"SS-IAM-3"}),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("trust_policy_json"), knownvalue.StringExact(trust)),
				}},
				Check: restored,
			},
			{Config: in.hcl(), PlanOnly: true},
		},
	})
}

// TestAccPersonaRole_refusals: insecure inputs fail the plan with their
// control, and nothing is created.
func TestAccPersonaRole_refusals(t *testing.T) {
	name := acctest.RandomName("persona")
	ok := dataScientist(t, name)
	with := func(f func(*personaInputs)) string { in := ok; f(&in); return in.hcl() }
	other := "444455556666"
	if acctest.AWS(t).AccountID == other {
		other = "555566667777"
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckPersonaRoleDestroy(t, name),
		Steps: []resource.TestStep{
			{
				Config:      with(func(in *personaInputs) { in.persona, in.subnets = "ml_engineer", nil }),
				ExpectError: regexp.MustCompile(`SS-IAM-3: a persona that launches workloads needs the subnets`),
			},
			{
				Config:      with(func(in *personaInputs) { in.key = "" }),
				ExpectError: regexp.MustCompile(`SS-IAM-3: a persona that launches workloads needs the KMS key`),
			},
			{
				Config:      with(func(in *personaInputs) { in.execRoles = nil }),
				ExpectError: regexp.MustCompile(`SS-IAM-3: name the execution roles`),
			},
			{
				Config:      with(func(in *personaInputs) { in.execRoles = []string{"arn:aws:iam::" + other + ":role/admin"} }),
				ExpectError: regexp.MustCompile(`SS-IAM-3: the role is in account ` + other),
			},
			{
				Config:      with(func(in *personaInputs) { in.principals = []string{"*"} }),
				ExpectError: regexp.MustCompile(`SS-IAM-4: a wildcard principal is never allowed`),
			},
			{
				Config:      with(func(in *personaInputs) { in.saml = "arn:aws:iam::" + other + ":saml-provider/Okta" }),
				ExpectError: regexp.MustCompile(`SS-IAM-4: the SAML provider is in account ` + other),
			},
			{
				// Persona roles carry the platform team's required tags too.
				Config:      with(func(in *personaInputs) { in.providerX = "  guardrails {\n    required_tags = [\"cost-center\"]\n  }" }),
				ExpectError: regexp.MustCompile(`SS-GOV-1`),
			},
			{
				Config:      with(func(in *personaInputs) { in.principals, in.saml = nil, "" }),
				ExpectError: regexp.MustCompile(`SS-IAM-4: name who may assume the persona|At least one attribute out of`),
			},
		},
	})
	if err := acctest.NoRole(t, name); err != nil {
		t.Error(err)
	}
}

// checkLiveRole asks the emulator for the role's documents, session
// duration, policies and tags.
func checkLiveRole(t *testing.T, name, trust, policy string, maxSession int32, tags map[string]string) error {
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
	names, err := ic.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil {
		return err
	}
	if len(names.PolicyNames) != 1 || names.PolicyNames[0] != policyName {
		return fmt.Errorf("role %s: inline policies %v, want only %s", name, names.PolicyNames, policyName)
	}
	doc, err := ic.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(policyName)})
	if err != nil {
		return err
	}
	if same, err := iampolicy.Equivalent(aws.ToString(doc.PolicyDocument), policy); err != nil || !same {
		return fmt.Errorf("role %s: live policy differs from the generated one (%v)", name, err)
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
	if have[idem.TokenTag] == "" {
		return fmt.Errorf("role %s: no creation token tag", name)
	}
	delete(have, idem.TokenTag)
	if fmt.Sprint(have) != fmt.Sprint(tags) {
		return fmt.Errorf("role %s: tags %v, want %v", name, have, tags)
	}
	return nil
}

// testAccCheckPersonaRoleDestroy asks the emulator that the role is gone.
func testAccCheckPersonaRoleDestroy(t *testing.T, name string) resource.TestCheckFunc {
	return func(*terraform.State) error { return acctest.NoRole(t, name) }
}

// expectBefore checks an attribute of the refreshed state the plan starts
// from (the plan's "before"), which is where drift shows; lists and sets
// are compared sorted.
func expectBefore(address, attribute string, want []any) plancheck.PlanCheck {
	return beforeCheck{address, attribute, want}
}

type beforeCheck struct {
	address, attribute string
	want               []any
}

func (c beforeCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != c.address {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		got, _ := before[c.attribute].([]any)
		gs, ws := make([]string, len(got)), make([]string, len(c.want))
		for i, v := range got {
			gs[i] = fmt.Sprint(v)
		}
		for i, v := range c.want {
			ws[i] = fmt.Sprint(v)
		}
		slices.Sort(gs)
		slices.Sort(ws)
		if strings.Join(gs, ",") != strings.Join(ws, ",") {
			resp.Error = fmt.Errorf("%s: before-plan %s is %v, want %v", c.address, c.attribute, gs, ws)
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in the plan", c.address)
}
