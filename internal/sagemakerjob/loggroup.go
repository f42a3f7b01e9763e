// The job type's shared log group (/aws/sagemaker/TrainingJobs,
// /aws/sagemaker/ProcessingJobs): what it will be after an apply, what it
// is now, and making it so.

package sagemakerjob

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/loggroup"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
)

// LogGroupPlan is what the shared log group will be after Ensure, and what
// Ensure has to change to get there.
type LogGroupPlan struct {
	Key       facts.Value[string] // the group's key, in the workload's terms when it is the workload key
	Retention facts.Value[int64]
	// OwnKey is true when the group is (or will be) encrypted with the
	// workload's key: it is then checked as part of the job. Otherwise it
	// keeps another customer-managed key and is checked on its own.
	OwnKey bool
	// AssociateKey: create the group with, or associate, the workload key
	// (the group is missing, unencrypted, or its key is unusable).
	AssociateKey bool
	// RaiseRetention: the group is missing or keeps logs for less than
	// min_log_retention_days; RetentionDays is what Ensure sets.
	RaiseRetention bool
	RetentionDays  int32
}

// PlanLogGroup decides what happens to the shared log group. It never
// takes the group from another usable customer-managed key (other jobs'
// logs are encrypted with it, and the group is theirs too) and never lowers
// its retention.
func PlanLogGroup(p Prefetched, workloadKey facts.Value[string], minRetentionDays int64) LogGroupPlan {
	if !p.LogGroupFetched {
		return LogGroupPlan{Key: facts.Unknown[string](), Retention: facts.Unknown[int64](), OwnKey: true}
	}
	g := p.LogGroup
	lp := LogGroupPlan{OwnKey: true}
	target := RetentionFor(minRetentionDays)
	switch {
	case !g.Found:
		lp.Retention, lp.RaiseRetention, lp.RetentionDays = facts.Known(int64(target)), true, target
	case g.RetentionDays == 0: // never expire
		lp.Retention = facts.Known(int64(0))
	case minRetentionDays > 0 && g.RetentionDays < minRetentionDays:
		lp.Retention, lp.RaiseRetention, lp.RetentionDays = facts.Known(int64(target)), true, target
	default:
		lp.Retention = facts.Known(g.RetentionDays)
	}

	switch {
	case workloadKey.State == facts.StateUnknown:
		lp.Key = facts.Unknown[string]()
	case !g.Found || g.KMSKeyARN == "":
		lp.Key, lp.AssociateKey = workloadKey, true
	case g.KMSKeyARN == workloadKey.V || (p.KeyFetched && p.Key.Found && g.KMSKeyARN == p.Key.ARN):
		lp.Key = workloadKey
	case p.GroupKeyFetched && (!p.GroupKey.Found || p.GroupKey.State != "Enabled"):
		// Its key is gone, disabled or pending deletion: CloudWatch Logs can
		// no longer write to the group, so it takes the workload key.
		lp.Key, lp.AssociateKey = workloadKey, true
	default:
		lp.Key, lp.OwnKey = facts.Known(g.KMSKeyARN), false
	}
	return lp
}

// LiveLogGroup describes the shared log group as it is now, for Read.
func LiveLogGroup(p Prefetched, workloadKey facts.Value[string]) LogGroupPlan {
	if !p.LogGroupFetched {
		return LogGroupPlan{Key: facts.Unknown[string](), Retention: facts.Unknown[int64](), OwnKey: true}
	}
	g := p.LogGroup
	if !g.Found {
		return LogGroupPlan{Key: facts.Null[string](), Retention: facts.Null[int64](), OwnKey: true}
	}
	lp := LogGroupPlan{Key: facts.Known(g.KMSKeyARN), Retention: facts.Known(g.RetentionDays), OwnKey: true}
	switch {
	case g.KMSKeyARN == "":
	case workloadKey.IsKnown() && (g.KMSKeyARN == workloadKey.V || (p.KeyFetched && p.Key.Found && g.KMSKeyARN == p.Key.ARN)):
		lp.Key = workloadKey // the same key, named as the job names it
	default:
		lp.OwnKey = false
	}
	return lp
}

// RetentionFor is the shortest retention CloudWatch Logs accepts that is at
// least minDays (365 when no minimum is set).
func RetentionFor(minDays int64) int32 {
	if minDays <= 0 {
		minDays = 365
	}
	for _, d := range loggroup.ValidRetentionDays {
		if d >= minDays {
			return int32(d)
		}
	}
	return int32(loggroup.ValidRetentionDays[len(loggroup.ValidRetentionDays)-1])
}

// EnsureLogGroup makes the shared log group name encrypted and retained as
// lp planned, then re-checks it: another apply may have raced this one.
func EnsureLogGroup(ctx context.Context, data *providerdata.Data, name string, lp LogGroupPlan, pre Prefetched, key facts.Value[string]) error {
	if !lp.AssociateKey && !lp.RaiseRetention {
		return nil
	}
	spec := loggroup.Spec{Name: name}
	if lp.AssociateKey {
		var resolved string
		if pre.KeyFetched && pre.Key.Found {
			resolved = pre.Key.ARN
		}
		keyARN, err := loggroup.KeyARN(key.V, resolved)
		if err != nil {
			return err
		}
		spec.KMSKeyARN = keyARN
	}
	if lp.RaiseRetention {
		spec.RetentionDays = lp.RetentionDays
	}
	res, err := loggroup.Ensure(ctx, data.AWS.Logs, spec)
	data.Posture.Invalidate()
	if err != nil {
		return err
	}
	tflog.Info(ctx, "shared log group prepared", map[string]any{"log_group": name, "created": res.Created,
		"key_associated": res.KeyAssociated, "retention_set": res.RetentionSet})
	lg, err := loggroup.Find(ctx, data.AWS.Logs, name)
	if err != nil {
		return err
	}
	if aws.ToString(lg.KmsKeyId) == "" {
		return fmt.Errorf("SS-ENC-5: log group %s still has no KMS key after sagesafe associated %s", name, spec.KMSKeyARN)
	}
	return nil
}
