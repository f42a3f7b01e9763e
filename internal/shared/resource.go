package shared

import (
	"context"
	"maps"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Refresh reads a resource's object from AWS into its model m (built from
// state or plan) and re-checks its posture. found is false when AWS no
// longer knows the object; drift holds one warning per setting weakened
// outside Terraform (m then holds the live values, so the plan shows the way
// back); diags holds the errors.
type Refresh[M any] func(ctx context.Context, m *M) (found bool, drift, diags diag.Diagnostics)

// Read is the body of a resource's Read for a resource that has a Refresh:
// it refreshes the state and writes it back with the drift warnings, or
// removes the resource when its object is gone (Terraform then plans to
// create it again; Read never fails on "not found"). object names the object
// in the log ("KMS key").
func Read[M any](ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse, refresh Refresh[M], object string) {
	var state M
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	found, drift, diags := refresh(ctx, &state)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !found {
		tflog.Warn(ctx, object+" not found, removing it from state")
		resp.State.RemoveResource(ctx)
		return
	}
	resp.Diagnostics.Append(drift...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// SaveRefreshed ends a Create or Update: it refreshes m from AWS, so state
// holds what AWS now says, and saves it. Drift warnings are dropped: the
// apply has just written every setting.
func SaveRefreshed[M any](ctx context.Context, m *M, refresh Refresh[M], state *tfsdk.State, diags *diag.Diagnostics) {
	if _, _, d := refresh(ctx, m); d.HasError() {
		diags.Append(d...)
		return
	}
	diags.Append(state.Set(ctx, m)...)
}

// ReconcileTags makes an object's tags want, given the tags it has: untag
// removes keys (sorted), tag adds or changes tags; each is called only when
// there is something to do.
func ReconcileTags(have, want map[string]string, untag func(keys []string) error, tag func(set map[string]string) error) error {
	remove, set := tagChanges(have, want)
	if len(remove) > 0 {
		if err := untag(remove); err != nil {
			return err
		}
	}
	if len(set) > 0 {
		return tag(set)
	}
	return nil
}

// tagChanges returns what turns the tags have into want: the keys to remove,
// sorted, and the tags to add or change.
func tagChanges(have, want map[string]string) (remove []string, set map[string]string) {
	for _, k := range slices.Sorted(maps.Keys(have)) {
		if _, ok := want[k]; !ok {
			remove = append(remove, k)
		}
	}
	set = maps.Clone(want)
	maps.DeleteFunc(set, func(k, v string) bool {
		hv, ok := have[k]
		return ok && hv == v
	})
	return remove, set
}

// OwnTags returns the tags of live that do not come from defaults (the
// provider's default_tags, with the same value): what an imported resource's
// own tags attribute holds.
func OwnTags(live, defaults map[string]string) map[string]string {
	own := maps.Clone(live)
	maps.DeleteFunc(own, func(k, v string) bool {
		dv, ok := defaults[k]
		return ok && dv == v
	})
	return own
}

// Collect returns the items of every page of an aws-sdk-go-v2 paginator,
// given its HasMorePages and NextPage methods and what to take from a page:
//
//	p := kms.NewListAliasesPaginator(kc, in)
//	aliases, err := shared.Collect(ctx, p.HasMorePages, p.NextPage,
//		func(page *kms.ListAliasesOutput) []kmstypes.AliasListEntry { return page.Aliases })
func Collect[P, O, T any](ctx context.Context, more func() bool, next func(context.Context, ...func(O)) (P, error), items func(P) []T) ([]T, error) {
	var all []T
	for more() {
		page, err := next(ctx)
		if err != nil {
			return nil, err
		}
		all = append(all, items(page)...)
	}
	return all, nil
}
