package iampolicy

import (
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// StatementControlType is the element of the data sources' lists that map a policy's
// statements to controls (sagesafe_guardrail_policy's statements, sagesafe_persona_policy's
// statement_controls): the statement's sid, the control it enforces and that control's title.
var StatementControlType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"sid":     types.StringType,
	"control": types.StringType,
	"title":   types.StringType,
}}

// StatementControlsValue lists controls as StatementControlType objects, in policy order.
// title names a control (the catalog's title, "" when unknown); it is passed in because the
// catalog (package guardrail) is not imported here.
func StatementControlsValue(controls []StatementControl, title func(control string) string) (types.List, diag.Diagnostics) {
	var diags diag.Diagnostics
	elems := make([]attr.Value, 0, len(controls))
	for _, sc := range controls {
		obj, d := types.ObjectValue(StatementControlType.AttrTypes, map[string]attr.Value{
			"sid":     types.StringValue(sc.Sid),
			"control": types.StringValue(sc.Control),
			"title":   types.StringValue(title(sc.Control)),
		})
		diags.Append(d...)
		elems = append(elems, obj)
	}
	l, d := types.ListValue(StatementControlType, elems)
	diags.Append(d...)
	return l, diags
}
