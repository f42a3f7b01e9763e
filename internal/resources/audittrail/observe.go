package audittrail

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/hashicorp/aws-sdk-go-base/v2/tfawserr"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/posture"
)

// observed is what a refresh read: the observation posture assesses, plus
// what only the resource compares (its tags, its alarms by name, the
// bucket's policy text).
type observed struct {
	posture.TrailObservation
	tags   map[string]string
	alarms map[string]alarmLive
	// role is the delivery role as IAM has it (nil: missing), for its
	// permissions boundary (SS-IAM-5).
	role *iamtypes.Role
}

// alarmLive is one of the trail's alarms as CloudWatch has it, with how it
// differs from sagesafe's spec (empty: as sagesafe set it).
type alarmLive struct {
	diff    []string
	actions []string
}

// observe reads the trail of this name and everything it delivers to
// (posture.ObserveTrail), its tags and its alarms. found is false when the
// trail does not exist.
func observe(ctx context.Context, c clients, name string, actions []string) (o observed, found bool, err error) {
	t, err := findTrail(ctx, c, name)
	if isTrailNotFound(err) {
		return o, false, nil
	}
	if err != nil {
		return o, false, err
	}
	pc := posture.TrailClients{CloudTrail: c.ct, S3: c.s3, Logs: c.logs, Account: c.account}
	if o.TrailObservation, err = posture.ObserveTrail(ctx, pc, t); err != nil {
		return o, true, err
	}
	if o.tags, err = trailTags(ctx, c, aws.ToString(t.TrailARN)); err != nil {
		return o, true, err
	}
	if o.role, err = findRole(ctx, c, roleName(name)); err != nil {
		return o, true, err
	}
	return o, true, observeAlarms(ctx, c, &o, name, actions)
}

// findRole reads the delivery role; nil when it does not exist.
func findRole(ctx context.Context, c clients, name string) (*iamtypes.Role, error) {
	got, err := c.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	switch {
	case tfawserr.ErrCodeEquals(err, codeIAMNotFound):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("reading role %s: %w", name, err)
	}
	return got.Role, nil
}

// importedActions is alarm_actions for an imported trail: the actions its
// alarms share when they are not the provider's (nil: the provider's, or
// alarms that disagree, which the next apply makes the provider's).
func importedActions(o observed, provider []string) []string {
	var common []string
	for i, n := range slices.Sorted(maps.Keys(o.alarms)) {
		a := slices.Sorted(slices.Values(o.alarms[n].actions))
		switch {
		case i == 0:
			common = a
		case !slices.Equal(a, common):
			return nil
		}
	}
	if len(common) == 0 || slices.Equal(common, slices.Sorted(slices.Values(provider))) {
		return nil
	}
	return common
}

// observeAlarms reads the trail's alarms by name, and compares each with
// sagesafe's spec (actions included, so alarms that notify someone else
// count as changed).
func observeAlarms(ctx context.Context, c clients, o *observed, name string, actions []string) error {
	specs := alarmSpecs(name, actions, nil)
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.Name
	}
	live, err := alarms.Describe(ctx, c.cw, names)
	if err != nil {
		return err
	}
	o.alarms = map[string]alarmLive{}
	for _, s := range specs {
		a, ok := live[s.Name]
		if !ok {
			continue
		}
		o.Alarms = append(o.Alarms, a)
		o.alarms[s.Name] = alarmLive{diff: alarms.Diff(s, a), actions: a.AlarmActions}
	}
	return nil
}
