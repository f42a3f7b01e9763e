// The scheduler role sagesafe makes when scheduler_role_arn is not given:
// "<monitor>-scheduler", from iampolicy.SchedulerTrustPolicy and
// SchedulerPolicy, created through iamrole (creation token, find before
// retry, take-up after a killed apply), kept as generated on every apply and
// deleted with the monitor.

package modelmonitor

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iamrole"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/monitorspec"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/sagemakerjob"
)

// schedulerRoleName is the name of the role sagesafe makes for a monitor
// (a monitor name is at most 40 characters; a role name may have 64).
func schedulerRoleName(monitor string) string { return monitor + "-scheduler" }

// schedulerRoleARN is that role's ARN, known at plan time.
func (r *monitorResource) schedulerRoleARN(monitor string) string {
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", r.data.AWS.Partition, r.data.AWS.AccountID, schedulerRoleName(monitor))
}

// schedulerDocs renders the role's trust and inline policy for in (every
// value known: the apply calls it).
func (r *monitorResource) schedulerDocs(in inputs, localStorage bool) (iamrole.Documents, error) {
	spec := iampolicy.SchedulerRoleSpec{
		Partition: r.data.AWS.Partition, Region: r.data.AWS.Region, AccountID: r.data.AWS.AccountID,
		ScheduleName: in.Name.V, JobNamePrefix: in.Name.V + "-", ExecutionRoleARN: in.RoleARN.V,
		SubnetIDs: in.SubnetIDs.V, SecurityGroupIDs: in.SecurityGroupIDs.V, KMSKeyARN: in.KMSKey.V,
		InstanceType: in.InstanceType.V, LocalStorage: localStorage,
	}
	trust, err := iampolicy.SchedulerTrustPolicy(spec)
	if err != nil {
		return iamrole.Documents{}, err
	}
	policy, err := iampolicy.SchedulerPolicy(spec)
	if err != nil {
		return iamrole.Documents{}, err
	}
	return iamrole.Documents{Keep: iampolicy.SchedulerPolicyName, Trust: trust.JSON(), Policy: policy.JSON()}, nil
}

// ensureSchedulerRole makes the role what in says and returns its ARN: it
// creates it when it does not exist, and otherwise (a role of the name that
// this monitor made: it carries a creation token) puts back the generated
// trust and policy and removes anything added to it. A role of the name
// that sagesafe did not make is refused, not taken over.
func (r *monitorResource) ensureSchedulerRole(ctx context.Context, in inputs, tags map[string]string, localStorage bool) (string, error) {
	docs, err := r.schedulerDocs(in, localStorage)
	if err != nil {
		return "", fmt.Errorf("rendering the scheduler role: %w", err)
	}
	ic, name := r.data.AWS.IAM, schedulerRoleName(in.Name.V)
	live, err := iamrole.Find(ctx, ic, name)
	switch {
	case iamrole.IsNotFound(err):
		role, err := iamrole.Create(ctx, ic, iamrole.CreateInput(name, docs.Trust, iamrole.DefaultSessionDuration, r.data.Policy.RoleBoundaryARN, tags), docs.Keep)
		if err != nil {
			return "", err
		}
		if err := iamrole.PutPolicy(ctx, ic, name, docs); err != nil {
			return "", fmt.Errorf("putting the policy of scheduler role %s: %w", name, err)
		}
		return aws.ToString(role.Arn), nil
	case err != nil:
		return "", fmt.Errorf("reading scheduler role %s: %w", name, err)
	}
	if ours, err := r.madeBySagesafe(ctx, name); err != nil || !ours {
		if err != nil {
			return "", err
		}
		return "", fmt.Errorf("role %s exists and sagesafe did not create it (it has no %s tag): give it as scheduler_role_arn, or remove it", name, idem.TokenTag)
	}
	if got := live.Tags[identityTag]; got != r.identity(in.Name.V) {
		// sagesafe made it, but not for this monitor: one of the same name
		// in another region, or another sagesafe role of the name.
		return "", fmt.Errorf("role %s was made by sagesafe for something else (tag %s is %q, not %q); remove it or rename the monitor",
			name, identityTag, got, r.identity(in.Name.V))
	}
	// SS-IAM-5: put back the boundary someone removed or changed (a
	// boundary the role has while the guardrails require none is left).
	if err := iamrole.PutBoundary(ctx, ic, name, live.Boundary, r.data.Policy.RoleBoundaryARN); err != nil {
		return "", fmt.Errorf("restoring the permissions boundary of scheduler role %s: %w", name, err)
	}
	if !iamrole.Equivalent(live.Trust, docs.Trust) {
		if _, err := ic.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(name), PolicyDocument: aws.String(docs.Trust)}); err != nil {
			return "", fmt.Errorf("restoring the trust policy of scheduler role %s: %w", name, err)
		}
	}
	if doc, ok := live.Inline[docs.Keep]; !ok || !iamrole.Equivalent(doc, docs.Policy) {
		if err := iamrole.PutPolicy(ctx, ic, name, docs); err != nil {
			return "", fmt.Errorf("restoring the policy of scheduler role %s: %w", name, err)
		}
	}
	if err := iamrole.RemoveForeign(ctx, ic, name, docs.Keep, live, func(string) {}); err != nil {
		return "", fmt.Errorf("removing policies added to scheduler role %s: %w", name, err)
	}
	return live.ARN, nil
}

// deleteSchedulerRole deletes the role sagesafe made for the monitor; one
// already gone is success.
func (r *monitorResource) deleteSchedulerRole(ctx context.Context, monitor string) error {
	if err := iamrole.Delete(ctx, r.data.AWS.IAM, schedulerRoleName(monitor)); err != nil && !iamrole.IsNotFound(err) {
		return fmt.Errorf("deleting scheduler role %s: %w", schedulerRoleName(monitor), err)
	}
	return nil
}

// planSchedulerRole plans scheduler_role_arn and scheduler_role_managed
// from the configuration: a configured role is used as given; without one
// (Scheduler engine) sagesafe makes "<name>-scheduler", whose ARN is known
// at plan time; Model Monitor needs none.
func (r *monitorResource) planSchedulerRole(plan *model, configured types.String) {
	switch {
	case plan.Engine.ValueString() == monitorspec.EngineModelMonitor:
		plan.SchedulerRoleARN, plan.SchedulerRoleManaged = types.StringNull(), types.BoolValue(false)
	case !configured.IsNull():
		plan.SchedulerRoleARN, plan.SchedulerRoleManaged = configured, types.BoolValue(false)
	case plan.Name.IsUnknown() || plan.Engine.IsUnknown():
		plan.SchedulerRoleARN, plan.SchedulerRoleManaged = types.StringUnknown(), types.BoolUnknown()
	default:
		plan.SchedulerRoleARN = types.StringValue(r.schedulerRoleARN(plan.Name.ValueString()))
		plan.SchedulerRoleManaged = types.BoolValue(true)
	}
}

// roleTags are the tags of the role sagesafe makes: the monitor's own
// with the provider's default_tags (SS-GOV-1 holds for it as for the rest),
// and the identity tag.
func (r *monitorResource) roleTags(in inputs) map[string]string {
	tags := sagemakerjob.MergedTags(r.data, in.Tags).V
	if tags == nil {
		tags = map[string]string{}
	}
	tags[identityTag] = r.identity(in.Name.V)
	return tags
}

// schedulerRoleDrift lists how the role sagesafe made differs from what it
// renders for in: deleted, its trust or policy changed, policies added, its
// permissions boundary not the guardrails' (SS-IAM-5). The next apply
// (ensureSchedulerRole) puts it back. It returns the role's boundary too
// (Null when the role is gone), for the monitor's subject.
func (r *monitorResource) schedulerRoleDrift(ctx context.Context, in inputs, localStorage bool) ([]string, facts.Value[string], error) {
	name := schedulerRoleName(in.Name.V)
	live, err := iamrole.Find(ctx, r.data.AWS.IAM, name)
	switch {
	case iamrole.IsNotFound(err):
		return []string{"scheduler role " + name + " was deleted"}, facts.Null[string](), nil
	case err != nil:
		return nil, facts.Null[string](), err
	}
	out, err := r.roleDocsDrift(live, in, localStorage)
	if want := r.data.Policy.RoleBoundaryARN; want != "" && live.Boundary != want {
		have := "no permissions boundary"
		if live.Boundary != "" {
			have = "permissions boundary " + live.Boundary
		}
		out = append(out, fmt.Sprintf("scheduler role %s has %s, not role_permissions_boundary_arn %s", name, have, want))
	}
	return out, facts.Known(live.Boundary), err
}

// roleDocsDrift lists how the live role's documents and policies differ from
// what sagesafe renders for in.
func (r *monitorResource) roleDocsDrift(live *iamrole.Live, in inputs, localStorage bool) ([]string, error) {
	name := live.Name
	docs, err := r.schedulerDocs(in, localStorage)
	if err != nil {
		return nil, err
	}
	var out []string
	say := func(what string) { out = append(out, "scheduler role "+name+": "+what) }
	if !iamrole.Equivalent(live.Trust, docs.Trust) {
		say("its trust policy was changed")
	}
	switch doc, ok := live.Inline[docs.Keep]; {
	case !ok:
		say("its policy " + docs.Keep + " was deleted")
	case !iamrole.Equivalent(doc, docs.Policy):
		say("its policy " + docs.Keep + " was changed")
	}
	for _, arn := range live.Attached {
		say("managed policy " + arn + " was attached")
	}
	for _, n := range slices.Sorted(maps.Keys(live.Inline)) {
		if n != docs.Keep {
			say("inline policy " + n + " was added")
		}
	}
	return out, nil
}

// importedRoleManaged tells, for an imported monitor, whether its schedule
// runs as the role sagesafe makes for it: "<name>-scheduler", carrying a
// creation token (only sagesafe writes one).
func (r *monitorResource) importedRoleManaged(ctx context.Context, m model) (bool, error) {
	if m.Engine.ValueString() == monitorspec.EngineModelMonitor || m.SchedulerRoleARN.ValueString() != r.schedulerRoleARN(m.Name.ValueString()) {
		return false, nil
	}
	live, err := iamrole.Find(ctx, r.data.AWS.IAM, schedulerRoleName(m.Name.ValueString()))
	switch {
	case iamrole.IsNotFound(err):
		return false, nil
	case err != nil:
		return false, err
	case live.Tags[identityTag] != r.identity(m.Name.ValueString()):
		return false, nil
	}
	return r.madeBySagesafe(ctx, live.Name)
}

// identityTag names, on the role sagesafe makes, the monitor it serves:
// "<region>:<name>" (IAM roles are global, monitors regional), so a monitor
// of the same name in another region, or another sagesafe role of the
// name, is never taken for this monitor's role.
const identityTag = "sagesafe:model-monitor"

func (r *monitorResource) identity(monitor string) string { return r.data.AWS.Region + ":" + monitor }

// madeBySagesafe reports whether the role carries a creation token (only
// sagesafe's creates write one; iamrole.Find leaves it out of Live.Tags).
func (r *monitorResource) madeBySagesafe(ctx context.Context, role string) (bool, error) {
	tags, err := iamrole.ListTags(ctx, r.data.AWS.IAM, role)
	if err != nil {
		return false, err
	}
	return tags[idem.TokenTag] != "", nil
}
