package shared

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
)

// ReadBackWaits are the pauses between reads of an object just created,
// while it is not visible yet or a read fails for a transient reason (about
// 7 s in all, on top of the SDK's own retries).
var ReadBackWaits = []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second}

// SaveCreated ends a Create: it reads the new object back into a copy of m
// with read and saves that. An object not visible yet (IAM and KMS are
// eventually consistent) is read again after each of waits. When the reads
// keep failing for a transient reason, it saves what the apply knows (m: the
// plan with the object's ID) with a warning: an error would taint the new
// object and make the next apply replace it; the next refresh reads it
// instead. A read that says the object does not exist after every wait, or
// fails for a lasting reason, is an error. what names the object in
// messages ("KMS key 1234").
func SaveCreated[M any](ctx context.Context, m *M, read func(context.Context, *M) (found bool, err error), waits []time.Duration,
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
		diags.Append(NullUnknowns(state)...)
	}
	diags.AddWarning("Reading the new "+what+" back failed",
		fmt.Sprintf("It was created and is saved as planned; the next refresh reads it. The last read failed with: %v", err))
}

// NullUnknowns replaces the values of state that are still unknown (none
// is expected once the ID is set) with nulls, which Terraform accepts after
// apply.
func NullUnknowns(state *tfsdk.State) diag.Diagnostics {
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
