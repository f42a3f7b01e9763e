package endpoint

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	"github.com/sagesafe/terraform-provider-sagesafe/internal/loggroup"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

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
	return out, nil
}

// findEndpointConfig describes an endpoint configuration.
func findEndpointConfig(ctx context.Context, api SageMakerAPI, name string) (*sagemaker.DescribeEndpointConfigOutput, error) {
	out, err := api.DescribeEndpointConfig(ctx, &sagemaker.DescribeEndpointConfigInput{EndpointConfigName: aws.String(name)})
	if err != nil {
		return nil, wrapNotFound("endpoint configuration", name, err)
	}
	return out, nil
}

// findModel describes a model.
func findModel(ctx context.Context, api SageMakerAPI, name string) (*sagemaker.DescribeModelOutput, error) {
	out, err := api.DescribeModel(ctx, &sagemaker.DescribeModelInput{ModelName: aws.String(name)})
	if err != nil {
		return nil, wrapNotFound("model", name, err)
	}
	return out, nil
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

// liveObjects is everything a refresh reads: six calls (DescribeEndpoint,
// DescribeEndpointConfig, DescribeModel, one DescribeAlarms, one
// DescribeLogGroups, ListTags), and one DescribeModel more for each model
// of a variant sagesafe did not make. A nil config, model or log group was
// not found.
type liveObjects struct {
	ep       *sagemaker.DescribeEndpointOutput
	cfg      *sagemaker.DescribeEndpointConfigOutput
	model    *sagemaker.DescribeModelOutput            // the model of variant(cfg)
	models   map[string]*sagemaker.DescribeModelOutput // every variant's model, by name
	alarms   map[string]cwtypes.MetricAlarm
	logGroup *logstypes.LogGroup
	tags     map[string]string
}

// readLive reads the endpoint and what it uses. A missing endpoint is a
// *NotFoundError.
func (r *endpointResource) readLive(ctx context.Context, name string) (*liveObjects, error) {
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
	if l.alarms, err = alarms.Describe(ctx, a.CloudWatch, alarmNames(name)); err != nil {
		return nil, err
	}
	l.logGroup, err = loggroup.Find(ctx, a.Logs, logGroupName(name))
	if errors.Is(err, loggroup.ErrNotFound) {
		l.logGroup, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	out, err := a.SageMaker.ListTags(ctx, &sagemaker.ListTagsInput{ResourceArn: ep.EndpointArn, MaxResults: aws.Int32(100)})
	if err != nil {
		return nil, fmt.Errorf("listing the tags of endpoint %s: %w", name, err)
	}
	l.tags = tagMap(out.Tags)
	return l, nil
}

// Polling backoff: the first poll after pollInitial, then 1.5 times longer
// each time, up to pollMax (the SDK waiter used for deletion gets the same
// bounds). Variables so that tests against a fast emulator can shorten them.
var (
	pollInitial = 5 * time.Second
	pollMax     = 30 * time.Second
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
type backoff struct{ next time.Duration }

func (b *backoff) wait(ctx context.Context) error {
	if b.next == 0 {
		b.next = pollInitial
	}
	t := time.NewTimer(b.next)
	defer t.Stop()
	b.next = min(time.Duration(float64(b.next)*1.5), pollMax)
	select {
	case <-ctx.Done():
		return errTimeout
	case <-t.C:
		return nil
	}
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

// waitGone waits until the endpoint no longer exists, with the SDK's
// EndpointDeleted waiter: DescribeEndpoint's ValidationException ("Could not
// find endpoint") ends it. One exception to the waiter's rule: it takes
// Failed for a failed deletion and stops with an error, but the endpoints
// deleted here include ones that failed to create, which DescribeEndpoint
// may still report as Failed right after DeleteEndpoint accepted them. So
// Failed keeps the wait going, bounded like any other status by the delete
// timeout (ctx's deadline), as the hand-written poll did.
func waitGone(ctx context.Context, api sagemaker.DescribeEndpointAPIClient, name string) error {
	var last smtypes.EndpointStatus
	w := sagemaker.NewEndpointDeletedWaiter(api, func(o *sagemaker.EndpointDeletedWaiterOptions) {
		// The SDK's 30 s minimum would slow down every destroy against a
		// fast emulator; these are the delays of the other waits here.
		o.MinDelay, o.MaxDelay = pollInitial, pollMax
		sdkRule := o.Retryable
		o.Retryable = func(ctx context.Context, in *sagemaker.DescribeEndpointInput, out *sagemaker.DescribeEndpointOutput, err error) (bool, error) {
			if err == nil {
				last = out.EndpointStatus
				if out.EndpointStatus == smtypes.EndpointStatusFailed {
					return true, nil
				}
			}
			return sdkRule(ctx, in, out, err)
		}
	})
	budget, ok := waitBudget(ctx)
	if !ok {
		return fmt.Errorf("endpoint %s is still there: %w", name, errTimeout)
	}
	if err := w.Wait(ctx, &sagemaker.DescribeEndpointInput{EndpointName: aws.String(name)}, budget); err != nil {
		if last == "" {
			return fmt.Errorf("waiting for endpoint %s to be deleted: %w", name, err)
		}
		return fmt.Errorf("endpoint %s is still %s: %w", name, last, err)
	}
	return nil
}

// waitBudget is how long a waiter may take: what is left of ctx's deadline,
// which Create, Update and Delete set from the resource's timeouts (and the
// cleanup of a failed create from the delete timeout). ok is false when
// nothing is left.
func waitBudget(ctx context.Context) (time.Duration, bool) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return DefaultDeleteTimeout, true
	}
	left := time.Until(deadline)
	return left, left > 0
}

// ensureModel creates the model of a version unless it exists (a retried
// apply adopts its own model: the name carries the hash of its settings).
// A model of that name without network isolation was changed outside
// sagesafe and is recreated.
func (r *endpointResource) ensureModel(ctx context.Context, s spec, name string, tags map[string]string) (created bool, arn string, err error) {
	sm := r.data.AWS.SageMaker
	m, err := findModel(ctx, sm, name)
	switch {
	case err == nil && aws.ToBool(m.EnableNetworkIsolation):
		return false, aws.ToString(m.ModelArn), nil
	case err == nil:
		tflog.Warn(ctx, "model exists without network isolation; recreating it", map[string]any{"model": name})
		if _, err := sm.DeleteModel(ctx, &sagemaker.DeleteModelInput{ModelName: aws.String(name)}); err != nil && !sageMakerNotFound(err) {
			return false, "", fmt.Errorf("deleting model %s (no network isolation): %w", name, err)
		}
	case !IsNotFound(err):
		return false, "", err
	}
	out, err := sm.CreateModel(ctx, s.createModelInput(name, tags))
	if err != nil {
		// A retried request whose first attempt succeeded reports that the
		// model exists: it is this apply's.
		if m, ferr := findModel(ctx, sm, name); ferr == nil && aws.ToBool(m.EnableNetworkIsolation) {
			return true, aws.ToString(m.ModelArn), nil
		}
		return false, "", fmt.Errorf("creating model %s: %w", name, err)
	}
	return true, aws.ToString(out.ModelArn), nil
}

// ensureConfig creates the endpoint configuration of a version unless it
// exists (configurations are immutable; the name carries their hash).
func (r *endpointResource) ensureConfig(ctx context.Context, s spec, name string, nvme bool, tags map[string]string) (created bool, arn string, err error) {
	sm := r.data.AWS.SageMaker
	cfg, err := findEndpointConfig(ctx, sm, name)
	switch {
	case err == nil:
		return false, aws.ToString(cfg.EndpointConfigArn), nil
	case !IsNotFound(err):
		return false, "", err
	}
	out, err := sm.CreateEndpointConfig(ctx, s.createConfigInput(name, name, nvme, tags))
	if err != nil {
		if cfg, ferr := findEndpointConfig(ctx, sm, name); ferr == nil { // a retry of a request that succeeded
			return true, aws.ToString(cfg.EndpointConfigArn), nil
		}
		return false, "", fmt.Errorf("creating endpoint configuration %s: %w", name, err)
	}
	return true, aws.ToString(out.EndpointConfigArn), nil
}

// createOrAdopt creates the endpoint. An endpoint of that name that this
// resource started creating in an apply that was killed before it could
// record it (it carries the owner tag and is still Creating) is adopted and
// waited for. Any other endpoint of that name is an error: adopting an
// InService one could hand a create_before_destroy replacement the very
// endpoint its old instance is about to delete.
func (r *endpointResource) createOrAdopt(ctx context.Context, s spec, version string, tags map[string]string, c *cleanup) (*sagemaker.DescribeEndpointOutput, error) {
	sm := r.data.AWS.SageMaker
	ep, err := findEndpoint(ctx, sm, s.Name)
	switch {
	case IsNotFound(err):
	case err != nil:
		return nil, err
	default:
		out, err := sm.ListTags(ctx, &sagemaker.ListTagsInput{ResourceArn: ep.EndpointArn, MaxResults: aws.Int32(100)})
		if err != nil {
			return nil, fmt.Errorf("listing the tags of existing endpoint %s: %w", s.Name, err)
		}
		ours := tagMap(out.Tags)[ownerTagKey] == s.Name
		if ours && ep.EndpointStatus == smtypes.EndpointStatusCreating && aws.ToString(ep.EndpointConfigName) == version {
			tflog.Info(ctx, "adopting the endpoint an interrupted apply was creating", map[string]any{"endpoint": s.Name})
			c.endpoint = true
			c.subnets, c.groups = s.SubnetIDs, s.SecurityGroupIDs
			return ep, nil
		}
		return nil, fmt.Errorf("an endpoint named %s already exists (status %s); import it with terraform import <address> %s, "+
			"delete it, or choose another name", s.Name, ep.EndpointStatus, s.Name)
	}
	out, err := sm.CreateEndpoint(ctx, &sagemaker.CreateEndpointInput{
		EndpointName:       aws.String(s.Name),
		EndpointConfigName: aws.String(version),
		Tags:               sageMakerTags(tags),
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
	c.endpoint = true
	c.subnets, c.groups = s.SubnetIDs, s.SecurityGroupIDs
	return &sagemaker.DescribeEndpointOutput{
		EndpointName: aws.String(s.Name), EndpointArn: out.EndpointArn,
		EndpointConfigName: aws.String(version), EndpointStatus: smtypes.EndpointStatusCreating,
	}, nil
}

// deleteVersions deletes models and endpoint configurations; failures are
// warnings (the objects are left over, nothing serves from them).
func (r *endpointResource) deleteVersions(ctx context.Context, endpoint string, configs, models []string, diags *diag.Diagnostics) {
	sm := r.data.AWS.SageMaker
	for _, n := range configs {
		if _, err := sm.DeleteEndpointConfig(ctx, &sagemaker.DeleteEndpointConfigInput{EndpointConfigName: aws.String(n)}); err != nil && !sageMakerNotFound(err) {
			diags.AddWarning("Could not delete endpoint configuration "+n, fmt.Sprintf("It belongs to endpoint %s and serves nothing: %v", endpoint, err))
		}
	}
	for _, n := range models {
		if _, err := sm.DeleteModel(ctx, &sagemaker.DeleteModelInput{ModelName: aws.String(n)}); err != nil && !sageMakerNotFound(err) {
			diags.AddWarning("Could not delete model "+n, fmt.Sprintf("It belongs to endpoint %s and serves nothing: %v", endpoint, err))
		}
	}
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
