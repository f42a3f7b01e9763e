package executionrole

import (
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iamrole"
)

func (r *roleResource) scope() iampolicy.Scope {
	return iampolicy.Scope{Partition: r.data.AWS.Partition, Region: r.data.AWS.Region, AccountID: r.data.AWS.AccountID}
}

// render builds the documents for a plan whose inputs are all known (apply).
func (r *roleResource) render(m *resourceModel, diags *diag.Diagnostics) (iampolicy.RoleDocuments, bool) {
	docs, known, d := iampolicy.RenderRole(m.RoleInputs, r.scope(), guardrail.ControlText)
	diags.Append(d...)
	if diags.HasError() {
		return iampolicy.RoleDocuments{}, false
	}
	if !known {
		diags.AddError("Execution role inputs are unknown", "Every input must be known at apply. This is a bug in the provider.")
		return iampolicy.RoleDocuments{}, false
	}
	return docs, true
}

// createRoleInput is the CreateRole request for the planned role: the
// generated trust policy and the planned tags (the inline policy is put
// right after).
func createRoleInput(name string, plan *resourceModel, docs iampolicy.RoleDocuments, tags map[string]string) *iam.CreateRoleInput {
	return iamrole.CreateInput(name, docs.Trust.JSON(), plan.MaxSessionDuration.ValueInt64(), plan.PermissionsBoundaryARN.ValueString(), tags)
}
