// Package provider is the sagesafe provider: its configuration schema and
// Configure, and the registry of resources and data sources.
package provider

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/awsclient"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/posture"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/resources/audittrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/resources/budget"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/resources/deployerpolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/resources/endpoint"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/resources/executionrole"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/resources/executionrolepolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/resources/guardrailpolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/resources/kmskey"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/resources/modelmonitor"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/resources/network"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/resources/personapolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/resources/personarole"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/resources/preflight"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/resources/processingjob"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/resources/trainingjob"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/validators"
)

var _ provider.Provider = (*sagesafeProvider)(nil)

// Options are test hooks; production code passes none.
type Options struct {
	// WrapTransport wraps the AWS HTTP transport (call counting, failure
	// injection in acceptance tests).
	WrapTransport func(http.RoundTripper) http.RoundTripper
	// LookupEnv and Environ replace os.LookupEnv and os.Environ (unit tests).
	LookupEnv func(string) (string, bool)
	Environ   func() []string
}

func (o Options) lookupEnv() func(string) (string, bool) {
	if o.LookupEnv != nil {
		return o.LookupEnv
	}
	return os.LookupEnv
}

func (o Options) environ() []string {
	if o.Environ != nil {
		return o.Environ()
	}
	return os.Environ()
}

// New returns a provider factory.
func New(version string) func() provider.Provider {
	return NewWithOptions(version, Options{})
}

// NewWithOptions returns a provider factory with test hooks.
func NewWithOptions(version string, opts Options) func() provider.Provider {
	return func() provider.Provider {
		return &sagesafeProvider{version: version, opts: opts}
	}
}

type sagesafeProvider struct {
	version string
	opts    Options
}

type providerModel struct {
	Region                    types.String       `tfsdk:"region"`
	Profile                   types.String       `tfsdk:"profile"`
	SharedConfigFiles         types.List         `tfsdk:"shared_config_files"`
	SharedCredentialsFiles    types.List         `tfsdk:"shared_credentials_files"`
	AccessKey                 types.String       `tfsdk:"access_key"`
	SecretKey                 types.String       `tfsdk:"secret_key"`
	Token                     types.String       `tfsdk:"token"`
	MaxRetries                types.Int64        `tfsdk:"max_retries"`
	RetryMode                 types.String       `tfsdk:"retry_mode"`
	EndpointURL               types.String       `tfsdk:"endpoint_url"`
	AlarmActions              types.List         `tfsdk:"alarm_actions"`
	AllowedAccountIDs         types.Set          `tfsdk:"allowed_account_ids"`
	ForbiddenAccountIDs       types.Set          `tfsdk:"forbidden_account_ids"`
	HTTPProxy                 types.String       `tfsdk:"http_proxy"`
	HTTPSProxy                types.String       `tfsdk:"https_proxy"`
	NoProxy                   types.String       `tfsdk:"no_proxy"`
	CustomCABundle            types.String       `tfsdk:"custom_ca_bundle"`
	StsRegion                 types.String       `tfsdk:"sts_region"`
	SkipCredentialsValidation types.Bool         `tfsdk:"skip_credentials_validation"`
	SkipRequestingAccountID   types.Bool         `tfsdk:"skip_requesting_account_id"`
	SkipMetadataAPICheck      types.Bool         `tfsdk:"skip_metadata_api_check"`
	UseFIPSEndpoint           types.Bool         `tfsdk:"use_fips_endpoint"`
	UseDualStackEndpoint      types.Bool         `tfsdk:"use_dualstack_endpoint"`
	AssumeRole                []assumeRoleModel  `tfsdk:"assume_role"`
	AssumeRoleWithWebIdentity []webIdentityModel `tfsdk:"assume_role_with_web_identity"`
	DefaultTags               []defaultTagsModel `tfsdk:"default_tags"`
	IgnoreTags                []ignoreTagsModel  `tfsdk:"ignore_tags"`
	Endpoints                 *endpointsModel    `tfsdk:"endpoints"`
	Guardrails                *guardrailsModel   `tfsdk:"guardrails"`
}

type endpointsModel struct {
	Budgets     types.String `tfsdk:"budgets"`
	CloudTrail  types.String `tfsdk:"cloudtrail"`
	CloudWatch  types.String `tfsdk:"cloudwatch"`
	EC2         types.String `tfsdk:"ec2"`
	IAM         types.String `tfsdk:"iam"`
	KMS         types.String `tfsdk:"kms"`
	Logs        types.String `tfsdk:"logs"`
	S3          types.String `tfsdk:"s3"`
	SageMaker   types.String `tfsdk:"sagemaker"`
	SNS         types.String `tfsdk:"sns"`
	STS         types.String `tfsdk:"sts"`
	AutoScaling types.String `tfsdk:"application_autoscaling"`
	Scheduler   types.String `tfsdk:"scheduler"`
	Tagging     types.String `tfsdk:"resourcegroupstaggingapi"`
}

func (e *endpointsModel) toMap() map[string]string {
	if e == nil {
		return nil
	}
	return map[string]string{
		"budgets":                  e.Budgets.ValueString(),
		"cloudtrail":               e.CloudTrail.ValueString(),
		"cloudwatch":               e.CloudWatch.ValueString(),
		"ec2":                      e.EC2.ValueString(),
		"iam":                      e.IAM.ValueString(),
		"kms":                      e.KMS.ValueString(),
		"logs":                     e.Logs.ValueString(),
		"s3":                       e.S3.ValueString(),
		"sagemaker":                e.SageMaker.ValueString(),
		"sns":                      e.SNS.ValueString(),
		"sts":                      e.STS.ValueString(),
		"application_autoscaling":  e.AutoScaling.ValueString(),
		"scheduler":                e.Scheduler.ValueString(),
		"resourcegroupstaggingapi": e.Tagging.ValueString(),
	}
}

type guardrailsModel struct {
	RequiredTags              types.List   `tfsdk:"required_tags"`
	AllowedInstanceTypes      types.List   `tfsdk:"allowed_instance_types"`
	MaxTrainingRuntimeSeconds types.Int64  `tfsdk:"max_training_runtime_seconds"`
	MinLogRetentionDays       types.Int64  `tfsdk:"min_log_retention_days"`
	MinEndpointInstances      types.Int64  `tfsdk:"min_endpoint_instances"`
	MaxEndpointInstances      types.Int64  `tfsdk:"max_endpoint_instances"`
	AllowedImageAccounts      types.List   `tfsdk:"allowed_image_accounts"`
	AllowedKeyAccounts        types.List   `tfsdk:"allowed_key_accounts"`
	RequireAlarmActions       types.Bool   `tfsdk:"require_alarm_actions"`
	StrictDataBuckets         types.Bool   `tfsdk:"strict_data_buckets"`
	RoleBoundaryARN           types.String `tfsdk:"role_permissions_boundary_arn"`
}

func (p *sagesafeProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "sagesafe"
	resp.Version = p.version
}

func (p *sagesafeProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = providerSchema()
}

func providerSchema() schema.Schema {
	endpointAttrs := map[string]schema.Attribute{}
	for _, key := range awsclient.ServiceKeys() {
		endpointAttrs[key] = schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: fmt.Sprintf("Custom endpoint URL for %s. Overrides `endpoint_url` and `AWS_ENDPOINT_URL_*`. Must be `https://`, or `http://` to a loopback host (SS-TLS-1).", key),
			Validators:          []validator.String{validators.EndpointURL()},
		}
	}
	s := schema.Schema{
		MarkdownDescription: "The sagesafe provider makes the secure way to run Amazon SageMaker the only easy way. " +
			"It refuses insecure configurations at plan time with an error that names the control (see the Guardrails guide), " +
			"and verifies the subnets, keys and roles it is given instead of trusting their IDs.\n\n" +
			"Credentials and region are resolved exactly as the AWS CLI and the `hashicorp/aws` provider resolve them.",
		Attributes: map[string]schema.Attribute{
			"region": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "AWS region. Defaults to `AWS_REGION`, `AWS_DEFAULT_REGION` or the shared config profile's region.",
			},
			"profile": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Named profile in the shared config and credentials files. Defaults to `AWS_PROFILE`.",
			},
			"shared_config_files": schema.ListAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "Paths of shared config files. Default: `~/.aws/config` (or `AWS_CONFIG_FILE`).",
			},
			"shared_credentials_files": schema.ListAttribute{
				ElementType:         types.StringType,
				Optional:            true,
				MarkdownDescription: "Paths of shared credentials files. Default: `~/.aws/credentials` (or `AWS_SHARED_CREDENTIALS_FILE`).",
			},
			"access_key": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Static access key. **A last resort**: prefer a profile, SSO, web identity or an instance role, which keep long-lived secrets out of configuration and state.",
			},
			"secret_key": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Static secret key. **A last resort**, as `access_key`.",
			},
			"token": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Session token for temporary static credentials. **A last resort**, as `access_key`.",
			},
			"max_retries": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: fmt.Sprintf("Maximum attempts per AWS call. Default %d.", awsclient.DefaultMaxRetries),
				Validators:          []validator.Int64{int64validator.Between(1, 100)},
			},
			"retry_mode": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "How the SDK retries: `standard` (exponential back-off with jitter) or `adaptive` (standard, plus client-side " +
					"rate limiting that slows every later call down after a throttling answer). Also read from `AWS_RETRY_MODE` and the shared " +
					"config file's `retry_mode`; default `standard`, as in the `hashicorp/aws` provider. Creates that have no idempotency " +
					"token are retried by sagesafe itself, never blindly (see the Resilience guide).",
				Validators: []validator.String{stringvalidator.OneOf(string(aws.RetryModeStandard), string(aws.RetryModeAdaptive))},
			},
			"endpoint_url": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "One endpoint URL for every service (LocalStack / moto style), e.g. `http://localhost:4566`. " +
					"Also read from `AWS_ENDPOINT_URL`. Must be `https://`, or `http://` to a loopback host (SS-TLS-1).",
				Validators: []validator.String{validators.EndpointURL()},
			},
			"alarm_actions": schema.ListAttribute{
				ElementType: types.StringType,
				Optional:    true,
				MarkdownDescription: "SNS topic ARNs notified by every alarm the provider creates, unless a resource sets its own (SS-MON-2). " +
					"May refer to topics created in the same apply; a resource that needs them while planning then asks for its own `alarm_actions`.",
				Validators: []validator.List{listvalidator.ValueStringsAre(validators.ARN("sns"))},
			},
		},
		Blocks: map[string]schema.Block{
			"endpoints": schema.SingleNestedBlock{
				MarkdownDescription: "Per-service endpoint URLs.",
				Attributes:          endpointAttrs,
			},
			"guardrails": schema.SingleNestedBlock{
				MarkdownDescription: "A platform team's golden-path policy. It tunes only the controls the catalog marks as tunable; " +
					"nothing here turns off a forced control (network isolation, CMK encryption, private subnets, TLS).",
				Attributes: map[string]schema.Attribute{
					"required_tags": schema.ListAttribute{
						ElementType:         types.StringType,
						Optional:            true,
						MarkdownDescription: "Tag keys every workload must carry (SS-GOV-1), after `default_tags` are merged. Empty: SS-GOV-1 has nothing to check and is `not_checked`, not held.",
					},
					"allowed_instance_types": schema.ListAttribute{
						ElementType:         types.StringType,
						Optional:            true,
						MarkdownDescription: "Glob patterns of allowed SageMaker instance types, e.g. `ml.m5.*` (SS-GOV-2). Empty: all allowed, so SS-GOV-2 has nothing to check and is `not_checked`, not held.",
					},
					"max_training_runtime_seconds": schema.Int64Attribute{
						Optional:            true,
						MarkdownDescription: fmt.Sprintf("Upper bound for a training job's `max_runtime_seconds` (SS-GOV-3). Default %d (3 days).", guardrail.DefaultMaxTrainingRuntimeSeconds),
						Validators:          []validator.Int64{int64validator.Between(1, 2419200)},
					},
					"min_log_retention_days": schema.Int64Attribute{
						Optional:            true,
						MarkdownDescription: fmt.Sprintf("Minimum log retention in days (SS-MON-3). Default %d.", guardrail.DefaultMinLogRetentionDays),
						Validators:          []validator.Int64{int64validator.Between(1, 3653)},
					},
					"min_endpoint_instances": schema.Int64Attribute{
						Optional:            true,
						MarkdownDescription: fmt.Sprintf("Minimum endpoint instance count (SS-AVL-1). Default %d, so an endpoint survives the loss of an instance or an Availability Zone.", guardrail.DefaultMinEndpointInstances),
						Validators:          []validator.Int64{int64validator.AtLeast(1)},
					},
					"max_endpoint_instances": schema.Int64Attribute{
						Optional: true,
						MarkdownDescription: fmt.Sprintf("Maximum instance count of an endpoint, its `instance_count` and its autoscaling maximum alike (SS-AVL-2): a cap on what a traffic "+
							"surge or a runaway client can cost. Default %d.", guardrail.DefaultMaxEndpointInstances),
						Validators: []validator.Int64{int64validator.Between(1, 1000)},
					},
					"allowed_image_accounts": schema.ListAttribute{
						ElementType:         types.StringType,
						Optional:            true,
						MarkdownDescription: "AWS account IDs, other than the provider's own, whose ECR registries may supply images (SS-SUP-1), for example a central image account or the AWS account that serves SageMaker's prebuilt images in your region. Empty: only the provider's own account.",
						Validators:          []validator.List{listvalidator.ValueStringsAre(stringvalidator.RegexMatches(validators.AccountIDRegexp, "must be a 12-digit AWS account ID"))},
					},
					"allowed_key_accounts": schema.ListAttribute{
						ElementType:         types.StringType,
						Optional:            true,
						MarkdownDescription: "AWS account IDs, other than the provider's own, whose KMS keys workloads may use (SS-KMS-1), for example a central key account. Empty: only keys of the provider's account.",
						Validators:          []validator.List{listvalidator.ValueStringsAre(stringvalidator.RegexMatches(validators.AccountIDRegexp, "must be a 12-digit AWS account ID"))},
					},
					"require_alarm_actions": schema.BoolAttribute{
						Optional:            true,
						MarkdownDescription: "Make an alarm without actions an error instead of a warning (SS-MON-2). Default false.",
					},
					"strict_data_buckets": schema.BoolAttribute{
						Optional:            true,
						MarkdownDescription: "Make S3 buckets without SSE-KMS default encryption or a TLS-only bucket policy an error instead of a warning (SS-DATA-1, SS-TLS-2). Default false.",
					},
					"role_permissions_boundary_arn": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: roleBoundaryDescription,
						Validators:          []validator.String{policyARN{}},
					},
				},
			},
		},
	}
	maps.Copy(s.Attributes, awsAttributes())
	maps.Copy(s.Blocks, awsBlocks())
	return s
}

func (p *sagesafeProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	blocking, err := blockingUnknown(req.Config.Raw)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the provider configuration", err.Error())
		return
	}
	if len(blocking) > 0 {
		if req.ClientCapabilities.DeferralAllowed {
			resp.Deferred = &provider.Deferred{Reason: provider.DeferredReasonProviderConfigUnknown}
			return
		}
		resp.Diagnostics.AddError("Provider configuration is not known at plan time", unknownSettingsDetail(blocking))
		return
	}
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	lookupEnv := p.opts.lookupEnv()
	cfg, diags := m.awsConfig(ctx, lookupEnv)
	resp.Diagnostics.Append(diags...)
	cfg.ProviderVersion, cfg.WrapTransport, cfg.LookupEnv = p.version, p.opts.WrapTransport, p.opts.LookupEnv
	data, diags := m.providerData(ctx, lookupEnv, p.opts.environ())
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	client, diags := awsclient.New(ctx, cfg)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := boundaryOfThisAccount(data.Policy.RoleBoundaryARN, client.Partition, client.AccountID); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("guardrails").AtName("role_permissions_boundary_arn"), "Invalid permissions boundary", err.Error())
		return
	}
	data.AWS = client
	data.Posture = posture.NewFetcher(client.AccountID, client.EC2, client.KMS, client.IAM, client.S3, client.Logs).WithTopics(client.SNS, client.KMS).
		WithNotebooks(client.SageMaker, client.Region)
	data.Reads = providerdata.NewReads(client.CloudWatch, client.Logs, client.AutoScaling, client.Tagging)
	resp.DataSourceData = data
	resp.ResourceData = data
}

// providerData is what the provider hands its resources, before the AWS
// clients: the guardrail policy, default and ignored tags, alarm actions.
func (m *providerModel) providerData(ctx context.Context, lookupEnv func(string) (string, bool), environ []string) (*providerdata.Data, diag.Diagnostics) {
	var diags, d diag.Diagnostics
	data := &providerdata.Data{Policy: guardrail.DefaultPolicy(), Repairs: &guardrail.Repairs{}}
	data.DefaultTags, data.DefaultTagsUnknown, d = expandDefaultTags(ctx, m.DefaultTags, environ)
	diags.Append(d...)
	data.IgnoreTags, d = expandIgnoreTags(ctx, m.IgnoreTags, lookupEnv)
	diags.Append(d...)
	data.AlarmActions, data.AlarmActionsUnknown, d = expandAlarmActions(ctx, m.AlarmActions)
	diags.Append(d...)
	diags.Append(m.Guardrails.apply(ctx, &data.Policy)...)
	return data, diags
}

func (g *guardrailsModel) apply(ctx context.Context, p *guardrail.Policy) (diags diag.Diagnostics) {
	if g == nil {
		return nil
	}
	diags.Append(g.RequiredTags.ElementsAs(ctx, &p.RequiredTags, false)...)
	diags.Append(g.AllowedInstanceTypes.ElementsAs(ctx, &p.AllowedInstanceTypes, false)...)
	diags.Append(g.AllowedImageAccounts.ElementsAs(ctx, &p.AllowedImageAccounts, false)...)
	diags.Append(g.AllowedKeyAccounts.ElementsAs(ctx, &p.AllowedKeyAccounts, false)...)
	if !g.MaxTrainingRuntimeSeconds.IsNull() {
		p.MaxTrainingRuntimeSeconds = g.MaxTrainingRuntimeSeconds.ValueInt64()
	}
	if !g.MinLogRetentionDays.IsNull() {
		p.MinLogRetentionDays = g.MinLogRetentionDays.ValueInt64()
	}
	if !g.MinEndpointInstances.IsNull() {
		p.MinEndpointInstances = g.MinEndpointInstances.ValueInt64()
	}
	if !g.MaxEndpointInstances.IsNull() {
		p.MaxEndpointInstances = g.MaxEndpointInstances.ValueInt64()
	}
	p.RequireAlarmActions = g.RequireAlarmActions.ValueBool()
	p.StrictDataBuckets = g.StrictDataBuckets.ValueBool()
	p.RoleBoundaryARN = g.RoleBoundaryARN.ValueString()
	return diags
}

func (p *sagesafeProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		kmskey.NewResource,
		executionrole.NewResource,
		network.NewResource,
		endpoint.NewResource,
		trainingjob.NewResource,
		processingjob.NewResource,
		personarole.NewResource,
		audittrail.NewResource,
		budget.NewResource,
		modelmonitor.NewResource,
	}
}

func (p *sagesafeProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		preflight.NewDataSource,
		executionrolepolicy.NewDataSource,
		guardrailpolicy.NewDataSource,
		personapolicy.NewDataSource,
		deployerpolicy.NewDataSource,
	}
}
