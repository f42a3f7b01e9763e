package monitorspec

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
)

// SchedulerPrincipal is the service that assumes the Scheduler's role.
const SchedulerPrincipal = "scheduler.amazonaws.com"

// schedulerActions are all the scheduler role may do: start the run's
// processing job (tagging it on create needs AddTags) and hand it the
// execution role.
var schedulerActions = []string{"sagemaker:createprocessingjob", "sagemaker:addtags", "iam:passrole"}

// SchedulerRole is what IAM holds of the scheduler role: its trust policy,
// its inline policies and the ARNs of its managed policies.
type SchedulerRole struct {
	Trust    string
	Inline   map[string]string // name -> document
	Attached []string
	Boundary string // its permissions boundary's ARN ("" none; SS-IAM-5)
}

// SchedulerRoleProblems lists why the role is not scoped to starting the
// monitor's runs: a trust policy that lets anything but EventBridge
// Scheduler assume it, or lets it do so for other accounts' schedules (no
// aws:SourceAccount of account: the confused-deputy condition the Scheduler
// guide asks for), a managed policy (its documents change outside this
// configuration), or an inline statement that allows more than
// CreateProcessingJob, AddTags and PassRole of the execution role alone.
// want is the policy sagesafe renders for the monitor
// (iampolicy.SchedulerPolicy: only the monitor's runs, only with its
// settings as IAM conditions); when given, the role's inline policy must be
// equivalent to it, since an Allow of CreateProcessingJob without those
// conditions lets any schedule that can pass the role start unguarded jobs.
// Empty means the role is scoped.
func SchedulerRoleProblems(r SchedulerRole, executionRoleARN, account, want string) []string {
	var out []string
	out = append(out, trustProblems(r.Trust, account)...)
	if want != "" {
		out = append(out, renderedPolicyProblems(r.Inline, want)...)
	}
	for _, a := range r.Attached {
		out = append(out, "managed policy "+a+" is attached: the scheduler role may hold only its inline policy")
	}
	for _, name := range slices.Sorted(maps.Keys(r.Inline)) {
		doc, err := iampolicy.Parse(r.Inline[name])
		if err != nil {
			out = append(out, fmt.Sprintf("inline policy %s cannot be read: %v", name, err))
			continue
		}
		for i, st := range doc.Statement {
			out = append(out, statementProblems(fmt.Sprintf("inline policy %s statement %d", name, i+1), st, executionRoleARN)...)
		}
	}
	return out
}

func trustProblems(trust, account string) []string {
	doc, err := iampolicy.Parse(trust)
	if err != nil {
		return []string{"the trust policy cannot be read: " + err.Error()}
	}
	var out []string
	trusted, named := false, false
	for i, st := range doc.Statement {
		if st.Effect != iampolicy.EffectAllow {
			continue
		}
		what := fmt.Sprintf("trust statement %d", i+1)
		if len(st.NotPrincipal) > 0 {
			out = append(out, what+" uses NotPrincipal")
		}
		for typ, values := range st.Principal {
			for _, v := range values {
				switch {
				case typ != "Service" || v != SchedulerPrincipal:
					out = append(out, fmt.Sprintf("%s trusts %s %s; only %s may assume the scheduler role", what, typ, v, SchedulerPrincipal))
				case !sourceAccountIs(st, account):
					named = true
					out = append(out, fmt.Sprintf("%s lets %s assume the role for any account's schedules: it needs the condition "+
						"StringEquals aws:SourceAccount = %s (confused-deputy prevention)", what, SchedulerPrincipal, account))
				default:
					trusted = true
				}
			}
		}
	}
	if !trusted && !named {
		out = append(out, "the trust policy does not let "+SchedulerPrincipal+" assume the role")
	}
	return out
}

func statementProblems(what string, st iampolicy.Statement, executionRoleARN string) []string {
	if st.Effect != iampolicy.EffectAllow {
		return nil // a Deny only narrows
	}
	var out []string
	if len(st.NotAction) > 0 || len(st.NotResource) > 0 {
		out = append(out, what+" uses NotAction or NotResource")
	}
	for _, a := range st.Action {
		la := strings.ToLower(a)
		if !slices.Contains(schedulerActions, la) {
			out = append(out, fmt.Sprintf("%s allows %s; the scheduler role may only sagemaker:CreateProcessingJob, sagemaker:AddTags and iam:PassRole", what, a))
			continue
		}
		if la == "iam:passrole" && (len(st.Resource) != 1 || st.Resource[0] != executionRoleARN) {
			out = append(out, fmt.Sprintf("%s allows iam:PassRole on %s; only the execution role %s may be passed", what, strings.Join(st.Resource, ", "), executionRoleARN))
		}
	}
	return out
}

// sourceAccountIs reports whether a trust statement allows only requests
// on behalf of account: an aws:SourceAccount condition (StringEquals or
// StringLike) whose every value is account.
func sourceAccountIs(st iampolicy.Statement, account string) bool {
	for _, op := range []string{"StringEquals", "StringLike"} {
		for key, values := range st.Condition[op] {
			if strings.EqualFold(key, "aws:SourceAccount") && len(values) > 0 && !slices.ContainsFunc(values, func(v string) bool { return v != account }) {
				return true
			}
		}
	}
	return false
}

// renderedPolicyProblems requires the one inline policy to be want.
func renderedPolicyProblems(inline map[string]string, want string) []string {
	if len(inline) == 0 {
		return []string{"the role has no inline policy: it must hold exactly the policy sagesafe renders for this monitor"}
	}
	var out []string
	for _, name := range slices.Sorted(maps.Keys(inline)) {
		if same, err := iampolicy.Equivalent(inline[name], want); err != nil || !same {
			out = append(out, "inline policy "+name+" is not the policy sagesafe renders for this monitor "+
				"(CreateProcessingJob of its runs only, with its network, isolation, encryption, key and instance type as IAM conditions)")
		}
	}
	return out
}
