// The plan (or state) decoded into values the guardrails and the request
// builders share.

package trainingjob

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
	Channels          []channelInput
	ChannelsKnown     bool // the list itself is known
	Output            facts.Value[string]
	Checkpoint        facts.Value[string]
	InstanceType      facts.Value[string]
	InstanceCount     facts.Value[int64]
	VolumeSizeGB      facts.Value[int64]
	KMSKey            facts.Value[string]
	SubnetIDs         facts.Value[[]string]
	SecurityGroupIDs  facts.Value[[]string]
	MaxRuntimeSeconds facts.Value[int64]
	UseSpot           facts.Value[bool]
	MaxWaitSeconds    facts.Value[int64]
	Hyperparameters   facts.Value[map[string]string]
	Environment       facts.Value[map[string]string]
	Tags              facts.Value[map[string]string] // the resource's own tags
	Alarms            alarmSettings
}

type channelInput struct {
	Name, S3URI, ContentType, InputMode, Distribution facts.Value[string]
}

// alarmSettings are the alarm block's values with defaults applied.
type alarmSettings struct {
	Actions    facts.Value[[]string] // null: the provider's alarm_actions
	Thresholds alarms.TrainingThresholds
	Known      bool // every threshold is known
}

func decode(ctx context.Context, m model) (inputs, diag.Diagnostics) {
	var diags diag.Diagnostics
	in := inputs{
		Name:              tfval.String(m.Name),
		RoleARN:           tfval.String(m.RoleARN),
		Image:             tfval.String(m.Image),
		Output:            tfval.String(m.OutputS3URI),
		Checkpoint:        tfval.String(m.CheckpointS3URI),
		InstanceType:      tfval.String(m.InstanceType),
		InstanceCount:     tfval.Int64(m.InstanceCount),
		VolumeSizeGB:      tfval.Int64(m.VolumeSizeGB),
		KMSKey:            tfval.String(m.KMSKeyARN),
		MaxRuntimeSeconds: tfval.Int64(m.MaxRuntimeSeconds),
		UseSpot:           tfval.Bool(m.UseSpot),
		MaxWaitSeconds:    tfval.Int64(m.MaxWaitSeconds),
		Hyperparameters:   tfval.StringMap(ctx, m.Hyperparameters, &diags),
		Environment:       tfval.StringMap(ctx, m.Environment, &diags),
		Tags:              tfval.StringMap(ctx, m.Tags, &diags),
	}

	in.Channels, in.ChannelsKnown = decodeChannels(ctx, m.InputChannels, &diags)
	in.SubnetIDs, in.SecurityGroupIDs = decodeVPC(ctx, m.VPC, &diags)
	in.Alarms = decodeAlarms(ctx, m.Alarms, &diags)
	return in, diags
}

// decodeChannels decodes input_channels; known is false when the list
// itself is unknown or null.
func decodeChannels(ctx context.Context, l types.List, diags *diag.Diagnostics) (channels []channelInput, known bool) {
	if l.IsUnknown() || l.IsNull() {
		return nil, false
	}
	var chans []channelModel
	diags.Append(l.ElementsAs(ctx, &chans, false)...)
	for _, c := range chans {
		channels = append(channels, channelInput{
			Name: tfval.String(c.Name), S3URI: tfval.String(c.S3URI), ContentType: tfval.String(c.ContentType),
			InputMode: tfval.String(c.InputMode), Distribution: tfval.String(c.Distribution),
		})
	}
	return channels, true
}

// decodeAlarms decodes the alarms block, with the default thresholds where
// it sets none.
func decodeAlarms(ctx context.Context, o types.Object, diags *diag.Diagnostics) alarmSettings {
	s := alarmSettings{Actions: facts.Null[[]string](), Thresholds: alarms.DefaultTrainingThresholds(), Known: true}
	switch {
	case o.IsUnknown():
		s.Actions, s.Known = facts.Unknown[[]string](), false
	case !o.IsNull():
		var a alarmsModel
		diags.Append(o.As(ctx, &a, objectAsOptions)...)
		s.Actions = tfval.Strings(ctx, a.Actions, diags)
		for _, t := range []struct {
			v   types.Float64
			dst *float64
		}{
			{a.DiskPercent, &s.Thresholds.DiskPercent},
			{a.MemoryPercent, &s.Thresholds.MemoryPercent},
			{a.GPUIdlePercent, &s.Thresholds.GPUIdlePercent},
		} {
			switch {
			case t.v.IsUnknown():
				s.Known = false
			case !t.v.IsNull():
				*t.dst = t.v.ValueFloat64()
			}
		}
	}
	return s
}

// effectiveActions are the alarm actions: the block's, else the provider's.
func (a alarmSettings) effectiveActions(data *providerdata.Data) facts.Value[[]string] {
	return sagemakerjob.EffectiveActions(a.Actions, data)
}
