package iamrole

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

// ReadFunc reads a role resource's state from IAM: found is false when the
// role is gone; drift warns of what changed outside Terraform; err is a
// failure, kept as an error so that a caller can tell a transient one.
type ReadFunc[M any] func(ctx context.Context, m *M) (found bool, drift diag.Diagnostics, err error)

// Read finds the role c names and flattens it into c; live is nil when the
// role is gone.
func (c *Common) Read(ctx context.Context, ic *iam.Client) (*Live, error) {
	name := c.ID.ValueString()
	live, err := Find(ctx, ic, name)
	if IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("role %s: %w", name, err)
	}
	c.Flatten(live)
	return live, nil
}

// Refresh is read as a shared.Refresh: a failure is an error diagnostic
// naming what ("execution role").
func Refresh[M any](read ReadFunc[M], what string) shared.Refresh[M] {
	return func(ctx context.Context, m *M) (found bool, drift, diags diag.Diagnostics) {
		found, drift, err := read(ctx, m)
		if err != nil {
			diags.AddError("Reading the "+what+" failed", err.Error())
			return false, nil, diags
		}
		return found, drift, nil
	}
}

// SaveCreated ends a Create: it reads the new role back into m and saves it
// (shared.SaveCreated: a role not visible yet is read again, IAM being
// eventually consistent; transient failures save the plan with a warning
// instead of tainting the role). The drift is dropped: the apply just wrote
// every setting.
func SaveCreated[M any](ctx context.Context, m *M, read ReadFunc[M], what string, state *tfsdk.State, diags *diag.Diagnostics) {
	readBack := func(ctx context.Context, m *M) (bool, error) {
		found, _, err := read(ctx, m)
		return found, err
	}
	shared.SaveCreated(ctx, m, readBack, shared.ReadBackWaits, what, state, diags)
}
