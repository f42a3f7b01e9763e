// Package providerdata is what the provider's Configure hands to every
// resource and data source.
package providerdata

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/awsclient"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/posture"
)

// Data is the configured provider.
type Data struct {
	AWS         *awsclient.Client
	Posture     *posture.Fetcher
	Policy      guardrail.Policy
	DefaultTags map[string]string
	// IgnoreTags is the provider's ignore_tags (as hashicorp/aws's): live
	// tags sagesafe neither reports as drift nor removes.
	IgnoreTags   IgnoreTags
	AlarmActions []string
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
