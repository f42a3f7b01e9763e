// Package evaluate wires the pure guardrail checks to the posture fetcher:
// it works out which AWS objects a Subject names, fetches their facts (one
// batched, cached lookup per kind) and evaluates the catalog.
package evaluate

import (
	"context"
	"maps"
	"slices"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
)

// Fetcher is what Run needs from posture.Fetcher.
type Fetcher interface {
	Fetch(ctx context.Context, req facts.Request) (facts.Facts, error)
}

// Request lists the known IDs a subject refers to. Unknown values are left
// out: their checks are skipped now and run again at apply.
func Request(s *guardrail.Subject) facts.Request {
	var r facts.Request
	if s.SubnetIDs.IsKnown() {
		r.SubnetIDs = nonEmpty(s.SubnetIDs.V)
	}
	if s.SecurityGroupIDs.IsKnown() {
		r.SecurityGroupIDs = nonEmpty(s.SecurityGroupIDs.V)
	}
	for _, k := range []facts.Value[string]{s.KMSKeyARN, s.OutputKMSKeyARN, s.VolumeKMSKeyARN, s.DataCapture.KMSKeyARN} {
		if k.IsKnown() && k.V != "" {
			r.KeyRefs = appendUnique(r.KeyRefs, k.V)
		}
	}
	if s.RoleARN.IsKnown() && s.RoleARN.V != "" {
		r.RoleARNs = []string{s.RoleARN.V}
	}
	if s.InstanceType.IsKnown() && s.InstanceType.V != "" {
		r.InstanceTypes = []string{s.InstanceType.V}
	}
	for _, loc := range s.S3 {
		if !loc.URI.IsKnown() {
			continue
		}
		if b, ok := facts.S3Bucket(loc.URI.V); ok {
			r.Buckets = appendUnique(r.Buckets, b)
		}
	}
	for _, lg := range s.LogGroups {
		if lg.Name != "" {
			r.LogGroups = appendUnique(r.LogGroups, lg.Name)
		}
	}
	r.Topics = guardrail.AlarmTopics(s)
	return r
}

// Run fetches the facts a subject needs into s.Facts and evaluates it. When
// the lookup fails it still evaluates s with the facts it could read and
// returns the error: callers that must refuse return on it, and a refresh
// reports the controls whose facts are missing as not checked
// (guardrail.States with the error).
func Run(ctx context.Context, f Fetcher, p guardrail.Policy, s *guardrail.Subject) ([]guardrail.Finding, error) {
	req := Request(s)
	if c, ok := guardrail.Lookup("SS-IAM-5"); ok && p.RoleBoundaryARN != "" && c.Applies(s.Kind) {
		// SS-IAM-5 judges what the boundary allows, not only its ARN.
		req.Policies = []string{p.RoleBoundaryARN}
	}
	found, err := f.Fetch(ctx, req)
	s.Facts = found
	return guardrail.Evaluate(s, p), err
}

func nonEmpty(in []string) []string {
	var out []string
	for _, s := range in {
		if s != "" {
			out = appendUnique(out, s)
		}
	}
	return out
}

func appendUnique(list []string, v string) []string {
	if slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}

// Observed returns a Fetcher that answers from facts a resource has just
// read itself (its own key, role or log group, assessed with the same posture
// functions the fetcher uses) and asks f only for the rest. So every resource
// reaches the guardrails the same way, through Run, without paying for a
// second lookup of the object it is describing. f may be nil when observed
// covers everything the subject names; anything else is then "not looked up"
// and its checks are skipped.
func Observed(f Fetcher, observed facts.Facts) Fetcher {
	return observedFetcher{f: f, observed: observed}
}

type observedFetcher struct {
	f        Fetcher
	observed facts.Facts
}

func (o observedFetcher) Fetch(ctx context.Context, req facts.Request) (facts.Facts, error) {
	req.SubnetIDs = without(req.SubnetIDs, o.observed.Subnets)
	req.SecurityGroupIDs = without(req.SecurityGroupIDs, o.observed.SecurityGroups)
	req.KeyRefs = without(req.KeyRefs, o.observed.Keys)
	req.RoleARNs = without(req.RoleARNs, o.observed.Roles)
	req.InstanceTypes = without(req.InstanceTypes, o.observed.InstanceTypes)
	req.Buckets = without(req.Buckets, o.observed.Buckets)
	req.LogGroups = without(req.LogGroups, o.observed.LogGroups)
	req.Policies = without(req.Policies, o.observed.Policies)
	req.Topics = without(req.Topics, o.observed.Topics)

	var out facts.Facts
	var err error
	if o.f != nil && !emptyRequest(req) {
		out, err = o.f.Fetch(ctx, req)
	}
	out.Subnets = overlay(out.Subnets, o.observed.Subnets)
	out.SecurityGroups = overlay(out.SecurityGroups, o.observed.SecurityGroups)
	out.Keys = overlay(out.Keys, o.observed.Keys)
	out.Roles = overlay(out.Roles, o.observed.Roles)
	out.InstanceTypes = overlay(out.InstanceTypes, o.observed.InstanceTypes)
	out.Buckets = overlay(out.Buckets, o.observed.Buckets)
	out.LogGroups = overlay(out.LogGroups, o.observed.LogGroups)
	out.Policies = overlay(out.Policies, o.observed.Policies)
	out.Topics = overlay(out.Topics, o.observed.Topics)
	return out, err
}

// without drops the ids that observed already answers.
func without[T any](ids []string, observed map[string]T) []string {
	var out []string
	for _, id := range ids {
		if _, ok := observed[id]; !ok {
			out = append(out, id)
		}
	}
	return out
}

// overlay adds observed to fetched (observed wins), allocating as needed.
func overlay[T any](fetched, observed map[string]T) map[string]T {
	if len(observed) == 0 {
		return fetched
	}
	if fetched == nil {
		fetched = make(map[string]T, len(observed))
	}
	maps.Copy(fetched, observed)
	return fetched
}

func emptyRequest(r facts.Request) bool {
	return len(r.SubnetIDs)+len(r.SecurityGroupIDs)+len(r.KeyRefs)+len(r.RoleARNs)+
		len(r.InstanceTypes)+len(r.Buckets)+len(r.LogGroups)+len(r.Policies)+len(r.Topics) == 0
}
