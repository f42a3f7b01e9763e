package guardrail

import (
	"strings"
	"sync"
)

// Repairs are the objects a sagesafe resource restores to their secure
// state in the plan being made: a sagesafe_kms_key whose rotation was
// turned off by hand, a sagesafe_network whose subnet was given a route to
// the internet. Terraform plans a resource after the resources it refers
// to, so by the time a workload or the network that uses such an object is
// planned, the owner has said so here.
//
// A plan-time error about an object under repair would refuse the plan
// that repairs it (the owner's change and the user's other changes are one
// plan): the user could only escape with -target. So such an error becomes
// a warning that names the repair. Nothing is trusted blindly: Terraform
// applies the owner first, and plans the dependent resource again, against
// the repaired live object, before it applies it; and if the repair fails,
// the dependent resource is not applied at all.
//
// One Repairs lives in each provider process (one Terraform command).
type Repairs struct {
	mu sync.Mutex
	by map[string]string // object (ARN, ID, alias) -> who repairs it
}

// Add records that owner ("sagesafe_kms_key") restores each object in this
// plan. Empty names are ignored.
func (r *Repairs) Add(owner string, objects ...string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.by == nil {
		r.by = map[string]string{}
	}
	for _, o := range objects {
		if o != "" {
			r.by[o] = owner
		}
	}
}

// Apply returns the findings with every error about an object under repair
// turned into a warning that says who repairs it, and whether it turned
// any. A plan with such a finding cannot forecast its control states: they
// are decided when the resource is planned again at apply, after the
// repair (so the plan leaves them unknown).
func (r *Repairs) Apply(findings []Finding) ([]Finding, bool) {
	if r == nil {
		return findings, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Finding, len(findings))
	repaired := false
	for i, f := range findings {
		if owner, ok := r.by[f.Object]; ok && f.Object != "" && isError(f) {
			repaired = true
			f.Severity = SeverityWarning
			f.Evidence = strings.TrimSpace(f.Evidence + " The " + owner + " that manages " + f.Object +
				" restores it in this plan and is applied first; this resource is checked again against the restored object before it is applied.")
		}
		out[i] = f
	}
	return out, repaired
}
