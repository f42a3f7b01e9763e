package shared

import (
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// IDAttribute is a resource's id (as hashicorp/aws's resources have one):
// what names the object, e.g. "The endpoint's name (the same as `name`).".
// Kept from state once known.
func IDAttribute(description string) schema.StringAttribute {
	return schema.StringAttribute{
		Computed:            true,
		MarkdownDescription: description,
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
}

// TagsAllAttribute is a resource's tags_all, as hashicorp/aws's: its tags
// merged over the provider's default_tags, as AWS holds them (keys under the
// provider's ignore_tags left out). what names what carries the tags ("The
// job's and its alarms'").
func TagsAllAttribute(what string) schema.MapAttribute {
	return schema.MapAttribute{
		ElementType: types.StringType,
		Computed:    true,
		MarkdownDescription: what + " tags, including the provider's `default_tags` (the resource's own `tags` win), " +
			"without the keys the provider's `ignore_tags` names.",
	}
}
