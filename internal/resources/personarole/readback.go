package personarole

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

// saveCreated ends a Create: it reads the new role back into m and saves it
// (shared.SaveCreated: a role not visible yet is read again, IAM being
// eventually consistent; transient failures save the plan with a warning
// instead of tainting the role).
func (r *roleResource) saveCreated(ctx context.Context, m *resourceModel, state *tfsdk.State, diags *diag.Diagnostics) {
	read := func(ctx context.Context, m *resourceModel) (bool, error) {
		found, _, err := r.read(ctx, m) // drift is dropped: the apply just wrote every setting
		return found, err
	}
	shared.SaveCreated(ctx, m, read, shared.ReadBackWaits, "persona role "+m.ID.ValueString(), state, diags)
}
