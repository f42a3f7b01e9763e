package kmskey

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
)

const (
	admin = "arn:aws:iam::111122223333:role/platform/key-admin"
	user  = "arn:aws:iam::111122223333:role/sagesafe-exec"
)

var testScope = iampolicy.Scope{Partition: "aws", Region: "us-east-1", AccountID: "111122223333"}

func set(values ...string) types.Set {
	return tfval.Set(values)
}

func TestKeySpecFromModel(t *testing.T) {
	m := model{
		Administrators:        set(admin),
		Users:                 set(user),
		AllowCloudWatchLogs:   types.BoolNull(), // the schema default is true
		AllowFlowLogsDelivery: types.BoolValue(true),
		AllowCloudTrail:       types.BoolValue(true),
	}
	spec, ok := keySpec(&m, testScope)
	if !ok {
		t.Fatal("known inputs reported unknown")
	}
	want := iampolicy.KeySpec{
		Partition: "aws", Region: "us-east-1", AccountID: "111122223333",
		Administrators: []string{admin}, Users: []string{user},
		AllowCloudWatchLogs: true, AllowFlowLogsDelivery: true, AllowCloudTrail: true,
	}
	if !reflect.DeepEqual(spec, want) {
		t.Errorf("spec = %+v, want %+v", spec, want)
	}

	m.Users = types.SetValueMust(types.StringType, []attr.Value{types.StringUnknown()})
	if _, ok := keySpec(&m, testScope); ok {
		t.Error("a set with an unknown element must make the spec unknown")
	}
	m.Users = types.SetUnknown(types.StringType)
	if _, ok := keySpec(&m, testScope); ok {
		t.Error("an unknown set must make the spec unknown")
	}
}

// The import recovers exactly the inputs the policy was generated from, so a
// matching configuration plans no change.
func TestRecoverInputsRoundTrip(t *testing.T) {
	for _, spec := range []iampolicy.KeySpec{
		{},
		{AllowCloudWatchLogs: true},
		{Administrators: []string{admin}, Users: []string{user, "arn:aws:iam::111122223333:role/b"}, AllowCloudWatchLogs: true},
		{Users: []string{user}},
		{AllowCloudTrail: true, AllowCloudWatchLogs: true},
	} {
		spec.Partition, spec.Region, spec.AccountID = testScope.Partition, testScope.Region, testScope.AccountID
		doc, err := iampolicy.KeyPolicy(spec)
		if err != nil {
			t.Fatal(err)
		}
		got := recoverInputs(doc.JSON())
		back := spec
		back.Administrators, back.Users, back.AllowCloudWatchLogs = got.admins, got.users, got.allowLogs
		back.AllowCloudTrail = got.allowTrail
		again, err := iampolicy.KeyPolicy(back)
		if err != nil {
			t.Fatal(err)
		}
		if again.JSON() != doc.JSON() {
			t.Errorf("recovered %+v renders\n%s\nwant\n%s", got, again.JSON(), doc.JSON())
		}
	}
	if got := recoverInputs("not json"); len(got.admins)+len(got.users) != 0 || got.allowLogs {
		t.Errorf("garbage recovered %+v", got)
	}
}

func TestPolicyErrorDiagnosticNamesControlAndElement(t *testing.T) {
	spec := iampolicy.KeySpec{Partition: "aws", Region: "us-east-1", AccountID: "111122223333",
		Users: []string{user, "arn:aws:iam::111122223333:role/*"}}
	_, err := iampolicy.KeyPolicy(spec)
	if err == nil {
		t.Fatal("a wildcard user was accepted")
	}
	d := policyErrorDiagnostic(err)
	if !strings.HasPrefix(d.Summary(), "SS-IAM-2: ") {
		t.Errorf("summary %q does not lead with the control", d.Summary())
	}
	wp, ok := d.(diag.DiagnosticWithPath)
	want := path.Root("users").AtSetValue(types.StringValue("arn:aws:iam::111122223333:role/*"))
	if !ok || !wp.Path().Equal(want) {
		t.Errorf("diagnostic path = %v, want %v", d, want)
	}
	if !strings.Contains(d.Detail(), "Fix: ") {
		t.Errorf("detail lacks the fix: %q", d.Detail())
	}

	spec.Users = []string{admin}
	spec.Administrators = []string{admin}
	_, err = iampolicy.KeyPolicy(spec)
	d = policyErrorDiagnostic(err)
	if !strings.Contains(d.Summary(), "not both") {
		t.Errorf("summary %q", d.Summary())
	}
}

func TestAliasValidator(t *testing.T) {
	for alias, ok := range map[string]bool{
		"alias/ml-training":   true,
		"alias/team/ml_key":   true,
		"alias/aws/sagemaker": false,
		"ml-training":         false,
		"alias/":              false,
		"alias/with space":    false,
	} {
		req := validator.StringRequest{Path: path.Root("alias"), ConfigValue: types.StringValue(alias)}
		var resp validator.StringResponse
		aliasValidator{}.ValidateString(context.Background(), req, &resp)
		if resp.Diagnostics.HasError() == ok {
			t.Errorf("%q: error %v, want ok=%v", alias, resp.Diagnostics, ok)
		}
	}
}

func TestDriftWarningsNameTheControl(t *testing.T) {
	const arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	s := &guardrail.Subject{Kind: guardrail.KindKMSKey, Region: "us-east-1", KMSKeyARN: facts.Known(arn)}
	for _, tc := range []struct {
		state    string
		rotation bool
		edited   bool
		want     []string // summaries' control prefixes and a phrase of the detail
	}{
		{state: "Enabled", rotation: false, want: []string{"SS-KMS-2: ", "turns it back on"}},
		{state: "Disabled", rotation: true, want: []string{"SS-KMS-1: ", "re-enables it"}},
		{state: "PendingDeletion", rotation: true, want: []string{"SS-KMS-1: ", "cancels the deletion"}},
		{state: "Enabled", rotation: true, edited: true, want: []string{"SS-KMS-1: the policy", "restores the generated policy"}},
	} {
		s.Facts.Keys = map[string]facts.KeyFact{arn: {
			Ref: arn, Found: true, ARN: arn, Region: "us-east-1", Manager: "CUSTOMER", Spec: "SYMMETRIC_DEFAULT",
			Usage: "ENCRYPT_DECRYPT", State: tc.state, RotationEnabled: tc.rotation,
		}}
		diags := driftWarnings(guardrail.Evaluate(s, guardrail.DefaultPolicy()), tc.state, arn, tc.edited)
		if len(diags) != 1 || diags.HasError() {
			t.Fatalf("%+v: want one warning, got %v", tc, diags)
		}
		if !strings.HasPrefix(diags[0].Summary(), tc.want[0]) || !strings.Contains(diags[0].Detail(), tc.want[1]) {
			t.Errorf("%+v: got %q / %q", tc, diags[0].Summary(), diags[0].Detail())
		}
	}
	s.Facts.Keys[arn] = facts.KeyFact{Ref: arn, Found: true, ARN: arn, Region: "us-east-1", Manager: "CUSTOMER",
		Spec: "SYMMETRIC_DEFAULT", Usage: "ENCRYPT_DECRYPT", State: "Enabled", RotationEnabled: true}
	if diags := driftWarnings(guardrail.Evaluate(s, guardrail.DefaultPolicy()), "Enabled", arn, false); len(diags) != 0 {
		t.Errorf("a secure key produced warnings: %v", diags)
	}
}

func TestSchemaDescribesEveryAttribute(t *testing.T) {
	var resp resource.SchemaResponse
	(&kmsKeyResource{}).Schema(context.Background(), resource.SchemaRequest{}, &resp)
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
