// The plan (or state) decoded into values the guardrails and the request
// builders share.

package processingjob

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/sagemakerjob"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// inputs is a plan (or state) decoded into guardrail values: unknown stays
// unknown, absent stays null.
type inputs struct {
	Name              facts.Value[string]
	RoleARN           facts.Value[string]
	Image             facts.Value[string]
	Entrypoint        facts.Value[[]string]
	Arguments         facts.Value[[]string]
	Environment       facts.Value[map[string]string]
	Inputs            []location
	Outputs           []location
	LocationsKnown    bool // both lists are known
	InstanceType      facts.Value[string]
	InstanceCount     facts.Value[int64]
	VolumeSizeGB      facts.Value[int64]
	KMSKey            facts.Value[string]
	SubnetIDs         facts.Value[[]string]
	SecurityGroupIDs  facts.Value[[]string]
	MaxRuntimeSeconds facts.Value[int64]
	Tags              facts.Value[map[string]string] // the resource's own tags
	Alarms            alarmSettings
}

// location is one input or output.
type location struct {
	Name, S3URI, LocalPath facts.Value[string]
}

// alarmSettings are the alarm block's values with defaults applied.
type alarmSettings struct {
	Actions    facts.Value[[]string] // null: the provider's alarm_actions
	Thresholds alarms.TrainingThresholds
}

func decode(ctx context.Context, m model) (inputs, diag.Diagnostics) {
	var diags diag.Diagnostics
	in := inputs{
		Name:              tfval.String(m.Name),
		RoleARN:           tfval.String(m.RoleARN),
		Image:             tfval.String(m.Image),
		Entrypoint:        tfval.Strings(ctx, m.Entrypoint, &diags),
		Arguments:         tfval.Strings(ctx, m.Arguments, &diags),
		Environment:       tfval.StringMap(ctx, m.Environment, &diags),
		InstanceType:      tfval.String(m.InstanceType),
		InstanceCount:     tfval.Int64(m.InstanceCount),
		VolumeSizeGB:      tfval.Int64(m.VolumeSizeGB),
		KMSKey:            tfval.String(m.KMSKeyARN),
		MaxRuntimeSeconds: tfval.Int64(m.MaxRuntimeSeconds),
		Tags:              tfval.StringMap(ctx, m.Tags, &diags),
	}
	var inKnown, outKnown bool
	in.Inputs, inKnown = decodeLocations(ctx, m.Inputs, &diags)
	in.Outputs, outKnown = decodeLocations(ctx, m.Outputs, &diags)
	in.LocationsKnown = inKnown && outKnown
	in.SubnetIDs, in.SecurityGroupIDs = decodeVPC(ctx, m.VPC, &diags)
	in.Alarms = decodeAlarms(ctx, m.Alarms, &diags)
	return in, diags
}

// decodeLocations decodes inputs or outputs; known is false when the list
// itself is unknown (a null list is a known empty one).
func decodeLocations(ctx context.Context, l types.List, diags *diag.Diagnostics) (out []location, known bool) {
	if l.IsUnknown() {
		return nil, false
	}
	if l.IsNull() {
		return nil, true
	}
	var locs []locationModel
	diags.Append(l.ElementsAs(ctx, &locs, false)...)
	for _, c := range locs {
		out = append(out, location{Name: tfval.String(c.Name), S3URI: tfval.String(c.S3URI), LocalPath: tfval.String(c.LocalPath)})
	}
	return out, true
}

// decodeAlarms decodes the alarms block, with the default thresholds where
// it sets none (or they are not known yet).
func decodeAlarms(ctx context.Context, o types.Object, diags *diag.Diagnostics) alarmSettings {
	s := alarmSettings{Actions: facts.Null[[]string](), Thresholds: alarms.DefaultTrainingThresholds()}
	switch {
	case o.IsUnknown():
		s.Actions = facts.Unknown[[]string]()
	case !o.IsNull():
		var a alarmsModel
		diags.Append(o.As(ctx, &a, objectAsOptions)...)
		s.Actions = tfval.Strings(ctx, a.Actions, diags)
		if v := a.DiskPercent; !v.IsNull() && !v.IsUnknown() {
			s.Thresholds.DiskPercent = v.ValueFloat64()
		}
		if v := a.MemoryPercent; !v.IsNull() && !v.IsUnknown() {
			s.Thresholds.MemoryPercent = v.ValueFloat64()
		}
	}
	return s
}

// effectiveActions are the alarm actions: the block's, else the provider's.
func (a alarmSettings) effectiveActions(data *providerdata.Data) facts.Value[[]string] {
	return sagemakerjob.EffectiveActions(a.Actions, data)
}
