package endpoint

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Default waits. Endpoints routinely take 10 to 20 minutes to create, and an
// update bakes in several stages, so these are generous; each is a bound,
// not a sleep.
const (
	DefaultCreateTimeout = 60 * time.Minute
	DefaultUpdateTimeout = 90 * time.Minute
	DefaultDeleteTimeout = 30 * time.Minute
)

// The timeouts block has the shape of terraform-plugin-framework-timeouts'
// Block (create, update, delete as Go duration strings). It is implemented
// here because that module is not a dependency of this provider.
var timeoutsAttrTypes = map[string]attr.Type{
	"create": types.StringType,
	"update": types.StringType,
	"delete": types.StringType,
}

type timeoutsModel struct {
	Create types.String `tfsdk:"create"`
	Update types.String `tfsdk:"update"`
	Delete types.String `tfsdk:"delete"`
}

func timeoutsBlock(_ context.Context) schema.SingleNestedBlock {
	attr := func(op string, d time.Duration) schema.StringAttribute {
		return schema.StringAttribute{
			Optional: true,
			MarkdownDescription: fmt.Sprintf("How long %s may take, as a Go duration (`30s`, `45m`, `2h`). Default `%s`.",
				op, shortDuration(d)),
			Validators: []validator.String{durationValidator{}},
		}
	}
	return schema.SingleNestedBlock{
		MarkdownDescription: "Bounds for the waits of create (until `InService`), update (until the new configuration serves) and " +
			"delete (until the endpoint and its network interfaces are gone).",
		Attributes: map[string]schema.Attribute{
			"create": attr("creating the endpoint", DefaultCreateTimeout),
			"update": attr("updating the endpoint", DefaultUpdateTimeout),
			"delete": attr("deleting the endpoint", DefaultDeleteTimeout),
		},
	}
}

// timeout returns the configured duration for op, or def.
func timeout(ctx context.Context, obj types.Object, op string, def time.Duration) time.Duration {
	if obj.IsNull() || obj.IsUnknown() {
		return def
	}
	var t timeoutsModel
	if diags := obj.As(ctx, &t, objectAsOptions); diags.HasError() {
		return def
	}
	var v types.String
	switch op {
	case "create":
		v = t.Create
	case "update":
		v = t.Update
	case "delete":
		v = t.Delete
	}
	if v.IsNull() || v.IsUnknown() {
		return def
	}
	d, err := time.ParseDuration(v.ValueString())
	if err != nil || d <= 0 {
		return def
	}
	return d
}

func shortDuration(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%dh", int(d/time.Hour))
	}
	return fmt.Sprintf("%dm", int(d/time.Minute))
}

type durationValidator struct{}

func (durationValidator) Description(context.Context) string {
	return "must be a positive Go duration such as 30m or 2h"
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	d, err := time.ParseDuration(req.ConfigValue.ValueString())
	if err != nil || d <= 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid timeout",
			fmt.Sprintf("%q is not a positive duration such as 30m or 2h.", req.ConfigValue.ValueString()))
	}
}
