package kmskey

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
)

// readBackWaits are the pauses between reads of a key just created, while
// it is not visible yet or a read fails for a transient reason (about 7 s
// in all, on top of the SDK's own retries).
var readBackWaits = []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second}

// saveCreated ends a Create: it reads the new key back into m and saves
// it. A key not visible yet is read again for a short while. When the reads
// keep failing for a transient reason, it saves what the apply knows (the
// plan, with the key's ID) with a warning: an error would taint the new key
// and make the next apply replace it; the next refresh reads it instead.
func (r *kmsKeyResource) saveCreated(ctx context.Context, m *model, state *tfsdk.State, diags *diag.Diagnostics) {
	read := func(ctx context.Context, m *model) (bool, error) {
		found, _, err := r.read(ctx, m) // drift is dropped: the apply just wrote every setting
		return found, err
	}
	saveReadBack(ctx, m, read, readBackWaits, "KMS key "+m.ID.ValueString(), state, diags)
}

// saveReadBack is saveCreated's loop, apart from the resource for tests.
// It and nullUnknowns are the same in executionrole: a candidate for
// internal/shared (SaveCreated) once both settle.
func saveReadBack(ctx context.Context, m *model, read func(context.Context, *model) (bool, error), waits []time.Duration,
	what string, state *tfsdk.State, diags *diag.Diagnostics) {
	var err error
	for attempt := 0; ; attempt++ {
		got := *m
		var found bool
		found, err = read(ctx, &got)
		switch {
		case err == nil && found:
			diags.Append(state.Set(ctx, &got)...)
			return
		case err != nil && !idem.Retryable(err):
			diags.AddError("Reading the new "+what+" failed", err.Error())
			return
		}
		if attempt == len(waits) {
			break
		}
		select {
		case <-ctx.Done():
			diags.AddError("Reading the new "+what+" failed", ctx.Err().Error())
			return
		case <-time.After(waits[attempt]):
		}
	}
	if err == nil {
		diags.AddError("The new "+what+" was not found", "It was created, but reading it back kept answering that it does not exist.")
		return
	}
	diags.Append(state.Set(ctx, m)...)
	if !diags.HasError() {
		diags.Append(nullUnknowns(state)...)
	}
	diags.AddWarning("Reading the new "+what+" back failed",
		fmt.Sprintf("It was created and is saved as planned; the next refresh reads it. The last read failed with: %v", err))
}

// nullUnknowns replaces the values of state that are still unknown (none
// is expected once the ID is set) with nulls, which Terraform accepts after
// apply.
func nullUnknowns(state *tfsdk.State) diag.Diagnostics {
	var diags diag.Diagnostics
	raw, err := tftypes.Transform(state.Raw, func(_ *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if !v.IsKnown() {
			return tftypes.NewValue(v.Type(), nil), nil
		}
		return v, nil
	})
	if err != nil {
		diags.AddError("Saving the new object failed", err.Error())
		return diags
	}
	state.Raw = raw
	return diags
}
