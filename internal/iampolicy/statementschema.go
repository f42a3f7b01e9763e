package iampolicy

import (
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
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

// StatementControlsAttribute is the computed list of StatementControlType
// objects, as a nested attribute so that each field carries its own
// description in the docs (a list of objects cannot describe its fields).
func StatementControlsAttribute(description string) schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		Computed:            true,
		MarkdownDescription: description,
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"sid": schema.StringAttribute{Computed: true,
				MarkdownDescription: "The statement's `Sid` in the policy document."},
			"control": schema.StringAttribute{Computed: true,
				MarkdownDescription: "ID of the guardrail control the statement enforces, such as `SS-NET-1`."},
			"title": schema.StringAttribute{Computed: true,
				MarkdownDescription: "The control's title in the Guardrails guide."},
		}},
	}
}

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
