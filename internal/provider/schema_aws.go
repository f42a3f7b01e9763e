package provider

import (
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/validators"
)

// The settings sagesafe shares with hashicorp/aws, under the same names and
// shapes (blocks are lists, as hashicorp/aws's), so a hashicorp/aws provider
// block's auth and tag settings paste in with only the provider name
// changed. Environment variables are the ones hashicorp/aws reads.

const (
	// envDefaultTagsPrefix, envIgnoreTagsKeys and envIgnoreTagsKeyPrefixes
	// are hashicorp/aws's: one pipeline environment serves both providers.
	envDefaultTagsPrefix     = "TF_AWS_DEFAULT_TAGS_"
	envIgnoreTagsKeys        = "TF_AWS_IGNORE_TAGS_KEYS"
	envIgnoreTagsKeyPrefixes = "TF_AWS_IGNORE_TAGS_KEY_PREFIXES"
	envWebIdentityToken      = "TF_AWS_WEB_IDENTITY_TOKEN"
	envWebIdentityTokenFile  = "AWS_WEB_IDENTITY_TOKEN_FILE"
)

var accountIDsValidator = setvalidator.ValueStringsAre(stringvalidator.RegexMatches(validators.AccountIDRegexp, "must be a 12-digit AWS account ID"))

func awsAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"allowed_account_ids": schema.SetAttribute{
			ElementType: types.StringType,
			Optional:    true,
			MarkdownDescription: "Account IDs the provider may work in. Any other account is an error (`AWS account ID not allowed: <id>`) at configure, " +
				"before any resource is read or changed. Conflicts with `forbidden_account_ids`.",
			Validators: []validator.Set{accountIDsValidator, setvalidator.ConflictsWith(path.MatchRoot("forbidden_account_ids"))},
		},
		"forbidden_account_ids": schema.SetAttribute{
			ElementType:         types.StringType,
			Optional:            true,
			MarkdownDescription: "Account IDs the provider must not work in: the guard against applying to the wrong account, checked at configure. Conflicts with `allowed_account_ids`.",
			Validators:          []validator.Set{accountIDsValidator},
		},
		"http_proxy": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "URL of a proxy for HTTP requests to AWS. Also read from `HTTP_PROXY` / `http_proxy`. As in `hashicorp/aws`, it is used for HTTPS " +
				"requests too when no HTTPS proxy is set (set `https_proxy = \"\"` for none).",
		},
		"https_proxy": schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: "URL of a proxy for HTTPS requests to AWS. Also read from `HTTPS_PROXY` / `https_proxy`.",
		},
		"no_proxy": schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: "Comma-separated hosts that bypass the proxies. Also read from `NO_PROXY` / `no_proxy`.",
		},
		"custom_ca_bundle": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "File of custom root and intermediate certificates (PEM). Also read from `AWS_CA_BUNDLE`. TLS 1.2 stays the minimum and plaintext " +
				"stays refused (SS-TLS-1) with a custom bundle too.",
		},
		"sts_region": schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: "Region of the STS calls (caller identity, assume role); other services use `region`.",
		},
		"skip_credentials_validation": schema.BoolAttribute{
			Optional: true,
			MarkdownDescription: "Skip the `sts:GetCallerIdentity` call that validates the credentials, for AWS-like APIs without STS. The account is then looked up " +
				"as `hashicorp/aws` does (IAM, STS) unless `skip_requesting_account_id` is set.",
		},
		"skip_requesting_account_id": schema.BoolAttribute{
			Optional: true,
			MarkdownDescription: "Do not look up the provider's account, for AWS-like APIs without IAM or STS. **The guardrails compare accounts** " +
				"(SS-SUP-1 image registries, SS-KMS-1 key accounts, SS-IAM-1 source conditions): with no account known they fail closed, so only the " +
				"accounts listed in the `guardrails` block pass, and `allowed_account_ids` / `forbidden_account_ids` are an error. Configure warns when set.",
		},
		"skip_metadata_api_check": schema.BoolAttribute{
			Optional:            true,
			MarkdownDescription: "`true` turns the EC2 instance metadata service off as a credential and region source, `false` on. Unset: `AWS_EC2_METADATA_DISABLED` decides.",
		},
		"use_fips_endpoint": schema.BoolAttribute{
			Optional:            true,
			MarkdownDescription: "Resolve FIPS endpoints. Also read from `AWS_USE_FIPS_ENDPOINT`. Custom `endpoints` win.",
		},
		"use_dualstack_endpoint": schema.BoolAttribute{
			Optional:            true,
			MarkdownDescription: "Resolve dual-stack (IPv6) endpoints. Also read from `AWS_USE_DUALSTACK_ENDPOINT`. Custom `endpoints` win.",
		},
	}
}

func awsBlocks() map[string]schema.Block {
	return map[string]schema.Block{
		"assume_role": schema.ListNestedBlock{
			MarkdownDescription: "Assume this IAM role after resolving the base credentials. Repeat the block to chain roles: each is assumed with " +
				"the credentials of the one before, as in `hashicorp/aws`. A block without `role_arn` is an error (it would silently use the base credentials).",
			NestedObject: schema.NestedBlockObject{Attributes: assumeRoleAttributes()},
		},
		"assume_role_with_web_identity": schema.ListNestedBlock{
			MarkdownDescription: "Assume an IAM role with an OpenID Connect token (how CI on OIDC authenticates). At most one.",
			NestedObject:        schema.NestedBlockObject{Attributes: webIdentityAttributes()},
			Validators:          []validator.List{listvalidator.SizeAtMost(1)},
		},
		"default_tags": schema.ListNestedBlock{
			MarkdownDescription: "Tags merged into every taggable object the provider creates, as `hashicorp/aws`'s `default_tags`; a resource's own `tags` win on conflict. At most one.",
			NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
				"tags": schema.MapAttribute{
					ElementType: types.StringType,
					Optional:    true,
					MarkdownDescription: "The tags. Also read from environment variables `" + envDefaultTagsPrefix + "<key>`; the block wins. May refer to " +
						"objects created in the same apply: they are then known at apply.",
				},
			}},
			Validators: []validator.List{listvalidator.SizeAtMost(1)},
		},
		"ignore_tags": schema.ListNestedBlock{
			MarkdownDescription: "Live tags the resources neither report as drift nor remove (tags other tools or AWS add). At most one.",
			NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
				"keys": schema.SetAttribute{
					ElementType:         types.StringType,
					Optional:            true,
					MarkdownDescription: "Tag keys to ignore. Also read from `" + envIgnoreTagsKeys + "` (comma-separated); both are used.",
				},
				"key_prefixes": schema.SetAttribute{
					ElementType:         types.StringType,
					Optional:            true,
					MarkdownDescription: "Tag key prefixes to ignore. Also read from `" + envIgnoreTagsKeyPrefixes + "` (comma-separated); both are used.",
				},
			}},
			Validators: []validator.List{listvalidator.SizeAtMost(1)},
		},
	}
}

// sessionAttributes are what assume_role and assume_role_with_web_identity
// share.
func sessionAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"role_arn": schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: "ARN of the role to assume. Required in a block that is present.",
			Validators:          []validator.String{validators.ARN("iam")},
		},
		"session_name": schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: "Session name (recorded in CloudTrail).",
		},
		"duration": schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: "Session duration as a Go duration, e.g. `1h`. 15m to 12h.",
			Validators:          []validator.String{validators.Duration(15*time.Minute, 12*time.Hour)},
		},
		"policy": schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: "IAM policy JSON that further restricts the session's permissions.",
		},
		"policy_arns": schema.SetAttribute{
			ElementType:         types.StringType,
			Optional:            true,
			MarkdownDescription: "ARNs of IAM managed policies that further restrict the session's permissions.",
			Validators:          []validator.Set{setvalidator.ValueStringsAre(validators.ARN("iam"))},
		},
	}
}

func assumeRoleAttributes() map[string]schema.Attribute {
	attrs := sessionAttributes()
	attrs["external_id"] = schema.StringAttribute{
		Optional:            true,
		Sensitive:           true,
		MarkdownDescription: "External ID required by the role's trust policy (`sts:ExternalId`). Marked sensitive, so it stays out of plan output.",
	}
	attrs["source_identity"] = schema.StringAttribute{
		Optional:            true,
		MarkdownDescription: "Source identity of the principal assuming the role (`sts:SourceIdentity`), kept through role chaining.",
	}
	attrs["tags"] = schema.MapAttribute{
		ElementType:         types.StringType,
		Optional:            true,
		MarkdownDescription: "Session tags.",
	}
	attrs["transitive_tag_keys"] = schema.SetAttribute{
		ElementType:         types.StringType,
		Optional:            true,
		MarkdownDescription: "Keys of session tags passed on to later sessions of a role chain.",
	}
	return attrs
}

func webIdentityAttributes() map[string]schema.Attribute {
	attrs := sessionAttributes()
	attrs["web_identity_token"] = schema.StringAttribute{
		Optional:            true,
		Sensitive:           true,
		MarkdownDescription: "The OIDC token. Also read from `" + envWebIdentityToken + "`. Conflicts with `web_identity_token_file`.",
		Validators:          []validator.String{stringvalidator.ConflictsWith(path.MatchRelative().AtParent().AtName("web_identity_token_file"))},
	}
	attrs["web_identity_token_file"] = schema.StringAttribute{
		Optional:            true,
		MarkdownDescription: "File holding the OIDC token, read again whenever the session is renewed. Also read from `" + envWebIdentityTokenFile + "`.",
	}
	return attrs
}
