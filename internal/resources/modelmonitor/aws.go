// The AWS calls: the endpoint's capture, the scheduler role, and the
// schedule of either engine (find, create, update, delete).

package modelmonitor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/hashicorp/aws-sdk-go-base/v2/tfawserr"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/iamrole"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/monitorspec"
)

// Every mutating call of this resource is safe to repeat after a lost
// answer:
//
//   - CreateSchedule: idem.Create with the SDK's retries off and a
//     ClientToken; schedules take no tags, so the creation token rides in
//     the Description, and a retry's ConflictException is settled by
//     reading the schedule of this name and finding this token there
//     (ownSchedule). A schedule of the name without it is refused.
//   - UpdateSchedule: replaces the whole schedule with the same request.
//   - DeleteSchedule: ResourceNotFoundException counts as deleted.
//   - CreateMonitoringSchedule: idem.Create; the token is the tag
//     idem.TokenTag, a retry's ResourceInUse is settled by finding it.
//   - UpdateMonitoringSchedule: the same config again; DeleteMonitoringSchedule:
//     ResourceNotFound counts as deleted.
//   - PutMetricAlarm, DeleteAlarms: puts overwrite, missing names are ignored.

// ownerTagKey names, on every run's job and Model Monitor schedule, the
// monitor that made it.
const ownerTagKey = "sagesafe:model-monitor"

// errNotFound is returned (wrapped) when an object does not exist.
var errNotFound = errors.New("not found")

func noRetrySM(o *sagemaker.Options)  { o.RetryMaxAttempts = 1 }
func noRetrySch(o *scheduler.Options) { o.RetryMaxAttempts = 1 }

// ---- the endpoint ----

// endpointCapture reads the live endpoint's data capture from its endpoint
// config (DescribeEndpoint's summary lacks the capture options). An
// endpoint that does not exist is errNotFound: SageMaker answers it with a
// ValidationException, confirmed by listing endpoints of that name.
func (r *monitorResource) endpointCapture(ctx context.Context, name string) (*smtypes.DataCaptureConfig, error) {
	sm := r.data.AWS.SageMaker
	ep, err := sm.DescribeEndpoint(ctx, &sagemaker.DescribeEndpointInput{EndpointName: aws.String(name)})
	if err != nil {
		if tfawserr.ErrCodeEquals(err, "ValidationException") {
			if listed, lerr := endpointListed(ctx, sm, name); lerr == nil && !listed {
				return nil, fmt.Errorf("endpoint %s: %w", name, errNotFound)
			}
		}
		return nil, fmt.Errorf("describing endpoint %s: %w", name, err)
	}
	cfg, err := sm.DescribeEndpointConfig(ctx, &sagemaker.DescribeEndpointConfigInput{EndpointConfigName: ep.EndpointConfigName})
	if err != nil {
		return nil, fmt.Errorf("describing endpoint config %s of endpoint %s: %w", aws.ToString(ep.EndpointConfigName), name, err)
	}
	return cfg.DataCaptureConfig, nil
}

func endpointListed(ctx context.Context, sm *sagemaker.Client, name string) (bool, error) {
	p := sagemaker.NewListEndpointsPaginator(sm, &sagemaker.ListEndpointsInput{NameContains: aws.String(name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return false, err
		}
		for _, e := range page.Endpoints {
			if aws.ToString(e.EndpointName) == name {
				return true, nil
			}
		}
	}
	return false, nil
}

// ---- the scheduler role ----

// schedulerRole reads the role's trust policy, inline policies and managed
// policies from IAM (iamrole.Find, as every role sagesafe reads).
func (r *monitorResource) schedulerRole(ctx context.Context, roleARN string) (monitorspec.SchedulerRole, error) {
	a, err := arn.Parse(roleARN)
	if err != nil || !strings.HasPrefix(a.Resource, "role/") {
		return monitorspec.SchedulerRole{}, fmt.Errorf("%s is not a role ARN", roleARN)
	}
	name := a.Resource[strings.LastIndex(a.Resource, "/")+1:]
	live, err := iamrole.Find(ctx, r.data.AWS.IAM, name)
	if err != nil {
		return monitorspec.SchedulerRole{}, fmt.Errorf("reading scheduler role %s: %w", name, err)
	}
	return monitorspec.SchedulerRole{Trust: live.Trust, Inline: live.Inline, Attached: live.Attached, Boundary: live.Boundary}, nil
}

// ---- Scheduler engine ----

// tokenMarker precedes the creation token in a schedule's Description.
const tokenMarker = idem.TokenTag + "="

func scheduleDescription(name, token string) string {
	return "Model monitor " + name + ", managed by sagesafe_model_monitor. " + tokenMarker + token
}

// descriptionToken is the creation token in a schedule's description.
func descriptionToken(desc string) string {
	_, tok, ok := strings.Cut(desc, tokenMarker)
	if !ok {
		return ""
	}
	return strings.Fields(tok + " ")[0]
}

func (r *monitorResource) getSchedule(ctx context.Context, name string) (*scheduler.GetScheduleOutput, error) {
	out, err := r.data.AWS.Scheduler.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String(name)})
	var rnf *schtypes.ResourceNotFoundException
	if errors.As(err, &rnf) {
		return nil, fmt.Errorf("schedule %s: %w", name, errNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading schedule %s: %w", name, err)
	}
	return out, nil
}

// scheduleRequest is what CreateSchedule and UpdateSchedule send: the
// schedule always on, at the exact time (no flexible window), starting the
// run's processing job as the scheduler role.
type scheduleRequest struct {
	name, expression, description, schedulerRole, input string
}

func (q scheduleRequest) target() *schtypes.Target {
	return &schtypes.Target{Arn: aws.String(monitorspec.CreateProcessingJobTarget), RoleArn: aws.String(q.schedulerRole), Input: aws.String(q.input)}
}

// createSchedule creates the schedule through idem.Create and returns its
// ARN. A schedule of the name that this create did not make is taken up
// only when an earlier, killed apply of this monitor left it (leftover).
func (r *monitorResource) createSchedule(ctx context.Context, q scheduleRequest, token string) (string, error) {
	q.description = scheduleDescription(q.name, token)
	arn, err := r.createScheduleOnce(ctx, q, token)
	var conflict *schtypes.ConflictException
	if !errors.As(err, &conflict) {
		return arn, err
	}
	arn, lerr := r.leftover(ctx, q)
	if lerr != nil {
		return "", fmt.Errorf("schedule %s already exists and was not created by this apply (%v): import it, or choose another name: %w", q.name, lerr, err)
	}
	tflog.Warn(ctx, "taking up the schedule an interrupted apply created", map[string]any{"schedule": q.name})
	return arn, nil
}

// leftover takes up the schedule a killed apply of this monitor created:
// its description carries a sagesafe creation token (only sagesafe writes
// one) and it starts exactly the runs this apply would start, as the same
// role. Anything else is refused. It is then made exactly the plan (its
// token kept).
func (r *monitorResource) leftover(ctx context.Context, q scheduleRequest) (string, error) {
	live, err := r.getSchedule(ctx, q.name)
	if err != nil {
		return "", err
	}
	desc := aws.ToString(live.Description)
	switch t := live.Target; {
	case descriptionToken(desc) == "":
		return "", errors.New("it carries no sagesafe creation token")
	case t == nil || aws.ToString(t.Arn) != monitorspec.CreateProcessingJobTarget || aws.ToString(t.RoleArn) != q.schedulerRole:
		return "", errors.New("it does not start this monitor's runs as its scheduler role")
	case !sameJSON(aws.ToString(t.Input), q.input):
		return "", errors.New("the runs it starts differ from this monitor's")
	}
	q.description = desc
	return r.updateSchedule(ctx, q)
}

// sameJSON reports whether two JSON documents hold the same value.
func sameJSON(a, b string) bool {
	var x, y any
	return json.Unmarshal([]byte(a), &x) == nil && json.Unmarshal([]byte(b), &y) == nil && reflect.DeepEqual(x, y)
}

func (r *monitorResource) createScheduleOnce(ctx context.Context, q scheduleRequest, token string) (string, error) {
	return idem.Create[string]{
		What: "schedule " + q.name,
		Do: func(ctx context.Context) (string, error) {
			out, err := r.data.AWS.Scheduler.CreateSchedule(ctx, &scheduler.CreateScheduleInput{
				Name: aws.String(q.name), ScheduleExpression: aws.String(q.expression), Description: aws.String(q.description),
				FlexibleTimeWindow: &schtypes.FlexibleTimeWindow{Mode: schtypes.FlexibleTimeWindowModeOff},
				State:              schtypes.ScheduleStateEnabled, Target: q.target(), ClientToken: aws.String(token),
			}, noRetrySch)
			if err != nil {
				return "", err
			}
			return aws.ToString(out.ScheduleArn), nil
		},
		Find: func(ctx context.Context) (string, bool, error) {
			s, err := r.getSchedule(ctx, q.name)
			if errors.Is(err, errNotFound) {
				return "", false, nil
			}
			if err != nil {
				return "", false, err
			}
			return aws.ToString(s.Arn), descriptionToken(aws.ToString(s.Description)) == token, nil
		},
		Taken: func(err error) bool {
			var conflict *schtypes.ConflictException
			return errors.As(err, &conflict)
		},
	}.Run(ctx)
}

// updateSchedule restores the whole schedule; description keeps the live
// creation token.
func (r *monitorResource) updateSchedule(ctx context.Context, q scheduleRequest) (string, error) {
	out, err := r.data.AWS.Scheduler.UpdateSchedule(ctx, &scheduler.UpdateScheduleInput{
		Name: aws.String(q.name), ScheduleExpression: aws.String(q.expression), Description: aws.String(q.description),
		FlexibleTimeWindow: &schtypes.FlexibleTimeWindow{Mode: schtypes.FlexibleTimeWindowModeOff},
		State:              schtypes.ScheduleStateEnabled, Target: q.target(),
	})
	if err != nil {
		return "", fmt.Errorf("updating schedule %s: %w", q.name, err)
	}
	return aws.ToString(out.ScheduleArn), nil
}

func (r *monitorResource) deleteSchedule(ctx context.Context, name string) error {
	_, err := r.data.AWS.Scheduler.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{Name: aws.String(name)})
	var rnf *schtypes.ResourceNotFoundException
	if err != nil && !errors.As(err, &rnf) {
		return fmt.Errorf("deleting schedule %s: %w", name, err)
	}
	return nil
}
