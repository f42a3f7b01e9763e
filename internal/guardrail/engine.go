package guardrail

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Evaluate runs every control that applies to s.Kind and returns the
// findings sorted by control ID (SS-NET-2 before SS-NET-10), then index.
func Evaluate(s *Subject, p Policy) []Finding {
	findings, _ := run(s, p)
	return findings
}

// run evaluates s and separates the checks' findings from their skips.
func run(s *Subject, p Policy) ([]Finding, []Skip) {
	var out []Finding
	var skips []Skip
	for _, c := range Catalog {
		check := checks[c.ID]
		if check == nil || !c.Applies(s.Kind) {
			continue
		}
		for _, f := range check(s, p) {
			if f.Severity == skipSeverity {
				skips = append(skips, Skip{Control: f.Control, Field: f.Field, Reason: f.Summary, Kind: SkipKind(f.Index)})
				continue
			}
			out = append(out, f)
		}
	}
	slices.SortStableFunc(out, func(a, b Finding) int {
		return cmp.Or(compareIDs(a.Control, b.Control), cmp.Compare(a.Index, b.Index))
	})
	return out, skips
}

// HasErrors reports whether any finding is an error.
func HasErrors(findings []Finding) bool {
	return slices.ContainsFunc(findings, isError)
}

// The states of a control in ControlStates. A control is in exactly one:
// held (checked, no finding), warned (a warning finding, no error),
// failed (an error finding), or not checked, with the reason
// ("not_checked: subnet_ids is known only after apply", "not_checked:
// nothing to check: the guardrails require no tags (required_tags is
// empty)"). Held means something was checked and passed.
const (
	StateHeld       = "held"
	StateWarned     = "warned"
	StateFailed     = "failed"
	StateNotChecked = "not_checked"
)

// ControlState is the state of one control, and why it was not checked.
type ControlState struct {
	State  string
	Reason string // for StateNotChecked
	// UntilApply: the control was not checked only because values are known,
	// or objects exist, only after apply (a plan).
	UntilApply bool
}

// String renders the state as resources show it: "held", "warned",
// "failed" or "not_checked: <reason>".
func (c ControlState) String() string {
	if c.State == StateNotChecked {
		return c.State + ": " + c.Reason
	}
	return c.State
}

// ControlStates maps every control that applies to a subject to its state.
type ControlStates map[string]ControlState

// States decides the state of every control that applies to s.Kind, from
// the findings of evaluating s (evaluate.Run; a resource may add findings of
// its own about the same controls) and lookupErr, the error of the posture
// lookup (nil when it succeeded). It re-runs the pure checks on s (whose
// Facts Run filled) to learn which of them were skipped. A failed lookup
// makes every control whose facts were not looked up "not_checked: lookup
// failed: ...".
func States(s *Subject, p Policy, findings []Finding, lookupErr error) ControlStates {
	_, skips := run(s, p)
	out := ControlStates{}
	for _, c := range Catalog {
		if c.Applies(s.Kind) {
			out[c.ID] = ControlState{State: StateHeld}
		}
	}
	for _, sk := range skips {
		st, ok := out[sk.Control]
		if !ok || st.State != StateHeld && st.State != StateNotChecked {
			continue
		}
		reason := sk.Reason
		if sk.Kind == SkipNotLookedUp && lookupErr != nil {
			reason = "lookup failed: " + lookupErr.Error()
		}
		if st.State == StateHeld {
			st = ControlState{State: StateNotChecked, Reason: reason, UntilApply: true}
		} else if !strings.Contains(st.Reason, reason) {
			st.Reason += "; " + reason
		}
		st.UntilApply = st.UntilApply && sk.Kind == SkipUntilApply
		out[sk.Control] = st
	}
	for _, f := range findings {
		st, ok := out[f.Control]
		if !ok {
			continue
		}
		switch {
		case isError(f):
			out[f.Control] = ControlState{State: StateFailed}
		case st.State != StateFailed:
			out[f.Control] = ControlState{State: StateWarned}
		}
	}
	return out
}

// Held returns the IDs of the held controls, sorted like Evaluate's
// findings: a resource's `controls`.
func (cs ControlStates) Held() []string {
	var ids []string
	for id, st := range cs {
		if st.State == StateHeld {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, compareIDs)
	return ids
}

// Forecast is what a plan shows: a control not checked only because its
// values or objects exist only after apply is forecast held, because the
// apply checks it again (and refuses a finding) and every refresh checks it
// on the live objects. Every other state is kept.
func (cs ControlStates) Forecast() ControlStates {
	out := make(ControlStates, len(cs))
	for id, st := range cs {
		if st.State == StateNotChecked && st.UntilApply {
			st = ControlState{State: StateHeld}
		}
		out[id] = st
	}
	return out
}

// Strings renders the states as a resource's `control_states` map.
func (cs ControlStates) Strings() map[string]string {
	out := make(map[string]string, len(cs))
	for id, st := range cs {
		out[id] = st.String()
	}
	return out
}

// Mark sets the state of a control that applies, for what a resource knows
// beyond the checks (a document changed outside Terraform): a worse state
// replaces a better one.
func (cs ControlStates) Mark(id string, st ControlState) {
	cur, ok := cs[id]
	if !ok || rank(cur) >= rank(st) {
		return
	}
	cs[id] = st
}

func rank(st ControlState) int {
	return map[string]int{StateHeld: 0, StateNotChecked: 1, StateWarned: 2, StateFailed: 3}[st.State]
}

// Satisfied returns the controls a plan forecasts held (see
// ControlStates.Forecast): those that apply to s.Kind with no finding at all
// (a warning is not held) and no check skipped for a reason other than
// values known only after apply.
func Satisfied(s *Subject, p Policy, findings []Finding) []string {
	return States(s, p, findings, nil).Forecast().Held()
}

// isError treats any severity but warning as an error, so a finding with no
// severity fails closed.
func isError(f Finding) bool { return f.Severity != SeverityWarning }

// compareIDs orders control IDs by prefix, then by their numeric suffix.
func compareIDs(a, b string) int {
	pa, na := splitID(a)
	pb, nb := splitID(b)
	return cmp.Or(strings.Compare(pa, pb), cmp.Compare(na, nb), strings.Compare(a, b))
}

func splitID(id string) (string, int) {
	i := strings.LastIndexByte(id, '-')
	if i < 0 {
		return id, 0
	}
	n, err := strconv.Atoi(id[i+1:])
	if err != nil {
		return id, 0
	}
	return id[:i], n
}

// ForPlan returns the findings a plan reports for workload (its kind and
// name, "endpoint churn"). A plan that creates, changes or replaces the
// workload gets them as they are: an error refuses it. A plan that leaves the
// workload unchanged gets every error as a warning that says so. Such an
// error comes from outside the workload: a live object sagesafe does not own
// (a subnet, security group, key or role it was given) weakened since, or a
// provider policy tightened since. Refusing that plan would also refuse the
// change that repairs the object, made by another resource (of another
// provider, often) in the same plan.
func ForPlan(findings []Finding, changes bool, workload string) []Finding {
	if changes {
		return findings
	}
	out := make([]Finding, len(findings))
	for i, f := range findings {
		if isError(f) {
			f.Severity = SeverityWarning
			f.Evidence = strings.TrimSpace(f.Evidence + " This plan leaves " + workload +
				" unchanged, so sagesafe warns instead of refusing it (the change that repairs this may be in the same plan); " +
				"creating, changing or replacing " + workload + " is refused until the control passes.")
		}
		out[i] = f
	}
	return out
}

// ControlStatesDescription documents every resource's `control_states`
// attribute, so that they describe it the same way.
const ControlStatesDescription = "The state of every guardrail control that applies, by control ID, as of the last refresh " +
	"(in a plan: what the apply will leave). Each control is in exactly one state: `held` (checked, no finding), " +
	"`warned` (a warning finding), `failed` (an error finding) or `not_checked: <reason>` (for example a value known only " +
	"after apply, a lookup that failed, a setting that does not apply to this configuration, or nothing to check: guardrails " +
	"that require nothing, such as an empty `required_tags`, or an object that is missing, another control's finding). " +
	"`controls` lists the `held` ones."

// ControlsHeldNote ends every resource's `controls` description.
const ControlsHeldNote = " Only held controls are listed: a control with a warning, or one that was not checked, is not (`control_states` says which and why)."
