package iampolicy_test

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// That the rendered documents are compliant by sagesafe's own checks is
// tested where posture and guardrail may be imported: in the executionrole
// package (TestRenderedRolesAreCompliant).

var roleScope = iampolicy.Scope{Partition: "aws", Region: "us-east-1", AccountID: "111122223333"}

const (
	roleKeyARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	roleRepo   = "arn:aws:ecr:us-east-1:111122223333:repository/team/trainer"
	roleSubnet = "subnet-0123456789abcdef0"
	roleSG     = "sg-0123456789abcdef0"
)

func stringSet(values ...string) types.Set {
	if values == nil {
		return types.SetNull(types.StringType)
	}
	return tfval.Set(values)
}

// controlText stands in for guardrail.ControlText (iampolicy's tests do not
// import guardrail): every control has a rationale and a fix.
func controlText(control string) (string, string, bool) {
	return "rationale of " + control, "fix for " + control, true
}

func fullSpec(purpose string) iampolicy.RoleSpec {
	return iampolicy.RoleSpec{
		Partition: roleScope.Partition, Region: roleScope.Region, AccountID: roleScope.AccountID,
		Purpose:           iampolicy.Purpose(purpose),
		S3ReadURIs:        []string{"s3://data-bucket/train/", "s3://reference.data"},
		S3WriteURIs:       []string{"s3://artifacts-bucket/models/", "s3://data-bucket/checkpoints/"},
		KMSKeyARNs:        []string{roleKeyARN},
		ECRRepositoryARNs: []string{roleRepo},
		SubnetIDs:         []string{roleSubnet, "subnet-0fedcba9876543210"},
		SecurityGroupIDs:  []string{roleSG},
	}
}

// inputsOf is the Terraform form of a spec's inputs (no values: null sets).
func inputsOf(spec iampolicy.RoleSpec) iampolicy.RoleInputs {
	return iampolicy.RoleInputs{
		Purpose:             types.StringValue(string(spec.Purpose)),
		S3ReadURIs:          stringSet(spec.S3ReadURIs...),
		S3WriteURIs:         stringSet(spec.S3WriteURIs...),
		KMSKeyARNs:          stringSet(spec.KMSKeyARNs...),
		ECRRepositoryARNs:   stringSet(spec.ECRRepositoryARNs...),
		VPCSubnetIDs:        stringSet(spec.SubnetIDs...),
		VPCSecurityGroupIDs: stringSet(spec.SecurityGroupIDs...),
	}
}

func fullInputs(purpose string) iampolicy.RoleInputs { return inputsOf(fullSpec(purpose)) }

// RenderRole is a thin, faithful adapter: for every purpose it returns
// exactly what the builders (with their golden tests) return.
func TestRenderRoleMatchesTheBuilders(t *testing.T) {
	for _, purpose := range iampolicy.PurposeValues() {
		bare := iampolicy.RoleSpec{Partition: roleScope.Partition, Region: roleScope.Region, AccountID: roleScope.AccountID,
			Purpose: iampolicy.Purpose(purpose)}
		for _, spec := range []iampolicy.RoleSpec{fullSpec(purpose), bare} {
			got, known, diags := iampolicy.RenderRole(inputsOf(spec), roleScope, controlText)
			if diags.HasError() || !known {
				t.Fatalf("%s: known=%v %v", purpose, known, diags)
			}
			trust, _ := iampolicy.TrustPolicy(spec)
			policy, _ := iampolicy.ExecutionPolicy(spec)
			if got.Trust.JSON() != trust.JSON() || got.Policy.JSON() != policy.JSON() {
				t.Errorf("%s: RenderRole differs from the builders", purpose)
			}
		}
	}
	got, _, _ := iampolicy.RenderRole(fullInputs("training"), roleScope, controlText)
	if !strings.Contains(got.Trust.JSON(), `:training-job/*"`) {
		t.Errorf("training trust is not narrowed to training jobs: %s", got.Trust.JSON())
	}
}

func TestRenderRoleRefusalsNameTheControlAndElement(t *testing.T) {
	otherRegionKey := strings.Replace(roleKeyARN, "us-east-1", "eu-west-1", 1)
	for _, tc := range []struct {
		name    string
		mutate  func(*iampolicy.RoleInputs)
		summary string
		path    path.Path
	}{
		{
			name: "wildcard",
			mutate: func(in *iampolicy.RoleInputs) {
				in.S3ReadURIs = stringSet("s3://data-bucket/train/", "s3://data-bucket/*")
			},
			summary: "SS-IAM-2: wildcards",
			path:    path.Root("s3_read_uris").AtSetValue(types.StringValue("s3://data-bucket/*")),
		},
		{
			name: "https",
			mutate: func(in *iampolicy.RoleInputs) {
				in.S3WriteURIs = stringSet("https://data-bucket.s3.amazonaws.com/out/")
			},
			summary: "SS-TLS-2: use an s3://bucket/prefix URI",
			path:    path.Root("s3_write_uris").AtSetValue(types.StringValue("https://data-bucket.s3.amazonaws.com/out/")),
		},
		{
			name:    "purpose",
			mutate:  func(in *iampolicy.RoleInputs) { in.Purpose = types.StringValue("batch") },
			summary: "Invalid execution role input: purpose must be one of training, inference, training_and_inference",
			path:    path.Root("purpose"),
		},
		{
			name:    "key in another region",
			mutate:  func(in *iampolicy.RoleInputs) { in.KMSKeyARNs = stringSet(otherRegionKey) },
			summary: "Invalid execution role input: key is in region",
			path:    path.Root("kms_key_arns").AtSetValue(types.StringValue(otherRegionKey)),
		},
		{
			name:    "subnets without groups",
			mutate:  func(in *iampolicy.RoleInputs) { in.VPCSecurityGroupIDs = stringSet() },
			summary: "Invalid execution role input: give both",
			path:    path.Root("vpc_subnet_ids"),
		},
	} {
		in := fullInputs("training")
		tc.mutate(&in)
		_, known, diags := iampolicy.RenderRole(in, roleScope, controlText)
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
		if strings.HasPrefix(tc.summary, "SS-") && !strings.Contains(diags[0].Detail(), "\nFix: ") {
			t.Errorf("%s: detail lacks the control's fix: %q", tc.name, diags[0].Detail())
		}
	}
}

// With some inputs unknown at plan, the known ones are still checked.
func TestRenderRoleValidatesKnownElementsOfUnknownInputs(t *testing.T) {
	in := fullInputs("training")
	in.KMSKeyARNs = types.SetUnknown(types.StringType)
	in.VPCSecurityGroupIDs = types.SetValueMust(types.StringType, []attr.Value{types.StringUnknown()})
	if _, known, diags := iampolicy.RenderRole(in, roleScope, controlText); known || diags.HasError() {
		t.Fatalf("valid partial inputs: known=%v %v", known, diags)
	}

	in.S3ReadURIs = types.SetValueMust(types.StringType, []attr.Value{types.StringUnknown(), types.StringValue("s3://b/x*")})
	in.VPCSubnetIDs = stringSet("subnet-*")
	_, known, diags := iampolicy.RenderRole(in, roleScope, controlText)
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
	in.S3WriteURIs = stringSet("http://b/x/")
	if _, _, diags := iampolicy.RenderRole(in, roleScope, controlText); len(diags) != 1 || !strings.HasPrefix(diags[0].Summary(), "SS-TLS-2: ") {
		t.Errorf("unknown purpose, http URI: %v", diags)
	}
}
