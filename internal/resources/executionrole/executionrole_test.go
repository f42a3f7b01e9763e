package executionrole

import (
	"context"
	"strings"
	"testing"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iamrole"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/posture"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
)

var testScope = iampolicy.Scope{Partition: "aws", Region: "us-east-1", AccountID: "111122223333"}

const (
	keyARN  = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	repoARN = "arn:aws:ecr:us-east-1:111122223333:repository/team/trainer"
	subnet1 = "subnet-0123456789abcdef0"
	subnet2 = "subnet-0fedcba9876543210"
	sg      = "sg-0123456789abcdef0"
)

func set(values ...string) types.Set {
	if values == nil {
		return types.SetNull(types.StringType)
	}
	return tfval.Set(values)
}

func fullInputs(purpose string) iampolicy.RoleInputs {
	return iampolicy.RoleInputs{
		Purpose:             types.StringValue(purpose),
		S3ReadURIs:          set("s3://data-bucket/train/", "s3://reference.data"),
		S3WriteURIs:         set("s3://artifacts-bucket/models/", "s3://data-bucket/checkpoints/"),
		KMSKeyARNs:          set(keyARN),
		ECRRepositoryARNs:   set(repoARN),
		VPCSubnetIDs:        set(subnet1, subnet2),
		VPCSecurityGroupIDs: set(sg),
	}
}

// Import reads the inputs back so that they render the same documents.
func TestRecoverInputsRoundTrip(t *testing.T) {
	for _, purpose := range iampolicy.PurposeValues() {
		for _, in := range []iampolicy.RoleInputs{fullInputs(purpose), {Purpose: types.StringValue(purpose)}} {
			want, _, _ := iampolicy.RenderRole(in, testScope, guardrail.ControlText)
			got := recoverInputs(want.Trust.JSON(), want.Policy.JSON())
			back := iampolicy.RoleInputs{
				Purpose:             types.StringValue(got.purpose),
				S3ReadURIs:          set(got.read...),
				S3WriteURIs:         set(got.write...),
				KMSKeyARNs:          set(got.keys...),
				ECRRepositoryARNs:   set(got.repos...),
				VPCSubnetIDs:        set(got.subnets...),
				VPCSecurityGroupIDs: set(got.groups...),
			}
			again, known, diags := iampolicy.RenderRole(back, testScope, guardrail.ControlText)
			if !known || diags.HasError() {
				t.Fatalf("%s: recovered %+v does not render: %v", purpose, got, diags)
			}
			if again.Trust.JSON() != want.Trust.JSON() || again.Policy.JSON() != want.Policy.JSON() {
				t.Errorf("%s: recovered %+v renders differently", purpose, got)
			}
		}
	}
	got := recoverInputs("", `{"Statement":[{"Sid":"S3ReadObjects","Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::b/*","arn:aws:s3:::b/data/*"]}]}`)
	if strings.Join(got.read, ",") != "s3://b,s3://b/data/" {
		t.Errorf("read = %v", got.read)
	}
	if got := recoverInputs("garbage", "garbage"); got.purpose != "" || len(got.read) != 0 {
		t.Errorf("garbage recovered %+v", got)
	}
}

func TestGenerateName(t *testing.T) {
	a, b := iamrole.GenerateName("tfacc-"), iamrole.GenerateName("tfacc-")
	if a == b || !strings.HasPrefix(a, "tfacc-") || len(a) != len("tfacc-")+iamrole.GeneratedSuffixLen {
		t.Errorf("generateName: %q, %q", a, b)
	}
	if n := iamrole.GenerateName(strings.Repeat("p", maxPrefixLen)); len(n) > maxNameLen {
		t.Errorf("name %q is longer than IAM allows", n)
	}
}

func TestSchemaDescribesEveryAttribute(t *testing.T) {
	var resp resource.SchemaResponse
	(&roleResource{}).Schema(context.Background(), resource.SchemaRequest{}, &resp)
	if resp.Schema.MarkdownDescription == "" {
		t.Error("the resource has no description")
	}
	for name, a := range resp.Schema.Attributes {
		if a.GetMarkdownDescription() == "" {
			t.Errorf("attribute %s has no description", name)
		}
	}
	if d := resp.Schema.ValidateImplementation(context.Background()); d.HasError() {
		t.Errorf("schema: %v", d)
	}
}

// The policy inputs are iampolicy's, described the same way; the
// sagesafe_execution_role_policy data source checks the same of its schema,
// so the two cannot drift apart.
func TestSchemaTakesTheSharedInputs(t *testing.T) {
	var resp resource.SchemaResponse
	(&roleResource{}).Schema(context.Background(), resource.SchemaRequest{}, &resp)
	purpose, ok := resp.Schema.Attributes["purpose"]
	if !ok || !purpose.IsRequired() || purpose.GetMarkdownDescription() != iampolicy.PurposeDescription {
		t.Errorf("purpose is not iampolicy's required input: %+v", purpose)
	}
	for _, in := range iampolicy.RoleSetInputs() {
		a, ok := resp.Schema.Attributes[in.Name]
		if !ok || !a.IsOptional() || a.IsComputed() || a.GetMarkdownDescription() != in.Description {
			t.Errorf("input %s differs from iampolicy's: %+v", in.Name, a)
		}
	}
}

func TestAssessLiveReportsDriftByControl(t *testing.T) {
	want, _, _ := iampolicy.RenderRole(fullInputs("training"), testScope, guardrail.ControlText)
	const arn = "arn:aws:iam::111122223333:role/exec"
	clean := func() *iamrole.Live {
		return &iamrole.Live{Name: "exec", ARN: arn, Trust: want.Trust.JSON(), MaxSession: 3600, Tags: map[string]string{},
			Inline: map[string]string{iampolicy.ExecutionRolePolicyName: want.Policy.JSON()}}
	}
	subject := func() *guardrail.Subject {
		return &guardrail.Subject{Kind: guardrail.KindExecutionRole, Name: "exec", AccountID: "111122223333", RoleARN: facts.Known(arn)}
	}
	all := []string{"SS-IAM-1", "SS-IAM-2"} // SS-GOV-1 is not checked: no required_tags

	a, err := assessLive(context.Background(), clean(), &want, subject(), nil, guardrail.DefaultPolicy())
	if err != nil || len(a.drift) != 0 || strings.Join(a.controls, ",") != strings.Join(all, ",") ||
		a.trustJSON != want.Trust.JSON() || a.policyJSON != want.Policy.JSON() {
		t.Fatalf("clean role: %+v", a)
	}

	for _, tc := range []struct {
		name     string
		mutate   func(*iamrole.Live)
		summary  string   // the warning's summary prefix
		detail   []string // phrases of its detail
		controls string
	}{
		{
			name:     "managed policy attached",
			mutate:   func(l *iamrole.Live) { l.Attached = []string{"arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"} },
			summary:  "SS-IAM-2: execution role exec has permissions sagesafe did not generate",
			detail:   []string{"managed policy arn:aws:iam::aws:policy/AmazonSageMakerFullAccess was attached", "grants broad access", "detaches managed policies"},
			controls: "SS-IAM-1",
		},
		{
			name:     "harmless managed policy attached",
			mutate:   func(l *iamrole.Live) { l.Attached = []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"} },
			summary:  "SS-IAM-2: ",
			detail:   []string{"ReadOnlyAccess was attached"},
			controls: "SS-IAM-1",
		},
		{
			name: "inline policy edited and another added",
			mutate: func(l *iamrole.Live) {
				l.Inline[iampolicy.ExecutionRolePolicyName] = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
				l.Inline["extra"] = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`
			},
			summary:  "SS-IAM-2: ",
			detail:   []string{iampolicy.ExecutionRolePolicyName + " was edited", "inline policy extra was added", "allows s3:*"},
			controls: "SS-IAM-1",
		},
		{
			name:     "inline policy deleted",
			mutate:   func(l *iamrole.Live) { delete(l.Inline, iampolicy.ExecutionRolePolicyName) },
			summary:  "SS-IAM-2: ",
			detail:   []string{iampolicy.ExecutionRolePolicyName + " was deleted"},
			controls: "SS-IAM-1",
		},
		{
			name: "trust without conditions",
			mutate: func(l *iamrole.Live) {
				l.Trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
			},
			summary:  "SS-IAM-1: execution role exec has a trust policy sagesafe did not generate",
			detail:   []string{"trust policy was changed", "confused-deputy", "restores the generated trust policy"},
			controls: "SS-IAM-2",
		},
	} {
		l := clean()
		tc.mutate(l)
		a, err := assessLive(context.Background(), l, &want, subject(), nil, guardrail.DefaultPolicy())
		if err != nil || len(a.drift) != 1 || a.drift.HasError() {
			t.Errorf("%s: want one warning, got %v", tc.name, a.drift)
			continue
		}
		if !strings.HasPrefix(a.drift[0].Summary(), tc.summary) {
			t.Errorf("%s: summary %q", tc.name, a.drift[0].Summary())
		}
		for _, phrase := range tc.detail {
			if !strings.Contains(a.drift[0].Detail(), phrase) {
				t.Errorf("%s: detail lacks %q:\n%s", tc.name, phrase, a.drift[0].Detail())
			}
		}
		if got := strings.Join(a.controls, ","); got != tc.controls {
			t.Errorf("%s: controls %s, want %s", tc.name, got, tc.controls)
		}
	}
}

// The documents RenderRole generates, for every purpose with all inputs and
// with none, are what sagesafe's own checks call compliant.
func TestRenderedRolesAreCompliant(t *testing.T) {
	for _, purpose := range iampolicy.PurposeValues() {
		bare := iampolicy.RoleInputs{Purpose: types.StringValue(purpose), S3ReadURIs: set(), S3WriteURIs: set(),
			KMSKeyARNs: set(), ECRRepositoryARNs: set(), VPCSubnetIDs: set(), VPCSecurityGroupIDs: set()}
		for _, in := range []iampolicy.RoleInputs{fullInputs(purpose), bare} {
			got, known, diags := iampolicy.RenderRole(in, testScope, guardrail.ControlText)
			if diags.HasError() || !known {
				t.Fatalf("%s: known=%v %v", purpose, known, diags)
			}
			fact := posture.AssessRole(posture.RoleDocuments{Ref: "r", ARN: "r", TrustPolicy: got.Trust.JSON(),
				InlinePolicies: map[string]string{iampolicy.ExecutionRolePolicyName: got.Policy.JSON()}})
			s := &guardrail.Subject{Kind: guardrail.KindExecutionRole, RoleARN: facts.Known("r"),
				Partition: testScope.Partition, Region: testScope.Region, AccountID: testScope.AccountID,
				Tags: facts.Known(map[string]string{}), Facts: facts.Facts{Roles: map[string]facts.RoleFact{"r": fact}}}
			if f := guardrail.Evaluate(s, guardrail.DefaultPolicy()); len(f) != 0 {
				t.Errorf("%s: generated role has findings %+v", purpose, f)
			}
		}
	}
}
