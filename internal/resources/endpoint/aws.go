package endpoint

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/aws-sdk-go-base/v2/tfawserr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/loggroup"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/sagemakerjob"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

// Every mutating call of this resource is safe to repeat after a lost
// answer (the SDK retries it, or the next apply sends it again):
//
//   - CreateModel, CreateEndpointConfig: tagged with the creation token; a
//     retry's "already exists" is settled by useExisting (token + audit).
//   - CreateEndpoint: its retry's "already exists" is ours when the endpoint
//     serves this apply's version (there was none before the call); one
//     left by a killed apply is taken up by adoptInterrupted.
//   - UpdateEndpoint: a retry refused because the endpoint is updating to,
//     or already serves, this version is ours (rollout).
//   - DeleteEndpoint, DeleteEndpointConfig, DeleteModel, DeleteLogGroup: a
//     not-found answer is success.
//   - AddTags, DeleteTags, TagResource, UntagResource: set or remove the
//     same keys again.
//   - PutMetricAlarm, DeleteAlarms (alarms): puts overwrite, CloudWatch
//     ignores missing alarm names.
//   - CreateLogGroup, AssociateKmsKey, PutRetentionPolicy (loggroup.Ensure):
//     "already exists" reconciles the group; the others set the same value.

// SageMakerAPI is the part of the SageMaker client the resource uses.
type SageMakerAPI interface {
	DescribeEndpoint(context.Context, *sagemaker.DescribeEndpointInput, ...func(*sagemaker.Options)) (*sagemaker.DescribeEndpointOutput, error)
	DescribeEndpointConfig(context.Context, *sagemaker.DescribeEndpointConfigInput, ...func(*sagemaker.Options)) (*sagemaker.DescribeEndpointConfigOutput, error)
	DescribeModel(context.Context, *sagemaker.DescribeModelInput, ...func(*sagemaker.Options)) (*sagemaker.DescribeModelOutput, error)
}

// NotFoundError says that a SageMaker object does not exist.
type NotFoundError struct {
	Kind string // "endpoint", "endpoint configuration", "model"
	Name string
	Err  error
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("%s %s not found", e.Kind, e.Name) }
func (e *NotFoundError) Unwrap() error { return e.Err }

// IsNotFound reports whether err is (or wraps) a NotFoundError.
func IsNotFound(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}

// sageMakerNotFound reports whether a SageMaker error means "no such
// object". SageMaker's Describe/Delete calls for endpoints, endpoint
// configurations and models have no not-found error type or code: they
// answer ValidationException "Could not find ..." (hashicorp/aws matches the
// same text), so the message is all there is to go on; this is the only
// place the package reads one. The typed ResourceNotFound, which newer
// SageMaker APIs use, is accepted too.
func sageMakerNotFound(err error) bool {
	var rnf *smtypes.ResourceNotFound
	return errors.As(err, &rnf) || tfawserr.ErrMessageContains(err, "ValidationException", "Could not find")
}

func wrapNotFound(kind, name string, err error) error {
	if sageMakerNotFound(err) {
		return &NotFoundError{Kind: kind, Name: name, Err: err}
	}
	return fmt.Errorf("describing %s %s: %w", kind, name, err)
}

// findEndpoint describes an endpoint; a missing one is a *NotFoundError.
func findEndpoint(ctx context.Context, api SageMakerAPI, name string) (*sagemaker.DescribeEndpointOutput, error) {
	out, err := api.DescribeEndpoint(ctx, &sagemaker.DescribeEndpointInput{EndpointName: aws.String(name)})
	if err != nil {
		return nil, wrapNotFound("endpoint", name, err)
	}
	if out == nil || aws.ToString(out.EndpointArn) == "" {
		return nil, emptyAnswer("endpoint", name, "EndpointArn")
	}
	return out, nil
}

// findEndpointConfig describes an endpoint configuration.
func findEndpointConfig(ctx context.Context, api SageMakerAPI, name string) (*sagemaker.DescribeEndpointConfigOutput, error) {
	out, err := api.DescribeEndpointConfig(ctx, &sagemaker.DescribeEndpointConfigInput{EndpointConfigName: aws.String(name)})
	if err != nil {
		return nil, wrapNotFound("endpoint configuration", name, err)
	}
	if out == nil || aws.ToString(out.EndpointConfigArn) == "" {
		return nil, emptyAnswer("endpoint configuration", name, "EndpointConfigArn")
	}
	return out, nil
}

// findModel describes a model.
func findModel(ctx context.Context, api SageMakerAPI, name string) (*sagemaker.DescribeModelOutput, error) {
	out, err := api.DescribeModel(ctx, &sagemaker.DescribeModelInput{ModelName: aws.String(name)})
	if err != nil {
		return nil, wrapNotFound("model", name, err)
	}
	if out == nil || aws.ToString(out.ModelArn) == "" {
		return nil, emptyAnswer("model", name, "ModelArn")
	}
	return out, nil
}

// emptyAnswer is the error for a Describe answer without the object: every
// caller may then rely on the object's ARN.
func emptyAnswer(kind, name, field string) error {
	return fmt.Errorf("describing %s %s: SageMaker answered without it (no %s)", kind, name, field)
}

// variant returns the AllTraffic variant of a config (or its first one).
func variant(cfg *sagemaker.DescribeEndpointConfigOutput) *smtypes.ProductionVariant {
	if cfg == nil || len(cfg.ProductionVariants) == 0 {
		return nil
	}
	for i := range cfg.ProductionVariants {
		if aws.ToString(cfg.ProductionVariants[i].VariantName) == VariantName {
			return &cfg.ProductionVariants[i]
		}
	}
	return &cfg.ProductionVariants[0]
}

// liveObjects is everything a refresh reads: three calls of its own
// (DescribeEndpoint, DescribeEndpointConfig, DescribeModel), one
// DescribeModel more for each model of a variant sagesafe did not make, and
// the alarms, log group, scalable target and tags from the listings every
// endpoint refreshed in the command shares (providerdata.Reads), or one
// DescribeAlarms, DescribeLogGroups, DescribeScalableTargets and ListTags
// when read directly (and ListTags for an endpoint the tag listing cannot
// answer, see Reads.EndpointTags). A nil config, model or log group was not
// found.
type liveObjects struct {
	ep       *sagemaker.DescribeEndpointOutput
	cfg      *sagemaker.DescribeEndpointConfigOutput
	model    *sagemaker.DescribeModelOutput            // the model of variant(cfg)
	models   map[string]*sagemaker.DescribeModelOutput // every variant's model, by name
	alarms   map[string]cwtypes.MetricAlarm
	logGroup *logstypes.LogGroup
	tags     map[string]string
	scaling  liveScaling
}

// readLive reads the endpoint and what it uses. A missing endpoint is a
// *NotFoundError. shared are the command's shared reads (a refresh), nil
// right after this resource's own writes (read directly).
func (r *endpointResource) readLive(ctx context.Context, name string, shared *providerdata.Reads) (*liveObjects, error) {
	a := r.data.AWS
	ep, err := findEndpoint(ctx, a.SageMaker, name)
	if err != nil {
		return nil, err
	}
	l := &liveObjects{ep: ep}
	if cfgName := aws.ToString(ep.EndpointConfigName); cfgName != "" {
		l.cfg, err = findEndpointConfig(ctx, a.SageMaker, cfgName)
		if IsNotFound(err) {
			l.cfg, err = nil, nil
		}
		if err != nil {
			return nil, err
		}
	}
	if l.models, err = readVariantModels(ctx, a.SageMaker, l.cfg); err != nil {
		return nil, err
	}
	if v := variant(l.cfg); v != nil {
		l.model = l.models[aws.ToString(v.ModelName)]
	}
	if l.alarms, err = shared.Alarms(ctx, a.CloudWatch, alarms.EndpointAlarmPrefix, alarmNames(name)); err != nil {
		return nil, err
	}
	l.logGroup, err = shared.LogGroup(ctx, a.Logs, LogGroupPrefix, logGroupName(name))
	if errors.Is(err, loggroup.ErrNotFound) {
		l.logGroup, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	l.tags, err = shared.EndpointTags(ctx, aws.ToString(ep.EndpointArn), func(ctx context.Context) (map[string]string, error) {
		out, err := a.SageMaker.ListTags(ctx, &sagemaker.ListTagsInput{ResourceArn: ep.EndpointArn, MaxResults: aws.Int32(100)})
		if err != nil {
			return nil, fmt.Errorf("listing the tags of endpoint %s: %w", name, err)
		}
		return tagMap(out.Tags), nil
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// Polling backoff: the first poll after pollInitial, then 1.5 times longer
// each time, up to pollMax while the wait is young and then up to a tenth of
// the time waited (sagemakerjob.Poll: a transition is noticed within pollMax
// or 10% of its duration, with polls growing with the log of the duration).
// Deletion (waitGone) polls on it too. Variables so that tests against a fast emulator can shorten them.
var (
	pollInitial = 5 * time.Second
	pollMax     = 15 * time.Second
)

// errTimeout marks a wait that ran out of time.
var errTimeout = errors.New("timed out")

// pending reports whether an endpoint status is a transition that ends by
// itself.
func pending(s smtypes.EndpointStatus) bool {
	switch s {
	case smtypes.EndpointStatusCreating, smtypes.EndpointStatusUpdating, smtypes.EndpointStatusSystemUpdating,
		smtypes.EndpointStatusRollingBack, smtypes.EndpointStatusDeleting:
		return true
	}
	return false
}

// backoff sleeps for the next delay or returns errTimeout when ctx ends first.
type backoff struct{ p *sagemakerjob.Poll }

func (b *backoff) wait(ctx context.Context) error {
	if b.p == nil {
		b.p = &sagemakerjob.Poll{Next: pollInitial, Max: pollMax}
	}
	if b.p.Wait(ctx) != nil {
		return errTimeout
	}
	return nil
}

// waitSettled polls the endpoint until its status is no longer a transition
// (Creating, Updating, SystemUpdating, RollingBack, Deleting). On timeout it
// returns the last description with an error wrapping errTimeout.
//
// It is not the SDK's EndpointInService waiter, whose rule differs in what
// the callers need: on Failed the waiter returns an error without the
// description, but Create reports SageMaker's FailureReason verbatim and
// removes what it made, and Update names the reason too; it would wait until
// the timeout on OutOfService or UpdateRollbackFailed, which are settled
// (nothing changes them by itself); and it reports a missing endpoint as a
// generic failure rather than a NotFoundError.
func waitSettled(ctx context.Context, api SageMakerAPI, name string) (*sagemaker.DescribeEndpointOutput, error) {
	var b backoff
	for {
		out, err := findEndpoint(ctx, api, name)
		if err != nil {
			return nil, err
		}
		if !pending(out.EndpointStatus) {
			return out, nil
		}
		if err := b.wait(ctx); err != nil {
			return out, fmt.Errorf("endpoint %s is still %s: %w", name, out.EndpointStatus, err)
		}
	}
}

// readAfterCreate bounds how long an endpoint just created may stay
// unreadable before Create gives up reading it.
var readAfterCreate = 2 * time.Minute

// waitAfterCreate is waitSettled for an endpoint CreateEndpoint has just
// accepted: SageMaker's reads may not show it yet, and a read may fail
// after the SDK's retries; both are retried for readAfterCreate.
func waitAfterCreate(ctx context.Context, api SageMakerAPI, name string) (*sagemaker.DescribeEndpointOutput, error) {
	deadline := time.Now().Add(readAfterCreate)
	var b backoff
	for {
		ep, err := waitSettled(ctx, api, name)
		if err == nil || errors.Is(err, errTimeout) || (!IsNotFound(err) && !idem.Retryable(err)) || time.Now().After(deadline) {
			return ep, err
		}
		tflog.Debug(ctx, "endpoint not readable yet after create; retrying", map[string]any{"endpoint": name, "error": err.Error()})
		if b.wait(ctx) != nil {
			return ep, err
		}
	}
}

// waitGone waits until the endpoint no longer exists: DescribeEndpoint's
// ValidationException ("Could not find endpoint") ends it, as it ends the
// SDK's EndpointDeleted waiter. It polls on the schedule of the other waits
// here (backoff: within pollMax or a tenth of the time waited, with polls
// growing with the log of the duration) rather than with that waiter, whose
// delays reach MaxDelay and then stay flat, so a long deletion cost one poll
// per MaxDelay. Unlike the waiter it also takes Failed as not yet gone: the
// endpoints deleted here include ones that failed to create, which
// DescribeEndpoint may still report as Failed right after DeleteEndpoint
// accepted them. The wait is bounded by the delete timeout (ctx's
// deadline); any other error ends it.
func waitGone(ctx context.Context, api sagemaker.DescribeEndpointAPIClient, name string) error {
	var b backoff
	for {
		out, err := api.DescribeEndpoint(ctx, &sagemaker.DescribeEndpointInput{EndpointName: aws.String(name)})
		if err != nil {
			if sageMakerNotFound(err) {
				return nil
			}
			return fmt.Errorf("waiting for endpoint %s to be deleted: %w", name, err)
		}
		if err := b.wait(ctx); err != nil {
			return fmt.Errorf("endpoint %s is still %s: %w", name, out.EndpointStatus, err)
		}
	}
}

// ensureModel creates the model of a version unless it exists. An existing
// model of that name is used only when this resource created it (it carries
// the creation token) and its settings are the plan's (checkExisting):
// that is how a retry after a lost answer, or an apply after a failed one,
// picks up its own model. Any other is refused with an error naming it.
func (r *endpointResource) ensureModel(ctx context.Context, s spec, name string, k nameKey, tags map[string]string) (created bool, arn string, err error) {
	sm := r.data.AWS.SageMaker
	m, err := findModel(ctx, sm, name)
	switch {
	case err == nil:
		return false, aws.ToString(m.ModelArn), r.useExisting(ctx, "model", name, aws.ToString(m.ModelArn), auditModel(s, m), k)
	case !IsNotFound(err):
		return false, "", err
	}
	out, err := sm.CreateModel(ctx, s.createModelInput(name, withToken(tags, k.Token)))
	if err != nil {
		// A retried request whose first attempt succeeded reports that the
		// model exists: it is this apply's if it carries the token.
		if m, ferr := findModel(ctx, sm, name); ferr == nil {
			if uerr := r.useExisting(ctx, "model", name, aws.ToString(m.ModelArn), auditModel(s, m), k); uerr != nil {
				return false, "", fmt.Errorf("creating model %s: %w; %w", name, err, uerr)
			}
			return true, aws.ToString(m.ModelArn), nil
		}
		return false, "", fmt.Errorf("creating model %s: %w", name, err)
	}
	return true, aws.ToString(out.ModelArn), nil
}

// ensureConfig creates the endpoint configuration of a version unless it
// exists (configurations are immutable; the name carries their keyed hash),
// on the same terms as ensureModel.
func (r *endpointResource) ensureConfig(ctx context.Context, s spec, name string, nvme bool, k nameKey, tags map[string]string) (created bool, arn string, err error) {
	sm := r.data.AWS.SageMaker
	cfg, err := findEndpointConfig(ctx, sm, name)
	switch {
	case err == nil:
		return false, aws.ToString(cfg.EndpointConfigArn), r.useExisting(ctx, "endpoint configuration", name, aws.ToString(cfg.EndpointConfigArn), auditConfig(s, name, nvme, cfg), k)
	case !IsNotFound(err):
		return false, "", err
	}
	out, err := sm.CreateEndpointConfig(ctx, s.createConfigInput(name, name, nvme, withToken(tags, k.Token)))
	if err != nil {
		if cfg, ferr := findEndpointConfig(ctx, sm, name); ferr == nil { // a retry of a request that succeeded?
			if uerr := r.useExisting(ctx, "endpoint configuration", name, aws.ToString(cfg.EndpointConfigArn), auditConfig(s, name, nvme, cfg), k); uerr != nil {
				return false, "", fmt.Errorf("creating endpoint configuration %s: %w; %w", name, err, uerr)
			}
			return true, aws.ToString(cfg.EndpointConfigArn), nil
		}
		return false, "", fmt.Errorf("creating endpoint configuration %s: %w", name, err)
	}
	return true, aws.ToString(out.EndpointConfigArn), nil
}

// useExisting reads the tags of an existing model or configuration and
// decides with checkExisting whether it may be used. An adopted object
// (see nameKey.Adopted) that passes is tagged with the token, so from now on
// it is recognised like one this resource created.
func (r *endpointResource) useExisting(ctx context.Context, kind, name, objectARN string, diffs []string, k nameKey) error {
	sm := r.data.AWS.SageMaker
	out, err := sm.ListTags(ctx, &sagemaker.ListTagsInput{ResourceArn: aws.String(objectARN), MaxResults: aws.Int32(100)})
	if err != nil {
		return fmt.Errorf("listing the tags of existing %s %s: %w", kind, name, err)
	}
	claim, err := checkExisting(kind, name, tagMap(out.Tags), diffs, k)
	if err != nil || !claim {
		return err
	}
	tflog.Info(ctx, "claiming the adopted version with the creation token", map[string]any{"object": name})
	if _, err := sm.AddTags(ctx, &sagemaker.AddTagsInput{ResourceArn: aws.String(objectARN), Tags: sageMakerTags(map[string]string{idem.TokenTag: k.Token})}); err != nil {
		return fmt.Errorf("tagging adopted %s %s with the creation token: %w", kind, name, err)
	}
	return nil
}

// checkExisting decides whether an existing model or endpoint configuration
// of a version's name may be used: only when this resource created it (its
// creation token tag is the resource's token), or it is the version the
// resource adopted, which the endpoint served when it was imported (then
// claim is true: tag it with the resource's token; it may carry the token
// of the resource whose state was lost, or none); and in both cases only
// when its security settings are the plan's (diffs is empty). Anyone who can
// create SageMaker objects could otherwise make an object of the planned
// name first (no VPC, no key) and have sagesafe serve it.
func checkExisting(kind, name string, tags map[string]string, diffs []string, k nameKey) (claim bool, err error) {
	token, tagged := tags[idem.TokenTag]
	switch {
	case tagged && token == k.Token:
	case k.Adopted != "" && name == k.Adopted:
		claim = true
	default:
		return false, fmt.Errorf("%s %s exists and was not created by this resource (it does not carry this resource's creation token in tag %s); "+
			"sagesafe never uses a SageMaker object it did not create. Delete %s, or find out who created it", kind, name, idem.TokenTag, name)
	}
	if len(diffs) > 0 {
		return false, fmt.Errorf("%s %s exists but its settings differ from the plan: %s; sagesafe does not use it. Delete %s and apply again",
			kind, name, strings.Join(diffs, "; "), name)
	}
	return claim, nil
}

// auditModel lists how a live model differs from the one the spec asks
// for: VPC subnets and security groups, network isolation, image, model
// data, environment and execution role.
func auditModel(s spec, m *sagemaker.DescribeModelOutput) []string {
	var diffs []string
	differ := func(what string, got, want any) {
		diffs = append(diffs, fmt.Sprintf("%s is %v, the plan says %v", what, got, want))
	}
	var subnets, groups []string
	if m.VpcConfig != nil {
		subnets, groups = m.VpcConfig.Subnets, m.VpcConfig.SecurityGroupIds
	}
	if !slices.Equal(sorted(subnets), sorted(s.SubnetIDs)) {
		differ("VPC subnets", sorted(subnets), sorted(s.SubnetIDs))
	}
	if !slices.Equal(sorted(groups), sorted(s.SecurityGroupIDs)) {
		differ("VPC security groups", sorted(groups), sorted(s.SecurityGroupIDs))
	}
	if !aws.ToBool(m.EnableNetworkIsolation) {
		differ("network isolation", false, true)
	}
	c := m.PrimaryContainer
	if c == nil && len(m.Containers) == 1 {
		c = &m.Containers[0]
	}
	if c == nil || len(m.Containers) > 1 {
		return append(diffs, fmt.Sprintf("it has %d containers, the plan one", len(m.Containers)))
	}
	if got := aws.ToString(c.Image); got != s.Image {
		differ("the image", got, s.Image)
	}
	if got := aws.ToString(c.ModelDataUrl); got != s.ModelDataURL {
		differ("the model data", orNone(got), orNone(s.ModelDataURL))
	}
	if !maps.Equal(c.Environment, s.Environment) && (len(c.Environment) > 0 || len(s.Environment) > 0) {
		diffs = append(diffs, "the environment differs from the plan's") // values are secret
	}
	if got := aws.ToString(m.ExecutionRoleArn); got != s.RoleARN {
		differ("the execution role", got, s.RoleARN)
	}
	return diffs
}

// auditConfig lists how a live endpoint configuration differs from the one
// the spec asks for: the volume key, one production variant serving model
// with the planned instances and no shadow variant, and data capture.
func auditConfig(s spec, model string, nvme bool, cfg *sagemaker.DescribeEndpointConfigOutput) []string {
	var diffs []string
	differ := func(what string, got, want any) {
		diffs = append(diffs, fmt.Sprintf("%s is %v, the plan says %v", what, got, want))
	}
	want := s.createConfigInput(aws.ToString(cfg.EndpointConfigName), model, nvme, nil)
	if got, w := aws.ToString(cfg.KmsKeyId), aws.ToString(want.KmsKeyId); got != w {
		differ("KmsKeyId", orNone(got), orNone(w))
	}
	if n := len(cfg.ShadowProductionVariants); n > 0 {
		diffs = append(diffs, fmt.Sprintf("it has %d shadow variants, the plan none", n))
	}
	if len(cfg.ProductionVariants) != 1 {
		diffs = append(diffs, fmt.Sprintf("it has %d production variants, the plan one", len(cfg.ProductionVariants)))
	} else {
		got, w := cfg.ProductionVariants[0], want.ProductionVariants[0]
		if aws.ToString(got.VariantName) != aws.ToString(w.VariantName) || aws.ToString(got.ModelName) != aws.ToString(w.ModelName) ||
			got.InstanceType != w.InstanceType || aws.ToInt32(got.InitialInstanceCount) != aws.ToInt32(w.InitialInstanceCount) {
			differ("the production variant", fmt.Sprintf("%s (model %s, %d x %s)", aws.ToString(got.VariantName), aws.ToString(got.ModelName), aws.ToInt32(got.InitialInstanceCount), got.InstanceType),
				fmt.Sprintf("%s (model %s, %d x %s)", aws.ToString(w.VariantName), aws.ToString(w.ModelName), aws.ToInt32(w.InitialInstanceCount), w.InstanceType))
		}
	}
	gotCapture, wantCapture := cfg.DataCaptureConfig, want.DataCaptureConfig
	switch {
	case wantCapture == nil && gotCapture != nil && aws.ToBool(gotCapture.EnableCapture):
		diffs = append(diffs, "it captures data, the plan does not")
	case wantCapture != nil && (gotCapture == nil || !aws.ToBool(gotCapture.EnableCapture)):
		diffs = append(diffs, "it does not capture data, the plan does")
	case wantCapture != nil:
		if got, w := aws.ToString(gotCapture.DestinationS3Uri), aws.ToString(wantCapture.DestinationS3Uri); got != w {
			differ("the data capture destination", got, w)
		}
		if got, w := aws.ToString(gotCapture.KmsKeyId), aws.ToString(wantCapture.KmsKeyId); got != w {
			differ("the data capture KmsKeyId", orNone(got), w)
		}
	}
	return diffs
}

// createOrAdopt creates the endpoint, with the creation token among its
// tags. An endpoint of that name that exists already is an error, unless
// this apply took it up (a.adopted, see adoptInterrupted) and it serves the
// apply's version.
func (r *endpointResource) createOrAdopt(ctx context.Context, a applyInput, c *cleanup) (*sagemaker.DescribeEndpointOutput, error) {
	sm := r.data.AWS.SageMaker
	s, version := a.spec, a.version
	ep, err := findEndpoint(ctx, sm, s.Name)
	switch {
	case IsNotFound(err):
	case err != nil:
		return nil, err
	case a.adopted && aws.ToString(ep.EndpointConfigName) == version:
		c.endpoint = true
		c.subnets, c.groups = s.SubnetIDs, s.SecurityGroupIDs
		return ep, nil
	default:
		return nil, fmt.Errorf("an endpoint named %s already exists (status %s); import it with terraform import <address> %s, "+
			"delete it, or choose another name", s.Name, ep.EndpointStatus, s.Name)
	}
	out, err := sm.CreateEndpoint(ctx, &sagemaker.CreateEndpointInput{
		EndpointName:       aws.String(s.Name),
		EndpointConfigName: aws.String(version),
		Tags:               sageMakerTags(withToken(a.tags, a.key.Token)),
	})
	if err != nil {
		// A retried request whose first attempt succeeded reports that the
		// endpoint exists. There was none a moment ago, so one serving this
		// apply's configuration is the one just asked for.
		ep, ferr := findEndpoint(ctx, sm, s.Name)
		if ferr != nil || aws.ToString(ep.EndpointConfigName) != version {
			return nil, fmt.Errorf("creating endpoint %s: %w", s.Name, err)
		}
		out = &sagemaker.CreateEndpointOutput{EndpointArn: ep.EndpointArn}
	}
	r.data.Reads.ForgetEndpointTags(aws.ToString(out.EndpointArn)) // reads in this command call ListTags
	c.endpoint = true
	c.subnets, c.groups = s.SubnetIDs, s.SecurityGroupIDs
	return &sagemaker.DescribeEndpointOutput{
		EndpointName: aws.String(s.Name), EndpointArn: out.EndpointArn,
		EndpointConfigName: aws.String(version), EndpointStatus: smtypes.EndpointStatusCreating,
	}, nil
}

// deleteVersions deletes models and endpoint configurations that k proves
// this resource's (see mayDelete); failures are warnings (the objects are
// left over, nothing serves from them). One that is already gone (a lost
// answer to an earlier delete) is success.
func (r *endpointResource) deleteVersions(ctx context.Context, endpoint string, k *nameKey, configs, models []string, diags *diag.Diagnostics) {
	sm := r.data.AWS.SageMaker
	r.deleteOwned(ctx, endpoint, "endpoint configuration", configs, k, diags, func(n string) (*string, error) {
		cfg, err := findEndpointConfig(ctx, sm, n)
		if err != nil {
			return nil, err
		}
		return cfg.EndpointConfigArn, nil
	}, func(n string) error {
		_, err := sm.DeleteEndpointConfig(ctx, &sagemaker.DeleteEndpointConfigInput{EndpointConfigName: aws.String(n)})
		return err
	})
	r.deleteOwned(ctx, endpoint, "model", models, k, diags, func(n string) (*string, error) {
		m, err := findModel(ctx, sm, n)
		if err != nil {
			return nil, err
		}
		return m.ModelArn, nil
	}, func(n string) error {
		_, err := sm.DeleteModel(ctx, &sagemaker.DeleteModelInput{ModelName: aws.String(n)})
		return err
	})
}

// deleteOwned deletes the named objects of one kind (find returns an
// object's ARN) that deleteIfOwned lets go.
func (r *endpointResource) deleteOwned(ctx context.Context, endpoint, kind string, names []string, k *nameKey, diags *diag.Diagnostics,
	find func(string) (*string, error), del func(string) error) {
	for _, n := range names {
		objectARN, err := find(n)
		if err == nil {
			err = r.deleteIfOwned(ctx, kind, n, objectARN, k, diags, func() error { return del(n) })
		}
		if err != nil && !IsNotFound(err) && !sageMakerNotFound(err) {
			diags.AddWarning("Could not delete "+kind+" "+n, fmt.Sprintf("It belongs to endpoint %s and serves nothing: %v", endpoint, err))
		}
	}
}

// deleteIfOwned calls del when the object's tags prove it this resource's
// (mayDelete), and otherwise leaves it with a warning.
func (r *endpointResource) deleteIfOwned(ctx context.Context, kind, name string, objectARN *string, k *nameKey, diags *diag.Diagnostics, del func() error) error {
	out, err := r.data.AWS.SageMaker.ListTags(ctx, &sagemaker.ListTagsInput{ResourceArn: objectARN, MaxResults: aws.Int32(100)})
	if err != nil {
		return fmt.Errorf("listing its tags: %w", err)
	}
	if !mayDelete(k, name, tagMap(out.Tags)) {
		diags.AddWarning("Left "+kind+" "+name+" in place",
			fmt.Sprintf("It is named like a version of this endpoint but does not carry this resource's creation token (tag %s): "+
				"sagesafe did not create it, so it does not delete it.", idem.TokenTag))
		return nil
	}
	return del()
}

// privateState is the part of the framework's private state used here.
type privateState interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

const vcpusKey = "vcpus"

type vcpusRecord struct {
	InstanceType string `json:"instance_type"`
	VCPUs        int    `json:"vcpus"`
}

// vcpus returns the vCPU count of an instance type (the CPU alarm's
// threshold scales with it). It is kept in the resource's private state, so
// a refresh does not look it up again; it falls back to 1 when EC2 does not
// know the type.
func (r *endpointResource) vcpus(ctx context.Context, instanceType string, priv privateState, diags *diag.Diagnostics) int {
	if _, n, ok := cachedVCPUs(ctx, priv, instanceType); ok {
		return n
	}
	n := 1
	out, err := r.data.AWS.EC2.DescribeInstanceTypes(ctx, &ec2.DescribeInstanceTypesInput{
		InstanceTypes: []ec2types.InstanceType{ec2types.InstanceType(strings.TrimPrefix(instanceType, "ml."))},
	})
	if err == nil && len(out.InstanceTypes) == 1 && out.InstanceTypes[0].VCpuInfo != nil {
		n = int(aws.ToInt32(out.InstanceTypes[0].VCpuInfo.DefaultVCpus))
	} else {
		tflog.Warn(ctx, "vCPU count unknown; the CPU alarm assumes 1", map[string]any{"instance_type": instanceType, "error": fmt.Sprint(err)})
	}
	if n < 1 {
		n = 1
	}
	if priv != nil {
		b, _ := json.Marshal(vcpusRecord{InstanceType: instanceType, VCPUs: n})
		diags.Append(priv.SetKey(ctx, vcpusKey, b)...)
	}
	return n
}

// vcpusCached is vcpus for a refresh: from the private state when it has
// the type (no AWS call), else looked up once and stored.
func (r *endpointResource) vcpusCached(ctx context.Context, instanceType string, getPriv, setPriv privateState, diags *diag.Diagnostics) int {
	if b, n, ok := cachedVCPUs(ctx, getPriv, instanceType); ok {
		if setPriv != nil {
			diags.Append(setPriv.SetKey(ctx, vcpusKey, b)...)
		}
		return n
	}
	return r.vcpus(ctx, instanceType, setPriv, diags)
}

// cachedVCPUs is the vCPU record kept in the private state, when there is
// one for this instance type (raw is the record as stored).
func cachedVCPUs(ctx context.Context, priv privateState, instanceType string) (raw []byte, vcpus int, ok bool) {
	if priv == nil {
		return nil, 0, false
	}
	b, d := priv.GetKey(ctx, vcpusKey)
	if d.HasError() || len(b) == 0 {
		return nil, 0, false
	}
	var rec vcpusRecord
	if json.Unmarshal(b, &rec) != nil || rec.InstanceType != instanceType || rec.VCPUs < 1 {
		return nil, 0, false
	}
	return b, rec.VCPUs, true
}

// sageMakerTags and tagMap convert between tag maps and SageMaker tags.
func sageMakerTags(m map[string]string) []smtypes.Tag {
	return shared.TagList(m, func(k, v *string) smtypes.Tag { return smtypes.Tag{Key: k, Value: v} })
}

func tagMap(tags []smtypes.Tag) map[string]string {
	return shared.TagMap(tags, func(t smtypes.Tag) (*string, *string) { return t.Key, t.Value })
}

// orNone stands in for an empty FailureReason in messages.
func orNone(s string) string {
	if s == "" {
		return "(none given)"
	}
	return s
}
