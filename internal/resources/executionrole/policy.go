package executionrole

import (
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
)

// Scope is the partition, region and account the policies are built for
// (the provider's).
type Scope struct {
	Partition, Region, AccountID string
}

// Rendered is the pair of documents an execution role carries.
type Rendered struct {
	Trust  iampolicy.Document
	Policy iampolicy.Document
}

// specFields maps iampolicy.RoleSpec fields to the attributes they come from.
var specFields = map[string]string{
	"Purpose":           "purpose",
	"S3ReadURIs":        "s3_read_uris",
	"S3WriteURIs":       "s3_write_uris",
	"KMSKeyARNs":        "kms_key_arns",
	"ECRRepositoryARNs": "ecr_repository_arns",
	"SubnetIDs":         "vpc_subnet_ids",
	"SecurityGroupIDs":  "vpc_security_group_ids",
}

// Render builds the trust policy and the inline permission policy from
// inputs with iampolicy.TrustPolicy and iampolicy.ExecutionPolicy. It is the
// only place either is built for sagesafe_execution_role and
// sagesafe_execution_role_policy.
//
// known is false when an input is not known yet; the documents are then
// known only at apply, but every known element has still been validated, so
// a refused value (a wildcard S3 URI: SS-IAM-2; an https:// URL: SS-TLS-2;
// ...) fails the plan as early as possible. Refusals are returned as
// attribute errors whose summary starts with the control ID.
func Render(in PolicyInputs, sc Scope) (r Rendered, known bool, diags diag.Diagnostics) {
	spec, known := roleSpec(in, sc)
	if !known {
		diags.Append(validateKnown(in, sc)...)
		return Rendered{}, false, diags
	}
	trust, err := iampolicy.TrustPolicy(spec)
	if err != nil {
		diags.Append(ErrorDiagnostic(err))
		return Rendered{}, false, diags
	}
	policy, err := iampolicy.ExecutionPolicy(spec)
	if err != nil {
		diags.Append(ErrorDiagnostic(err))
		return Rendered{}, false, diags
	}
	return Rendered{Trust: trust, Policy: policy}, true, diags
}

// roleSpec converts inputs; known is false when any of them is unknown.
func roleSpec(in PolicyInputs, sc Scope) (iampolicy.RoleSpec, bool) {
	read, okR := knownStrings(in.S3ReadURIs)
	write, okW := knownStrings(in.S3WriteURIs)
	keys, okK := knownStrings(in.KMSKeyARNs)
	repos, okE := knownStrings(in.ECRRepositoryARNs)
	subnets, okS := knownStrings(in.VPCSubnetIDs)
	groups, okG := knownStrings(in.VPCSecurityGroupIDs)
	spec := iampolicy.RoleSpec{
		Partition:         sc.Partition,
		Region:            sc.Region,
		AccountID:         sc.AccountID,
		Purpose:           iampolicy.Purpose(in.Purpose.ValueString()),
		S3ReadURIs:        read,
		S3WriteURIs:       write,
		KMSKeyARNs:        keys,
		ECRRepositoryARNs: repos,
		SubnetIDs:         subnets,
		SecurityGroupIDs:  groups,
	}
	return spec, okR && okW && okK && okE && okS && okG && !in.Purpose.IsUnknown()
}

// validateKnown checks each input's known elements on its own, for plans in
// which some values are known only after apply.
func validateKnown(in PolicyInputs, sc Scope) diag.Diagnostics {
	var diags diag.Diagnostics
	full, _ := roleSpec(in, sc)
	base := iampolicy.RoleSpec{Partition: sc.Partition, Region: sc.Region, AccountID: sc.AccountID, Purpose: iampolicy.PurposeTraining}
	if in.Purpose.IsUnknown() {
		full.Purpose = iampolicy.PurposeTraining
	}
	if err := full.Purpose.Validate(); err != nil {
		diags.Append(ErrorDiagnostic(err))
		return diags
	}
	check := func(set func(*iampolicy.RoleSpec)) {
		spec := base
		set(&spec)
		if _, err := iampolicy.ExecutionPolicy(spec); err != nil {
			diags.Append(ErrorDiagnostic(err))
		}
	}
	check(func(s *iampolicy.RoleSpec) { s.S3ReadURIs, s.S3WriteURIs = full.S3ReadURIs, full.S3WriteURIs })
	check(func(s *iampolicy.RoleSpec) { s.KMSKeyARNs = full.KMSKeyARNs })
	check(func(s *iampolicy.RoleSpec) { s.ECRRepositoryARNs = full.ECRRepositoryARNs })
	// Subnets and security groups must come together; while one side is
	// unknown, check the other against a placeholder partner.
	if len(full.SubnetIDs) > 0 {
		check(func(s *iampolicy.RoleSpec) { s.SubnetIDs, s.SecurityGroupIDs = full.SubnetIDs, []string{"sg-00000000"} })
	}
	if len(full.SecurityGroupIDs) > 0 {
		check(func(s *iampolicy.RoleSpec) {
			s.SubnetIDs, s.SecurityGroupIDs = []string{"subnet-00000000"}, full.SecurityGroupIDs
		})
	}
	return diags
}

// ErrorDiagnostic turns an iampolicy refusal into an error on the attribute
// (and set element) at fault. The summary leads with the control the input
// violates ("SS-IAM-2: ..."); the detail adds the control's rationale and fix.
func ErrorDiagnostic(err error) diag.Diagnostic {
	var e *iampolicy.Error
	if !errors.As(err, &e) {
		return diag.NewErrorDiagnostic("Invalid execution role input", err.Error())
	}
	attr, hasAttr := specFields[e.Field]
	summary := "Invalid execution role input: " + e.Reason
	if e.Control != "" {
		summary = e.Control + ": " + e.Reason
	}
	detail := err.Error()
	if hasAttr {
		detail = attr
		if e.Value != "" {
			detail += fmt.Sprintf(" %q", e.Value)
		}
		detail += ": " + e.Reason
	}
	if c, ok := guardrail.Lookup(e.Control); ok {
		detail += "\n" + c.Rationale + "\nFix: " + c.Fix
	}
	if !hasAttr {
		return diag.NewErrorDiagnostic(summary, detail)
	}
	p := path.Root(attr)
	if e.Index >= 0 && e.Value != "" {
		p = p.AtSetValue(types.StringValue(e.Value))
	}
	return diag.NewAttributeErrorDiagnostic(p, summary, detail)
}
