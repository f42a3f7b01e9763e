// Package schemautil holds schema pieces shared by the resources.
package schemautil

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// TimeoutsBlock is terraform-plugin-framework-timeouts' `timeouts { }`
// block with a description of its own (the library sets none on the
// block, only on its attributes).
func TimeoutsBlock(ctx context.Context, opts timeouts.Opts, description string) schema.Block {
	b := timeouts.Block(ctx, opts)
	if nb, ok := b.(schema.SingleNestedBlock); ok {
		nb.MarkdownDescription = description
		return nb
	}
	return b
}
