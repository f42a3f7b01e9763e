package executionrole

import (
	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iamrole"
)

func (r *roleResource) scope() iampolicy.Scope {
	return iampolicy.Scope{Partition: r.data.AWS.Partition, Region: r.data.AWS.Region, AccountID: r.data.AWS.AccountID}
}

// documents are the role's documents as iamrole takes them.
func documents(docs iampolicy.RoleDocuments) iamrole.Documents {
	return iamrole.Documents{Keep: iampolicy.ExecutionRolePolicyName, Trust: docs.Trust.JSON(), Policy: docs.Policy.JSON()}
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
