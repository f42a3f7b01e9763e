// Package providerdata is what the provider's Configure hands to every
// resource and data source.
package providerdata

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/awsclient"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/posture"
)

// Data is the configured provider.
type Data struct {
	AWS     *awsclient.Client
	Posture *posture.Fetcher
	// Reads are the alarm, log-group and scalable-target listings the
	// resources refreshed in this command share (nil: read directly).
	Reads       *Reads
	Policy      guardrail.Policy
	DefaultTags map[string]string
	// IgnoreTags is the provider's ignore_tags (as hashicorp/aws's): live
	// tags sagesafe neither reports as drift nor removes.
	IgnoreTags   IgnoreTags
	AlarmActions []string
	// AlarmActionsUnknown and DefaultTagsUnknown are set while planning when
	// the provider's alarm_actions / default_tags refer to objects created in
	// the same apply (e.g. alarm_actions = [aws_sns_topic.x.arn]): the
	// provider is configured, AlarmActions / DefaultTags are then empty, and
	// the values are known when Terraform configures the provider for apply.
	// Read them through ProviderAlarmActions and ProviderDefaultTags.
	AlarmActionsUnknown bool
	DefaultTagsUnknown  bool
	// Repairs are the objects sagesafe resources restore in the plan being
	// made (see guardrail.Repairs); never nil once configured.
	Repairs *guardrail.Repairs
}

// From converts the framework's ProviderData (an any) and reports a provider
// bug when it has the wrong type. A nil input returns (nil, nil): the
// framework calls Configure on resources before the provider is configured.
func From(v any) (*Data, error) {
	if v == nil {
		return nil, nil
	}
	d, ok := v.(*Data)
	if !ok {
		return nil, fmt.Errorf("expected *providerdata.Data, got %T: this is a bug in the sagesafe provider, please report it", v)
	}
	return d, nil
}

// Ready reports whether the provider was configured (AWS clients built)
// before an operation; when not, it adds the error naming the operation
// ("sagesafe_kms_key was read") as a provider bug.
func Ready(d *Data, operation string, diags *diag.Diagnostics) bool {
	if d != nil && d.AWS != nil {
		return true
	}
	diags.AddError("Provider not configured", "The sagesafe provider was not configured before "+operation+". This is a bug in the provider.")
	return false
}

// MergeTags returns default_tags overlaid with the resource's own tags.
func (d *Data) MergeTags(tags map[string]string) map[string]string {
	out := make(map[string]string, len(d.DefaultTags)+len(tags))
	maps.Copy(out, d.DefaultTags)
	maps.Copy(out, tags)
	return out
}

// ProviderAlarmActions is the provider's alarm_actions as a plan value:
// Unknown while they are not known (a check on them waits for apply).
func (d *Data) ProviderAlarmActions() facts.Value[[]string] {
	if d == nil {
		return facts.Known([]string(nil))
	}
	if d.AlarmActionsUnknown {
		return facts.Unknown[[]string]()
	}
	return facts.Known(slices.Clone(d.AlarmActions))
}

// ProviderDefaultTags is the provider's default_tags as a plan value:
// Unknown while they are not known.
func (d *Data) ProviderDefaultTags() facts.Value[map[string]string] {
	if d == nil {
		return facts.Known(map[string]string(nil))
	}
	if d.DefaultTagsUnknown {
		return facts.Unknown[map[string]string]()
	}
	return facts.Known(maps.Clone(d.DefaultTags))
}

// AddAlarmActionsUnknown reports, on a resource's alarm_actions attribute,
// that the resource needs the provider's alarm_actions now and they are not
// known until apply: the resource's own alarm_actions can take the same
// references.
func AddAlarmActionsUnknown(diags *diag.Diagnostics, at path.Path) {
	diags.AddAttributeError(at, "Provider alarm_actions not known until apply",
		"The provider's alarm_actions refer to objects created in this run, so they are not known while planning, and this resource needs "+
			"them now. Set alarm_actions on the resource instead (it accepts references to topics created in the same apply), "+
			"or create the topics in an earlier apply.")
}

// IgnoreTags are tag keys, exact or by prefix, that resources leave alone.
type IgnoreTags struct {
	Keys        []string
	KeyPrefixes []string
}

// Ignored reports whether key is one of the ignored tags.
func (i IgnoreTags) Ignored(key string) bool {
	if slices.Contains(i.Keys, key) {
		return true
	}
	return slices.ContainsFunc(i.KeyPrefixes, func(p string) bool { return strings.HasPrefix(key, p) })
}

// WithoutIgnored returns tags without the ignored keys (nil stays nil): what
// a resource records of live tags, and compares for drift.
func (d *Data) WithoutIgnored(tags map[string]string) map[string]string {
	if d == nil || tags == nil {
		return tags
	}
	out := make(map[string]string, len(tags))
	for k, v := range tags {
		if !d.IgnoreTags.Ignored(k) {
			out[k] = v
		}
	}
	return out
}

// Subject starts a resource's guardrail Subject: its kind and name, and the
// caller's region, account and partition (left empty when the provider is
// not configured, e.g. in unit tests that build a subject without AWS).
func (d *Data) Subject(kind guardrail.Kind, name string) *guardrail.Subject {
	s := &guardrail.Subject{Kind: kind, Name: name}
	if d != nil && d.AWS != nil {
		s.Region, s.AccountID, s.Partition = d.AWS.Region, d.AWS.AccountID, d.AWS.Partition
	}
	return s
}
