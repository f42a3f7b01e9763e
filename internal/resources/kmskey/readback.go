package kmskey

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

// saveCreated ends a Create: it reads the new key back into m and saves it
// (shared.SaveCreated: a key not visible yet is read again; transient
// failures save the plan with a warning instead of tainting the key).
func (r *kmsKeyResource) saveCreated(ctx context.Context, m *model, state *tfsdk.State, diags *diag.Diagnostics) {
	read := func(ctx context.Context, m *model) (bool, error) {
		found, _, err := r.read(ctx, m) // drift is dropped: the apply just wrote every setting
		return found, err
	}
	shared.SaveCreated(ctx, m, read, shared.ReadBackWaits, "KMS key "+m.ID.ValueString(), state, diags)
}
