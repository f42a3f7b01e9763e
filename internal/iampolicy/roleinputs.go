package iampolicy

import (
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// This file is the Terraform face of the execution-role builders: the
// attributes sagesafe_execution_role and the sagesafe_execution_role_policy
// data source both take, and the one function that renders them. Both
// packages use it, so neither imports the other and they always produce the
// same JSON.

// ExecutionRolePolicyName is the name of the one inline policy sagesafe puts
// on an execution role.
const ExecutionRolePolicyName = "sagesafe-execution"

// Scope is the partition, region and account documents are built for: the
// provider's.
type Scope struct {
	Partition, Region, AccountID string
}

// RoleInputs are the attributes an execution role's trust and permission
// policies are built from. The resource and the data source embed it.
type RoleInputs struct {
	Purpose             types.String `tfsdk:"purpose"`
	S3ReadURIs          types.Set    `tfsdk:"s3_read_uris"`
	S3WriteURIs         types.Set    `tfsdk:"s3_write_uris"`
	KMSKeyARNs          types.Set    `tfsdk:"kms_key_arns"`
	ECRRepositoryARNs   types.Set    `tfsdk:"ecr_repository_arns"`
	VPCSubnetIDs        types.Set    `tfsdk:"vpc_subnet_ids"`
	VPCSecurityGroupIDs types.Set    `tfsdk:"vpc_security_group_ids"`
}

// RoleDocuments is the pair of documents an execution role carries.
type RoleDocuments struct {
	Trust  Document
	Policy Document
}

// ControlText returns the rationale and fix of a guardrail control, which a
// refusal's diagnostic adds to its detail. The catalog lives in package
// guardrail, which this package must not import (guardrail may use the
// parsers here), so callers pass guardrail.Lookup's text in.
type ControlText func(control string) (rationale, fix string, ok bool)

// roleInputFields maps RoleSpec fields to the attributes they come from.
var roleInputFields = map[string]string{
	"Purpose":           "purpose",
	"S3ReadURIs":        "s3_read_uris",
	"S3WriteURIs":       "s3_write_uris",
	"KMSKeyARNs":        "kms_key_arns",
	"ECRRepositoryARNs": "ecr_repository_arns",
	"SubnetIDs":         "vpc_subnet_ids",
	"SecurityGroupIDs":  "vpc_security_group_ids",
}

// RenderRole builds the trust policy and the inline permission policy from
// inputs with TrustPolicy and ExecutionPolicy. It is the only place either is
// built for sagesafe_execution_role and sagesafe_execution_role_policy.
//
// known is false when an input is not known yet; the documents are then
// known only at apply, but every known element has still been validated, so
// a refused value (a wildcard S3 URI: SS-IAM-2; an https:// URL: SS-TLS-2;
// ...) fails the plan as early as possible. Refusals are returned as
// attribute errors whose summary starts with the control ID.
func RenderRole(in RoleInputs, sc Scope, text ControlText) (docs RoleDocuments, known bool, diags diag.Diagnostics) {
	spec, known := in.spec(sc)
	if !known {
		diags.Append(in.validateKnown(sc, text)...)
		return RoleDocuments{}, false, diags
	}
	trust, err := TrustPolicy(spec)
	if err != nil {
		diags.Append(roleRefusal(err, text))
		return RoleDocuments{}, false, diags
	}
	policy, err := ExecutionPolicy(spec)
	if err != nil {
		diags.Append(roleRefusal(err, text))
		return RoleDocuments{}, false, diags
	}
	return RoleDocuments{Trust: trust, Policy: policy}, true, diags
}

// spec converts the inputs; known is false when any of them is unknown.
func (in RoleInputs) spec(sc Scope) (RoleSpec, bool) {
	read, okR := knownStrings(in.S3ReadURIs)
	write, okW := knownStrings(in.S3WriteURIs)
	keys, okK := knownStrings(in.KMSKeyARNs)
	repos, okE := knownStrings(in.ECRRepositoryARNs)
	subnets, okS := knownStrings(in.VPCSubnetIDs)
	groups, okG := knownStrings(in.VPCSecurityGroupIDs)
	spec := RoleSpec{
		Partition:         sc.Partition,
		Region:            sc.Region,
		AccountID:         sc.AccountID,
		Purpose:           Purpose(in.Purpose.ValueString()),
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
func (in RoleInputs) validateKnown(sc Scope, text ControlText) diag.Diagnostics {
	var diags diag.Diagnostics
	full, _ := in.spec(sc)
	base := RoleSpec{Partition: sc.Partition, Region: sc.Region, AccountID: sc.AccountID, Purpose: PurposeTraining}
	if in.Purpose.IsUnknown() {
		full.Purpose = PurposeTraining
	}
	if err := full.Purpose.Validate(); err != nil {
		diags.Append(roleRefusal(err, text))
		return diags
	}
	check := func(set func(*RoleSpec)) {
		spec := base
		set(&spec)
		if _, err := ExecutionPolicy(spec); err != nil {
			diags.Append(roleRefusal(err, text))
		}
	}
	check(func(s *RoleSpec) { s.S3ReadURIs, s.S3WriteURIs = full.S3ReadURIs, full.S3WriteURIs })
	check(func(s *RoleSpec) { s.KMSKeyARNs = full.KMSKeyARNs })
	check(func(s *RoleSpec) { s.ECRRepositoryARNs = full.ECRRepositoryARNs })
	// Subnets and security groups must come together; while one side is
	// unknown, check the other against a placeholder partner.
	if len(full.SubnetIDs) > 0 {
		check(func(s *RoleSpec) { s.SubnetIDs, s.SecurityGroupIDs = full.SubnetIDs, []string{"sg-00000000"} })
	}
	if len(full.SecurityGroupIDs) > 0 {
		check(func(s *RoleSpec) {
			s.SubnetIDs, s.SecurityGroupIDs = []string{"subnet-00000000"}, full.SecurityGroupIDs
		})
	}
	return diags
}

func roleRefusal(err error, text ControlText) diag.Diagnostic {
	return RefusalDiagnostic(err, "execution role", roleInputFields, text)
}

// RefusalDiagnostic turns a builder refusal into an error on the attribute
// (and set element) at fault; fields maps spec fields to attribute names and
// object names the document in the summary of an error that names no
// control ("Invalid key policy input: ..."). The summary leads with the
// control the input violates ("SS-IAM-2: ..."); the detail adds the
// control's rationale and fix.
func RefusalDiagnostic(err error, object string, fields map[string]string, text ControlText) diag.Diagnostic {
	var e *Error
	if !errors.As(err, &e) {
		return diag.NewErrorDiagnostic("Invalid "+object+" input", err.Error())
	}
	attr, hasAttr := fields[e.Field]
	summary := "Invalid " + object + " input: " + e.Reason
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
	if e.Control != "" && text != nil {
		if rationale, fix, ok := text(e.Control); ok {
			detail += "\n" + rationale + "\nFix: " + fix
		}
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

// knownStrings returns the known string elements of a set. ok is false when
// the set or any element is unknown (the known ones are still returned, for
// validateKnown); a null set gives (nil, true).
func knownStrings(v types.Set) ([]string, bool) {
	if v.IsNull() {
		return nil, true
	}
	if v.IsUnknown() {
		return nil, false
	}
	out := make([]string, 0, len(v.Elements()))
	allKnown := true
	for _, e := range v.Elements() {
		if e.IsUnknown() {
			allKnown = false
			continue
		}
		if s, ok := e.(types.String); ok && !s.IsNull() {
			out = append(out, s.ValueString())
		}
	}
	return out, allKnown
}
