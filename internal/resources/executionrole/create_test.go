package executionrole

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

func TestSaveReadBackDoesNotTaintOnTransientErrors(t *testing.T) {
	ctx := context.Background()
	var resp resource.SchemaResponse
	(&roleResource{}).Schema(ctx, resource.SchemaRequest{}, &resp)
	state := tfsdk.State{Schema: resp.Schema, Raw: tftypes.NewValue(resp.Schema.Type().TerraformType(ctx), nil)}
	m := importedModel("exec", recoveredInputs{purpose: "inference"})
	reads := 0
	transient := fmt.Errorf("role exec: %w", &smithyhttp.RequestSendError{Err: io.ErrUnexpectedEOF})
	read := func(context.Context, *resourceModel) (bool, error) { reads++; return false, transient }
	var diags diag.Diagnostics
	shared.SaveCreated(ctx, &m, read, []time.Duration{time.Millisecond, time.Millisecond}, "execution role exec", &state, &diags)
	if diags.HasError() || diags.WarningsCount() != 1 || reads != 3 {
		t.Fatalf("diags %v after %d reads: want one warning after 3 reads", diags, reads)
	}
	var saved resourceModel
	if d := state.Get(ctx, &saved); d.HasError() || saved.ID.ValueString() != "exec" {
		t.Fatalf("saved %v (%v)", saved.ID, d)
	}
}
