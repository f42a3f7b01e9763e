package iamsim

import (
	"context"
	"fmt"
)

// Case is a named request a persona role makes and whether it must be allowed. The name says
// what the case proves ("CreateTrainingJob outside the given subnets").
type Case struct {
	Name     string
	Action   string
	Resource string
	Context  map[string][]string
	Unlisted map[string][]string
	// ResourcePolicy is the resource's own policy (a KMS key policy), or "".
	ResourcePolicy string
	WantAllowed    bool
}

// Outcome is a Case with the simulator's decision; OK when the decision is the one wanted
// (any denial, implicit or explicit, satisfies a case that must be denied).
type Outcome struct {
	Case     Case
	Decision Decision
	OK       bool
}

// String is one line for a test failure or the demo's output.
func (o Outcome) String() string {
	want := "denied"
	if o.Case.WantAllowed {
		want = "allowed"
	}
	mark := "ok"
	if !o.OK {
		mark = "WRONG"
	}
	return fmt.Sprintf("%-5s %s: %s (want %s) %v", mark, o.Case.Name, o.Decision.Result, want, o.Decision.Statements)
}

// CheckPersona judges each case as a request by principalARN holding the given policy
// documents (a persona's permissions, one or several inline policies), in one simulator run.
func CheckPersona(ctx context.Context, principalARN string, policyJSON []string, cases []Case) ([]Outcome, error) {
	in := Input{}
	for i, doc := range policyJSON {
		in.Policies = append(in.Policies, Policy{Name: fmt.Sprintf("persona-%d", i+1), Document: doc})
	}
	for _, c := range cases {
		in.Requests = append(in.Requests, Request{
			Name: c.Name, Principal: principalARN, Action: c.Action, Resource: c.Resource,
			Context: c.Context, Unlisted: c.Unlisted, ResourcePolicy: c.ResourcePolicy,
		})
	}
	decisions, err := Evaluate(ctx, in)
	if err != nil {
		return nil, err
	}
	outcomes := make([]Outcome, len(cases))
	for i, c := range cases {
		d := decisions[i]
		outcomes[i] = Outcome{Case: c, Decision: d, OK: (d.Result == Allowed) == c.WantAllowed}
	}
	return outcomes, nil
}
