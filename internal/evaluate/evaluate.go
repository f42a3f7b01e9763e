// Package evaluate wires the pure guardrail checks to the posture fetcher:
// it works out which AWS objects a Subject names, fetches their facts (one
// batched, cached lookup per kind) and evaluates the catalog.
package evaluate

import (
	"context"
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
	return r
}

// Run fetches the facts a subject needs into s.Facts and evaluates it.
func Run(ctx context.Context, f Fetcher, p guardrail.Policy, s *guardrail.Subject) ([]guardrail.Finding, error) {
	found, err := f.Fetch(ctx, Request(s))
	if err != nil {
		return nil, err
	}
	s.Facts = found
	return guardrail.Evaluate(s, p), nil
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
