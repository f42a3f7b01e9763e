package personarole

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// defaultTimeout bounds each operation when timeouts are not set: IAM
// answers at once, so this covers retries and the read-back.
const defaultTimeout = 5 * time.Minute

// withTimeout bounds ctx by one of the timeouts block's values.
func withTimeout(ctx context.Context, get func(context.Context, time.Duration) (time.Duration, diag.Diagnostics), diags *diag.Diagnostics) (context.Context, context.CancelFunc, bool) {
	d, dd := get(ctx, defaultTimeout)
	diags.Append(dd...)
	if diags.HasError() {
		return ctx, func() {}, false
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	return ctx, cancel, true
}
