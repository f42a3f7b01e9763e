package executionrole

import (
	"context"
	"strings"
	"testing"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/posture"
)

var testScope = Scope{Partition: "aws", Region: "us-east-1", AccountID: "111122223333"}

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

func fullInputs(purpose string) PolicyInputs {
	return PolicyInputs{
		Purpose:             types.StringValue(purpose),
		S3ReadURIs:          set("s3://data-bucket/train/", "s3://reference.data"),
		S3WriteURIs:         set("s3://artifacts-bucket/models/", "s3://data-bucket/checkpoints/"),
		KMSKeyARNs:          set(keyARN),
		ECRRepositoryARNs:   set(repoARN),
		VPCSubnetIDs:        set(subnet1, subnet2),
		VPCSecurityGroupIDs: set(sg),
	}
}

// Render is a thin, faithful adapter: for every purpose it returns exactly
// what the iampolicy builders (with their golden tests) return.
func TestRenderMatchesTheBuilders(t *testing.T) {
	for _, purpose := range iampolicy.PurposeValues() {
		for _, in := range []PolicyInputs{fullInputs(purpose), {Purpose: types.StringValue(purpose),
			S3ReadURIs: set(), S3WriteURIs: set(), KMSKeyARNs: set(), ECRRepositoryARNs: set(), VPCSubnetIDs: set(), VPCSecurityGroupIDs: set()}} {
			got, known, diags := Render(in, testScope)
			if diags.HasError() || !known {
				t.Fatalf("%s: known=%v %v", purpose, known, diags)
			}
			spec, _ := roleSpec(in, testScope)
			trust, _ := iampolicy.TrustPolicy(spec)
			policy, _ := iampolicy.ExecutionPolicy(spec)
			if got.Trust.JSON() != trust.JSON() || got.Policy.JSON() != policy.JSON() {
				t.Errorf("%s: Render differs from the builders", purpose)
			}
			// And the result is what sagesafe's own checks call compliant.
			fact := posture.AssessRole(posture.RoleDocuments{Ref: "r", ARN: "r", TrustPolicy: got.Trust.JSON(),
				InlinePolicies: map[string]string{PolicyName: got.Policy.JSON()}})
			s := &guardrail.Subject{Kind: guardrail.KindExecutionRole, RoleARN: facts.Known("r"), RoleManaged: true,
				Tags: facts.Known(map[string]string{}), Facts: facts.Facts{Roles: map[string]facts.RoleFact{"r": fact}}}
			if f := guardrail.Evaluate(s, guardrail.DefaultPolicy()); len(f) != 0 {
				t.Errorf("%s: generated role has findings %+v", purpose, f)
			}
		}
	}
	got, _, _ := Render(fullInputs("training"), testScope)
	if !strings.Contains(got.Trust.JSON(), `:training-job/*"`) {
		t.Errorf("training trust is not narrowed to training jobs: %s", got.Trust.JSON())
	}
}

func TestRenderRefusalsNameTheControlAndElement(t *testing.T) {
	for _, tc := range []struct {
		name    string
		mutate  func(*PolicyInputs)
		summary string
		path    path.Path
	}{
		{
			name:    "wildcard",
			mutate:  func(in *PolicyInputs) { in.S3ReadURIs = set("s3://data-bucket/train/", "s3://data-bucket/*") },
			summary: "SS-IAM-2: wildcards",
			path:    path.Root("s3_read_uris").AtSetValue(types.StringValue("s3://data-bucket/*")),
		},
		{
			name:    "https",
			mutate:  func(in *PolicyInputs) { in.S3WriteURIs = set("https://data-bucket.s3.amazonaws.com/out/") },
			summary: "SS-TLS-2: use an s3://bucket/prefix URI",
			path:    path.Root("s3_write_uris").AtSetValue(types.StringValue("https://data-bucket.s3.amazonaws.com/out/")),
		},
		{
			name:    "purpose",
			mutate:  func(in *PolicyInputs) { in.Purpose = types.StringValue("batch") },
			summary: "Invalid execution role input: purpose must be one of training, inference, training_and_inference",
			path:    path.Root("purpose"),
		},
		{
			name:    "key in another region",
			mutate:  func(in *PolicyInputs) { in.KMSKeyARNs = set(strings.Replace(keyARN, "us-east-1", "eu-west-1", 1)) },
			summary: "Invalid execution role input: key is in region",
			path:    path.Root("kms_key_arns").AtSetValue(types.StringValue(strings.Replace(keyARN, "us-east-1", "eu-west-1", 1))),
		},
		{
			name:    "subnets without groups",
			mutate:  func(in *PolicyInputs) { in.VPCSecurityGroupIDs = set() },
			summary: "Invalid execution role input: give both",
			path:    path.Root("vpc_subnet_ids"),
		},
	} {
		in := fullInputs("training")
		tc.mutate(&in)
		_, known, diags := Render(in, testScope)
		if known || len(diags) != 1 || !diags.HasError() {
			t.Fatalf("%s: known=%v diags=%v", tc.name, known, diags)
		}
		if !strings.HasPrefix(diags[0].Summary(), tc.summary) {
			t.Errorf("%s: summary %q, want prefix %q", tc.name, diags[0].Summary(), tc.summary)
		}
		wp, ok := diags[0].(diag.DiagnosticWithPath)
		if !ok || !wp.Path().Equal(tc.path) {
			t.Errorf("%s: path %v, want %v", tc.name, diags[0], tc.path)
		}
	}
}

// With some inputs unknown at plan, the known ones are still checked.
func TestRenderValidatesKnownElementsOfUnknownInputs(t *testing.T) {
	in := fullInputs("training")
	in.KMSKeyARNs = types.SetUnknown(types.StringType)
	in.VPCSecurityGroupIDs = types.SetValueMust(types.StringType, []attr.Value{types.StringUnknown()})
	if _, known, diags := Render(in, testScope); known || diags.HasError() {
		t.Fatalf("valid partial inputs: known=%v %v", known, diags)
	}

	in.S3ReadURIs = types.SetValueMust(types.StringType, []attr.Value{types.StringUnknown(), types.StringValue("s3://b/x*")})
	in.VPCSubnetIDs = set("subnet-*")
	_, known, diags := Render(in, testScope)
	if known || len(diags) != 2 {
		t.Fatalf("want two refusals, got known=%v %v", known, diags)
	}
	for _, d := range diags {
		if !strings.HasPrefix(d.Summary(), "SS-IAM-2: ") {
			t.Errorf("summary %q", d.Summary())
		}
	}

	in = fullInputs("training")
	in.Purpose = types.StringUnknown()
	in.S3WriteURIs = set("http://b/x/")
	if _, _, diags := Render(in, testScope); len(diags) != 1 || !strings.HasPrefix(diags[0].Summary(), "SS-TLS-2: ") {
		t.Errorf("unknown purpose, http URI: %v", diags)
	}
}

// Import reads the inputs back so that they render the same documents.
func TestRecoverInputsRoundTrip(t *testing.T) {
	for _, purpose := range iampolicy.PurposeValues() {
		for _, in := range []PolicyInputs{fullInputs(purpose), {Purpose: types.StringValue(purpose)}} {
			want, _, _ := Render(in, testScope)
			got := recoverInputs(want.Trust.JSON(), want.Policy.JSON())
			back := PolicyInputs{
				Purpose:             types.StringValue(got.purpose),
				S3ReadURIs:          set(got.read...),
				S3WriteURIs:         set(got.write...),
				KMSKeyARNs:          set(got.keys...),
				ECRRepositoryARNs:   set(got.repos...),
				VPCSubnetIDs:        set(got.subnets...),
				VPCSecurityGroupIDs: set(got.groups...),
			}
			again, known, diags := Render(back, testScope)
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
	a, b := generateName("tfacc-"), generateName("tfacc-")
	if a == b || !strings.HasPrefix(a, "tfacc-") || len(a) != len("tfacc-")+generatedSuffixLen {
		t.Errorf("generateName: %q, %q", a, b)
	}
	if n := generateName(strings.Repeat("p", maxPrefixLen)); len(n) > maxNameLen {
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

func TestAssessLiveReportsDriftByControl(t *testing.T) {
	want, _, _ := Render(fullInputs("training"), testScope)
	const arn = "arn:aws:iam::111122223333:role/exec"
	clean := func() *liveRole {
		return &liveRole{name: "exec", arn: arn, trust: want.Trust.JSON(), maxSession: 3600, tags: map[string]string{},
			inline: map[string]string{PolicyName: want.Policy.JSON()}}
	}
	subject := func() *guardrail.Subject {
		return &guardrail.Subject{Kind: guardrail.KindExecutionRole, Name: "exec", RoleARN: facts.Known(arn), RoleManaged: true}
	}
	all := []string{"SS-GOV-1", "SS-IAM-1", "SS-IAM-2"}

	a := assessLive(clean(), &want, subject(), guardrail.DefaultPolicy())
	if len(a.drift) != 0 || strings.Join(a.controls, ",") != strings.Join(all, ",") ||
		a.trustJSON != want.Trust.JSON() || a.policyJSON != want.Policy.JSON() {
		t.Fatalf("clean role: %+v", a)
	}

	for _, tc := range []struct {
		name     string
		mutate   func(*liveRole)
		summary  string   // the warning's summary prefix
		detail   []string // phrases of its detail
		controls string
	}{
		{
			name:     "managed policy attached",
			mutate:   func(l *liveRole) { l.attached = []string{"arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"} },
			summary:  "SS-IAM-2: execution role exec has permissions sagesafe did not generate",
			detail:   []string{"managed policy arn:aws:iam::aws:policy/AmazonSageMakerFullAccess was attached", "grants broad access", "detaches managed policies"},
			controls: "SS-GOV-1,SS-IAM-1",
		},
		{
			name:     "harmless managed policy attached",
			mutate:   func(l *liveRole) { l.attached = []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"} },
			summary:  "SS-IAM-2: ",
			detail:   []string{"ReadOnlyAccess was attached"},
			controls: "SS-GOV-1,SS-IAM-1",
		},
		{
			name: "inline policy edited and another added",
			mutate: func(l *liveRole) {
				l.inline[PolicyName] = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
				l.inline["extra"] = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`
			},
			summary:  "SS-IAM-2: ",
			detail:   []string{PolicyName + " was edited", "inline policy extra was added", "allows s3:*"},
			controls: "SS-GOV-1,SS-IAM-1",
		},
		{
			name:     "inline policy deleted",
			mutate:   func(l *liveRole) { delete(l.inline, PolicyName) },
			summary:  "SS-IAM-2: ",
			detail:   []string{PolicyName + " was deleted"},
			controls: "SS-GOV-1,SS-IAM-1",
		},
		{
			name: "trust without conditions",
			mutate: func(l *liveRole) {
				l.trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
			},
			summary:  "SS-IAM-1: execution role exec has a trust policy sagesafe did not generate",
			detail:   []string{"trust policy was changed", "confused-deputy", "restores the generated trust policy"},
			controls: "SS-GOV-1,SS-IAM-2",
		},
	} {
		l := clean()
		tc.mutate(l)
		a := assessLive(l, &want, subject(), guardrail.DefaultPolicy())
		if len(a.drift) != 1 || a.drift.HasError() {
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
