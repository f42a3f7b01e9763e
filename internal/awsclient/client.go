// Package awsclient builds the one aws.Config the provider uses for every
// service: credentials and region resolved as hashicorp/aws resolves them
// (through hashicorp/aws-sdk-go-base), custom endpoints, TLS 1.2 as the
// minimum, plaintext only to loopback, retries and proxies as hashicorp/aws
// configures them, and the account ID and partition from STS, checked
// against allowed_account_ids / forbidden_account_ids.
package awsclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	awsbase "github.com/hashicorp/aws-sdk-go-base/v2"
	basediag "github.com/hashicorp/aws-sdk-go-base/v2/diag"
	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

// AssumeRole is one assume_role block (aws-sdk-go-base's type, so every
// field hashicorp/aws passes on is passed on here: policy, policy_arns,
// tags, transitive_tag_keys, source_identity).
type AssumeRole = awsbase.AssumeRole

// AssumeRoleWithWebIdentity is the assume_role_with_web_identity block
// (aws-sdk-go-base's type).
type AssumeRoleWithWebIdentity = awsbase.AssumeRoleWithWebIdentity

// Config is the resolved provider configuration that concerns AWS access.
type Config struct {
	Region                 string
	Profile                string
	SharedConfigFiles      []string
	SharedCredentialsFiles []string
	AccessKey              string
	SecretKey              string
	Token                  string
	// AssumeRole is the chain of roles assumed in order, each with the
	// credentials of the one before (hashicorp/aws's list of assume_role
	// blocks).
	AssumeRole                []AssumeRole
	AssumeRoleWithWebIdentity *AssumeRoleWithWebIdentity
	// AllowedAccountIDs and ForbiddenAccountIDs are checked against the
	// caller's account before New returns, so before any resource call.
	AllowedAccountIDs   []string
	ForbiddenAccountIDs []string
	MaxRetries          int
	// RetryMode is standard or adaptive; empty: AWS_RETRY_MODE, the shared
	// config's retry_mode, else standard (resolved by aws-sdk-go-base).
	RetryMode aws.RetryMode
	// HTTPProxy and HTTPSProxy: nil means unset (HTTP_PROXY / HTTPS_PROXY
	// apply); NoProxy empty means NO_PROXY applies.
	HTTPProxy      *string
	HTTPSProxy     *string
	NoProxy        string
	CustomCABundle string
	StsRegion      string
	// SkipCredentialsValidation skips the sts:GetCallerIdentity call; the
	// account is then looked up as hashicorp/aws does (IAM, STS), unless
	// SkipRequestingAccountID, when it stays unknown.
	SkipCredentialsValidation bool
	SkipRequestingAccountID   bool
	// SkipMetadataAPICheck: nil leaves the instance metadata service to
	// AWS_EC2_METADATA_DISABLED; true disables it, false enables it.
	SkipMetadataAPICheck *bool
	UseFIPSEndpoint      bool
	UseDualStackEndpoint bool
	EndpointURL          string
	Endpoints            map[string]string
	ProviderVersion      string

	// WrapTransport, when set, wraps the HTTP transport. Only the acceptance
	// test harness sets it (to count calls or inject failures); no
	// production code path depends on it.
	WrapTransport func(http.RoundTripper) http.RoundTripper
	// LookupEnv replaces os.LookupEnv in tests.
	LookupEnv func(string) (string, bool)
}

// Client holds one SDK client per service plus the caller's identity.
type Client struct {
	AccountID string
	Partition string
	Region    string
	CallerARN string
	Endpoints map[string]facts.Endpoint

	AWSConfig  aws.Config
	Budgets    *budgets.Client
	CloudTrail *cloudtrail.Client
	CloudWatch *cloudwatch.Client
	EC2        *ec2.Client
	IAM        *iam.Client
	KMS        *kms.Client
	Logs       *cloudwatchlogs.Client
	S3         *s3.Client
	SageMaker  *sagemaker.Client
	STS        *sts.Client
	// SNS reads the topics budgets notify (SS-COST-1).
	SNS *sns.Client
	// AutoScaling is Application Auto Scaling (endpoint autoscaling).
	AutoScaling *applicationautoscaling.Client
	// Scheduler is EventBridge Scheduler (model monitors' scheduled
	// processing jobs).
	Scheduler *scheduler.Client
	// Tagging is the Resource Groups Tagging API: the tags of every
	// endpoint refreshed in a command, in pages of 100 (providerdata.Reads).
	Tagging *resourcegroupstaggingapi.Client
}

// DefaultMaxRetries is used when max_retries is not set.
const DefaultMaxRetries = 25

// CheckEndpoints applies control SS-TLS-1 to every resolved endpoint and
// returns one error diagnostic per refused URL.
func CheckEndpoints(eps map[string]facts.Endpoint) diag.Diagnostics {
	keys := make([]string, 0, len(eps))
	for k := range eps {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	list := make([]facts.Endpoint, 0, len(keys))
	for _, k := range keys {
		list = append(list, eps[k])
	}
	return checkEndpointList(list)
}

// checkEndpointList applies SS-TLS-1 to each endpoint, once per source and URL.
func checkEndpointList(eps []facts.Endpoint) diag.Diagnostics {
	var diags diag.Diagnostics
	seen := map[string]bool{}
	for _, ep := range eps {
		if seen[ep.Source+ep.URL] {
			continue
		}
		seen[ep.Source+ep.URL] = true
		if err := facts.CheckEndpointURL(ep.URL); err != nil {
			diags.AddError(
				fmt.Sprintf("SS-TLS-1: endpoint %q (from %s) is not allowed", ep.URL, ep.Source),
				fmt.Sprintf("%s\nThe provider reaches AWS only over TLS 1.2 or later. Plain http:// is accepted only for an emulator on a loopback host (localhost, *.localhost, 127.0.0.0/8, ::1, localhost.localstack.cloud).\nFix: use an https:// URL, or run the emulator on a loopback address.", err),
			)
		}
	}
	return diags
}

// New resolves credentials, region and endpoints, checks SS-TLS-1, and asks
// STS who the caller is (once), then checks the account against
// allowed_account_ids / forbidden_account_ids.
func New(ctx context.Context, c Config) (*Client, diag.Diagnostics) {
	var diags diag.Diagnostics

	eps := ResolveEndpoints(c.EndpointURL, c.Endpoints, c.LookupEnv)
	diags.Append(CheckEndpoints(eps)...)

	base := baseConfig(c, eps)
	// Every endpoint the shared config profile sets is checked too, before
	// any request: the SDK uses them wherever the provider sets none (the
	// credential calls included).
	cfgFiles, err := base.ResolveSharedConfigFiles()
	if err != nil {
		diags.AddError("Invalid shared_config_files", err.Error())
		return nil, diags
	}
	credFiles, err := base.ResolveSharedCredentialsFiles()
	if err != nil {
		diags.AddError("Invalid shared_credentials_files", err.Error())
		return nil, diags
	}
	shared := loadSharedProfile(ctx, c.Profile, cfgFiles, credFiles, c.LookupEnv)
	diags.Append(checkEndpointList(shared.Endpoints)...)
	if diags.HasError() {
		return nil, diags
	}

	caBundle := c.CustomCABundle != "" || shared.CABundle != "" || firstEnv(lookupEnvOrOS(c.LookupEnv), "AWS_CA_BUNDLE") != ""
	diags.Append(guardHTTP(base, c, caBundle)...)
	if diags.HasError() {
		return nil, diags
	}

	_, cfg, bdiags := awsbase.GetAwsConfig(ctx, base)
	diags.Append(convertDiags(bdiags)...)
	if diags.HasError() {
		return nil, diags
	}
	if caBundle {
		bc, ok := cfg.HTTPClient.(*awshttp.BuildableClient)
		if !ok {
			diags.AddError("Cannot guard the AWS HTTP client",
				fmt.Sprintf("With a custom CA bundle the SDK builds the HTTP client; expected an *awshttp.BuildableClient, got %T. This is a bug in the provider.", cfg.HTTPClient))
			return nil, diags
		}
		cfg.HTTPClient = guardedClient(bc, c.WrapTransport)
	}
	if cfg.Region == "" {
		diags.AddError("No AWS region",
			"The provider needs a region: set `region` in the provider block, or AWS_REGION / AWS_DEFAULT_REGION, or a region in the shared config profile.")
		return nil, diags
	}

	cl := newServiceClients(cfg, eps, c.StsRegion)
	diags.Append(cl.identify(ctx, c, base)...)
	if diags.HasError() {
		return nil, diags
	}
	return cl, diags
}

// baseConfig maps the provider's settings onto aws-sdk-go-base's Config,
// which resolves credentials, the role chain, web identity, retries, FIPS
// and dual-stack endpoints and the metadata service as hashicorp/aws does.
func baseConfig(c Config, eps map[string]facts.Endpoint) *awsbase.Config {
	maxRetries := c.MaxRetries
	if maxRetries == 0 {
		maxRetries = DefaultMaxRetries
	}
	base := &awsbase.Config{
		AccessKey:                 c.AccessKey,
		SecretKey:                 c.SecretKey,
		Token:                     c.Token,
		Profile:                   c.Profile,
		Region:                    c.Region,
		SharedConfigFiles:         c.SharedConfigFiles,
		SharedCredentialsFiles:    c.SharedCredentialsFiles,
		AssumeRole:                c.AssumeRole,
		AssumeRoleWithWebIdentity: c.AssumeRoleWithWebIdentity,
		AllowedAccountIds:         c.AllowedAccountIDs,
		ForbiddenAccountIds:       c.ForbiddenAccountIDs,
		MaxRetries:                maxRetries,
		RetryMode:                 c.RetryMode,
		CustomCABundle:            c.CustomCABundle,
		StsRegion:                 c.StsRegion,
		UseFIPSEndpoint:           c.UseFIPSEndpoint,
		UseDualStackEndpoint:      c.UseDualStackEndpoint,
		CallerName:                "Terraform provider sagesafe",
		CallerDocumentationURL:    "https://registry.terraform.io/providers/sagesafe/sagesafe/latest/docs",
		// The provider calls STS itself, once (identify), so that a
		// failure names every credential source; skip_credentials_validation
		// only decides whether that call is made.
		SkipCredsValidation:     true,
		SkipRequestingAccountId: c.SkipRequestingAccountID,
		SuppressDebugLog:        true,
		UserAgent: awsbase.UserAgentProducts{
			{Name: "terraform-provider-sagesafe", Version: c.ProviderVersion, Comment: "+https://registry.terraform.io/providers/sagesafe/sagesafe"},
		},
	}
	if c.SkipMetadataAPICheck != nil {
		base.EC2MetadataServiceEnableState = imds.ClientEnabled
		if *c.SkipMetadataAPICheck {
			base.EC2MetadataServiceEnableState = imds.ClientDisabled
		}
	}
	if ep, ok := eps["sts"]; ok {
		base.StsEndpoint = ep.URL
	}
	if ep, ok := eps["iam"]; ok {
		base.IamEndpoint = ep.URL
	}
	return base
}

// guardHTTP gives aws-sdk-go-base the provider's one guarded HTTP client, so
// the credential calls use it as well. Exception: the SDK applies a custom
// CA bundle (custom_ca_bundle, AWS_CA_BUNDLE, ca_bundle) only to a client it
// built itself, and refuses to load at all with any other; then
// aws-sdk-go-base builds it, its plain-http proxy is the plaintext sink (so
// the credential calls it makes cannot leave the host in plaintext either),
// and it is guarded once loaded (see plaintextsink.go and DESIGN.md, AWS
// access). The proxies are hashicorp/aws's: http_proxy, https_proxy and
// no_proxy over HTTP_PROXY, HTTPS_PROXY and NO_PROXY, and http_proxy also
// for HTTPS when no HTTPS proxy is set (aws-sdk-go-base's legacy mode).
func guardHTTP(base *awsbase.Config, c Config, caBundle bool) diag.Diagnostics {
	var diags diag.Diagnostics
	lookupEnv := lookupEnvOrOS(c.LookupEnv)
	if caBundle {
		sink, err := plaintextSinkURL()
		if err != nil {
			diags.AddError("Cannot guard the AWS HTTP client", err.Error())
			return diags
		}
		base.HTTPSProxy = sinkHTTPSProxy(c, lookupEnv)
		base.HTTPProxy = aws.String(sink)
		base.HTTPProxyMode = awsbase.HTTPProxyModeSeparate
		base.NoProxy = sinkNoProxy(c.NoProxy, aws.ToString(base.HTTPSProxy), lookupEnv)
		return diags
	}
	base.HTTPProxy, base.HTTPSProxy, base.NoProxy = c.HTTPProxy, c.HTTPSProxy, c.NoProxy
	base.HTTPProxyMode = awsbase.HTTPProxyModeLegacy
	opts, err := base.HTTPTransportOptions()
	if err != nil {
		diags.AddError("Invalid HTTP proxy configuration", err.Error())
		return diags
	}
	base.HTTPClient = guardedClient(awshttp.NewBuildableClient().WithTransportOptions(opts), c.WrapTransport)
	return diags
}

// newServiceClients builds one SDK client per service on cfg.
func newServiceClients(cfg aws.Config, eps map[string]facts.Endpoint, stsRegion string) *Client {
	cl := &Client{Region: cfg.Region, Endpoints: eps, AWSConfig: cfg}
	endpoint := func(key string) *string {
		if ep, ok := eps[key]; ok {
			return aws.String(ep.URL)
		}
		return nil
	}
	cl.Budgets = budgets.NewFromConfig(cfg, func(o *budgets.Options) { o.BaseEndpoint = endpoint("budgets") })
	cl.SNS = sns.NewFromConfig(cfg, func(o *sns.Options) { o.BaseEndpoint = endpoint("sns") })
	cl.AutoScaling = applicationautoscaling.NewFromConfig(cfg, func(o *applicationautoscaling.Options) {
		o.BaseEndpoint = endpoint("application_autoscaling")
	})
	cl.Scheduler = scheduler.NewFromConfig(cfg, func(o *scheduler.Options) { o.BaseEndpoint = endpoint("scheduler") })
	cl.CloudTrail = cloudtrail.NewFromConfig(cfg, func(o *cloudtrail.Options) { o.BaseEndpoint = endpoint("cloudtrail") })
	cl.CloudWatch = cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) { o.BaseEndpoint = endpoint("cloudwatch") })
	cl.EC2 = ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.BaseEndpoint = endpoint("ec2") })
	cl.IAM = iam.NewFromConfig(cfg, func(o *iam.Options) { o.BaseEndpoint = endpoint("iam") })
	cl.KMS = kms.NewFromConfig(cfg, func(o *kms.Options) { o.BaseEndpoint = endpoint("kms") })
	cl.Logs = cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) { o.BaseEndpoint = endpoint("logs") })
	cl.S3 = s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = endpoint("s3")
		// Emulators serve every bucket on one host: virtual-hosted style
		// would need wildcard DNS.
		o.UsePathStyle = o.BaseEndpoint != nil
	})
	cl.SageMaker = sagemaker.NewFromConfig(cfg, func(o *sagemaker.Options) { o.BaseEndpoint = endpoint("sagemaker") })
	cl.Tagging = resourcegroupstaggingapi.NewFromConfig(cfg, func(o *resourcegroupstaggingapi.Options) {
		o.BaseEndpoint = endpoint("resourcegroupstaggingapi")
	})
	cl.STS = sts.NewFromConfig(cfg, func(o *sts.Options) {
		o.BaseEndpoint = endpoint("sts")
		// sts_region, as in hashicorp/aws: STS is called in that region
		// while every other service uses region.
		if stsRegion != "" {
			o.Region = stsRegion
		}
	})
	return cl
}

// identify sets the caller's account and partition and checks the account
// against allowed_account_ids / forbidden_account_ids. By default with one
// sts:GetCallerIdentity; with skip_credentials_validation as hashicorp/aws
// looks it up (aws-sdk-go-base: IAM, then STS), and with
// skip_requesting_account_id not at all: the account stays empty, a warning
// says so, and the guardrails that compare accounts fail closed.
func (cl *Client) identify(ctx context.Context, c Config, base *awsbase.Config) diag.Diagnostics {
	var diags diag.Diagnostics
	if !c.SkipCredentialsValidation {
		out, err := cl.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			diags.AddError("Cannot identify the AWS caller (sts:GetCallerIdentity failed)",
				fmt.Sprintf("%s\n\nCredentials are resolved as the AWS CLI and hashicorp/aws resolve them, in this order: the provider's access_key/secret_key/token; AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN; AWS_PROFILE or `profile` in the shared config and credentials files (%s), including SSO and credential_process; web identity (assume_role_with_web_identity, or AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN); the container credentials endpoint; the EC2 instance metadata service. Then assume_role, when set.\nRegion: %s. STS endpoint: %s.",
					err, sharedFilesText(c), cl.Region, describeEndpoint(cl.Endpoints, "sts")))
			return diags
		}
		cl.AccountID = aws.ToString(out.Account)
		cl.CallerARN = aws.ToString(out.Arn)
		if a, err := arn.Parse(cl.CallerARN); err == nil {
			cl.Partition = a.Partition
		}
	} else {
		account, partition, bdiags := awsbase.GetAwsAccountIDAndPartition(ctx, cl.AWSConfig, base)
		diags.Append(convertDiags(bdiags)...)
		if diags.HasError() {
			return diags
		}
		cl.AccountID, cl.Partition = account, partition
	}
	if cl.Partition == "" {
		cl.Partition = "aws"
	}
	if cl.AccountID == "" {
		diags.AddWarning("AWS account ID not known",
			"skip_requesting_account_id is set, so the provider does not know its own account. The guardrails that compare accounts "+
				"(SS-SUP-1 image registries, SS-KMS-1 key accounts, SS-IAM-1 source conditions) then fail closed: only the accounts "+
				"the guardrails block lists pass. No account is assumed.")
	}
	diags.Append(checkAccountAllowed(base, cl.AccountID)...)
	return diags
}

// checkAccountAllowed applies allowed_account_ids / forbidden_account_ids
// with aws-sdk-go-base's check and hashicorp/aws's wording. An unknown
// account fails closed when either list is set: it cannot be shown allowed.
func checkAccountAllowed(base *awsbase.Config, accountID string) diag.Diagnostics {
	var diags diag.Diagnostics
	if len(base.AllowedAccountIds) == 0 && len(base.ForbiddenAccountIds) == 0 {
		return diags
	}
	if accountID == "" {
		diags.AddError("AWS account ID not allowed: unknown",
			"allowed_account_ids or forbidden_account_ids is set, but the account is not known (skip_requesting_account_id), so the provider cannot show it is allowed.")
		return diags
	}
	if err := base.VerifyAccountIDAllowed(accountID); err != nil {
		diags.AddError(err.Error(),
			"The credentials belong to an account that allowed_account_ids does not list or forbidden_account_ids lists. Nothing was read or changed.")
	}
	return diags
}

func lookupEnvOrOS(lookupEnv func(string) (string, bool)) func(string) (string, bool) {
	if lookupEnv == nil {
		return os.LookupEnv
	}
	return lookupEnv
}

func sharedFilesText(c Config) string {
	files := append(append([]string{}, c.SharedConfigFiles...), c.SharedCredentialsFiles...)
	if len(files) == 0 {
		return "default: ~/.aws/config and ~/.aws/credentials"
	}
	return strings.Join(files, ", ")
}

func describeEndpoint(eps map[string]facts.Endpoint, key string) string {
	if ep, ok := eps[key]; ok {
		return fmt.Sprintf("%s (from %s)", ep.URL, ep.Source)
	}
	return "AWS default"
}

// convertDiags turns aws-sdk-go-base diagnostics into framework diagnostics.
func convertDiags(in basediag.Diagnostics) diag.Diagnostics {
	var out diag.Diagnostics
	for _, d := range in {
		summary, detail := d.Summary(), d.Detail()
		if awsbase.IsNoValidCredentialSourcesError(d) {
			summary = "No valid AWS credential sources found"
		}
		if de, ok := d.(basediag.DiagnosticWithErr); ok && detail == "" && de.Err() != nil {
			detail = de.Err().Error()
		}
		switch d.Severity() {
		case basediag.SeverityError:
			out.AddError(summary, detail)
		default:
			out.AddWarning(summary, detail)
		}
	}
	return out
}

// ErrNotFound is returned by finders when AWS says an object does not exist.
var ErrNotFound = errors.New("not found")
