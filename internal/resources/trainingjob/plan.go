package trainingjob

import (
	"context"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// immutableChanges lists the job inputs that differ between plan and state.
func immutableChanges(plan, state model) []string {
	values := func(m model) map[string]attr.Value {
		return map[string]attr.Value{
			"name": m.Name, "name_prefix": m.NamePrefix, "role_arn": m.RoleARN, "image": m.Image,
			"input_channels": m.InputChannels, "output_s3_uri": m.OutputS3URI, "checkpoint_s3_uri": m.CheckpointS3URI,
			"instance_type": m.InstanceType, "instance_count": m.InstanceCount, "volume_size_gb": m.VolumeSizeGB,
			"kms_key_arn": m.KMSKeyARN, "vpc": m.VPC, "max_runtime_seconds": m.MaxRuntimeSeconds, "use_spot": m.UseSpot,
			"max_wait_seconds": m.MaxWaitSeconds, "hyperparameters": m.Hyperparameters, "environment": m.Environment,
		}
	}
	p, s := values(plan), values(state)
	var changed []string
	for _, a := range immutableAttributes {
		if !p[a].Equal(s[a]) {
			changed = append(changed, a)
		}
	}
	return changed
}

// lostForcedControls returns the forced controls of the job itself that the
// live job fails (absent from the state's controls) and the plan satisfies.
func lostForcedControls(state types.List, planned []string) []string {
	if state.IsNull() || state.IsUnknown() {
		return nil
	}
	have := map[string]bool{}
	for _, v := range state.Elements() {
		if s, ok := v.(types.String); ok {
			have[s.ValueString()] = true
		}
	}
	if len(have) == 0 {
		return nil // never checked (for example a create that stopped half-way)
	}
	var lost []string
	for _, id := range replacingControls {
		if !have[id] && slices.Contains(planned, id) {
			lost = append(lost, id)
		}
	}
	return lost
}

func sameControls(ctx context.Context, state types.List, ids []string) bool {
	if state.IsNull() || state.IsUnknown() {
		return false
	}
	var have []string
	if d := state.ElementsAs(ctx, &have, false); d.HasError() {
		return false
	}
	return slices.Equal(have, ids)
}
