package provider

import (
	"context"
	"maps"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/awsclient"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
)

type assumeRoleModel struct {
	RoleARN           types.String `tfsdk:"role_arn"`
	SessionName       types.String `tfsdk:"session_name"`
	ExternalID        types.String `tfsdk:"external_id"`
	Duration          types.String `tfsdk:"duration"`
	Policy            types.String `tfsdk:"policy"`
	PolicyARNs        types.Set    `tfsdk:"policy_arns"`
	SourceIdentity    types.String `tfsdk:"source_identity"`
	Tags              types.Map    `tfsdk:"tags"`
	TransitiveTagKeys types.Set    `tfsdk:"transitive_tag_keys"`
}

type webIdentityModel struct {
	RoleARN              types.String `tfsdk:"role_arn"`
	SessionName          types.String `tfsdk:"session_name"`
	Duration             types.String `tfsdk:"duration"`
	Policy               types.String `tfsdk:"policy"`
	PolicyARNs           types.Set    `tfsdk:"policy_arns"`
	WebIdentityToken     types.String `tfsdk:"web_identity_token"`
	WebIdentityTokenFile types.String `tfsdk:"web_identity_token_file"`
}

type defaultTagsModel struct {
	Tags types.Map `tfsdk:"tags"`
}

type ignoreTagsModel struct {
	Keys        types.Set `tfsdk:"keys"`
	KeyPrefixes types.Set `tfsdk:"key_prefixes"`
}

// awsConfig maps the provider block onto awsclient.Config.
func (m *providerModel) awsConfig(ctx context.Context, lookupEnv func(string) (string, bool)) (awsclient.Config, diag.Diagnostics) {
	var diags diag.Diagnostics
	cfg := awsclient.Config{
		Region:                    m.Region.ValueString(),
		Profile:                   m.Profile.ValueString(),
		AccessKey:                 m.AccessKey.ValueString(),
		SecretKey:                 m.SecretKey.ValueString(),
		Token:                     m.Token.ValueString(),
		MaxRetries:                int(m.MaxRetries.ValueInt64()),
		RetryMode:                 aws.RetryMode(m.RetryMode.ValueString()),
		EndpointURL:               m.EndpointURL.ValueString(),
		Endpoints:                 m.Endpoints.toMap(),
		HTTPProxy:                 m.HTTPProxy.ValueStringPointer(),
		HTTPSProxy:                m.HTTPSProxy.ValueStringPointer(),
		NoProxy:                   m.NoProxy.ValueString(),
		CustomCABundle:            m.CustomCABundle.ValueString(),
		StsRegion:                 m.StsRegion.ValueString(),
		SkipCredentialsValidation: m.SkipCredentialsValidation.ValueBool(),
		SkipRequestingAccountID:   m.SkipRequestingAccountID.ValueBool(),
		SkipMetadataAPICheck:      m.SkipMetadataAPICheck.ValueBoolPointer(),
		UseFIPSEndpoint:           m.UseFIPSEndpoint.ValueBool(),
		UseDualStackEndpoint:      m.UseDualStackEndpoint.ValueBool(),
	}
	diags.Append(m.SharedConfigFiles.ElementsAs(ctx, &cfg.SharedConfigFiles, false)...)
	diags.Append(m.SharedCredentialsFiles.ElementsAs(ctx, &cfg.SharedCredentialsFiles, false)...)
	diags.Append(m.AllowedAccountIDs.ElementsAs(ctx, &cfg.AllowedAccountIDs, false)...)
	diags.Append(m.ForbiddenAccountIDs.ElementsAs(ctx, &cfg.ForbiddenAccountIDs, false)...)
	var d diag.Diagnostics
	cfg.AssumeRole, d = expandAssumeRoles(ctx, m.AssumeRole)
	diags.Append(d...)
	cfg.AssumeRoleWithWebIdentity, d = expandWebIdentity(ctx, m.AssumeRoleWithWebIdentity, lookupEnv)
	diags.Append(d...)
	return cfg, diags
}

// expandAssumeRoles is the role chain. A block without role_arn is an
// error: before issue 15 it was silently ignored, so the provider ran with
// the base credentials the block was meant to replace.
func expandAssumeRoles(ctx context.Context, blocks []assumeRoleModel) ([]awsclient.AssumeRole, diag.Diagnostics) {
	var diags diag.Diagnostics
	out := make([]awsclient.AssumeRole, 0, len(blocks))
	for i, b := range blocks {
		at := path.Root("assume_role").AtListIndex(i)
		if b.RoleARN.ValueString() == "" {
			diags.AddAttributeError(at.AtName("role_arn"), "Missing role_arn in assume_role",
				"An assume_role block is present but names no role. Set role_arn, or remove the block to use the base credentials.")
			continue
		}
		ar := awsclient.AssumeRole{
			RoleARN:        b.RoleARN.ValueString(),
			SessionName:    b.SessionName.ValueString(),
			ExternalID:     b.ExternalID.ValueString(),
			Policy:         b.Policy.ValueString(),
			SourceIdentity: b.SourceIdentity.ValueString(),
		}
		ar.Duration = parseDuration(b.Duration, at.AtName("duration"), &diags)
		diags.Append(b.PolicyARNs.ElementsAs(ctx, &ar.PolicyARNs, false)...)
		diags.Append(b.Tags.ElementsAs(ctx, &ar.Tags, false)...)
		diags.Append(b.TransitiveTagKeys.ElementsAs(ctx, &ar.TransitiveTagKeys, false)...)
		out = append(out, ar)
	}
	return out, diags
}

// expandWebIdentity reads the token as hashicorp/aws does: the block's
// token or token file, else TF_AWS_WEB_IDENTITY_TOKEN or
// AWS_WEB_IDENTITY_TOKEN_FILE; exactly one source.
func expandWebIdentity(ctx context.Context, blocks []webIdentityModel, lookupEnv func(string) (string, bool)) (*awsclient.AssumeRoleWithWebIdentity, diag.Diagnostics) {
	var diags diag.Diagnostics
	if len(blocks) == 0 {
		return nil, diags
	}
	b, at := blocks[0], path.Root("assume_role_with_web_identity").AtListIndex(0)
	if b.RoleARN.ValueString() == "" {
		diags.AddAttributeError(at.AtName("role_arn"), "Missing role_arn in assume_role_with_web_identity",
			"An assume_role_with_web_identity block is present but names no role. Set role_arn, or remove the block.")
		return nil, diags
	}
	w := &awsclient.AssumeRoleWithWebIdentity{
		RoleARN:              b.RoleARN.ValueString(),
		SessionName:          b.SessionName.ValueString(),
		Policy:               b.Policy.ValueString(),
		WebIdentityToken:     b.WebIdentityToken.ValueString(),
		WebIdentityTokenFile: b.WebIdentityTokenFile.ValueString(),
	}
	w.Duration = parseDuration(b.Duration, at.AtName("duration"), &diags)
	diags.Append(b.PolicyARNs.ElementsAs(ctx, &w.PolicyARNs, false)...)
	if w.WebIdentityToken == "" && w.WebIdentityTokenFile == "" {
		w.WebIdentityToken, _ = lookupEnv(envWebIdentityToken)
		w.WebIdentityTokenFile, _ = lookupEnv(envWebIdentityTokenFile)
	}
	if (w.WebIdentityToken != "") == (w.WebIdentityTokenFile != "") {
		diags.AddAttributeError(at, "Invalid assume_role_with_web_identity",
			"Exactly one of web_identity_token or web_identity_token_file is required (or, when neither is set, exactly one of the "+
				envWebIdentityToken+" and "+envWebIdentityTokenFile+" environment variables).")
	}
	return w, diags
}

func parseDuration(v types.String, at path.Path, diags *diag.Diagnostics) time.Duration {
	if v.ValueString() == "" {
		return 0
	}
	d, err := time.ParseDuration(v.ValueString())
	if err != nil {
		diags.AddAttributeError(at, "Invalid duration", err.Error())
	}
	return d
}

// expandDefaultTags is TF_AWS_DEFAULT_TAGS_<key> overlaid with the block's
// tags, as hashicorp/aws does. unknown reports a block whose tags refer to
// objects of the same apply (not known while planning).
func expandDefaultTags(ctx context.Context, blocks []defaultTagsModel, environ []string) (tags map[string]string, unknown bool, diags diag.Diagnostics) {
	tags = map[string]string{}
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		if key, ok := strings.CutPrefix(k, envDefaultTagsPrefix); ok && key != "" {
			tags[key] = v
		}
	}
	if len(blocks) > 0 {
		if !fullyKnown(ctx, blocks[0].Tags) {
			return nil, true, diags
		}
		var own map[string]string
		diags.Append(blocks[0].Tags.ElementsAs(ctx, &own, false)...)
		maps.Copy(tags, own)
	}
	if len(tags) == 0 {
		return nil, false, diags
	}
	return tags, false, diags
}

// expandIgnoreTags is the block's keys and prefixes plus those of
// TF_AWS_IGNORE_TAGS_KEYS and TF_AWS_IGNORE_TAGS_KEY_PREFIXES (both, as
// hashicorp/aws).
func expandIgnoreTags(ctx context.Context, blocks []ignoreTagsModel, lookupEnv func(string) (string, bool)) (out providerdata.IgnoreTags, diags diag.Diagnostics) {
	if len(blocks) > 0 {
		diags.Append(blocks[0].Keys.ElementsAs(ctx, &out.Keys, false)...)
		diags.Append(blocks[0].KeyPrefixes.ElementsAs(ctx, &out.KeyPrefixes, false)...)
	}
	out.Keys = append(out.Keys, envList(lookupEnv, envIgnoreTagsKeys)...)
	out.KeyPrefixes = append(out.KeyPrefixes, envList(lookupEnv, envIgnoreTagsKeyPrefixes)...)
	return out, diags
}

func envList(lookupEnv func(string) (string, bool), name string) []string {
	v, _ := lookupEnv(name)
	var out []string
	for s := range strings.SplitSeq(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// expandAlarmActions returns the provider's alarm_actions, or unknown when
// they refer to objects of the same apply.
func expandAlarmActions(ctx context.Context, v types.List) (actions []string, unknown bool, diags diag.Diagnostics) {
	if !fullyKnown(ctx, v) {
		return nil, true, diags
	}
	diags.Append(v.ElementsAs(ctx, &actions, false)...)
	return actions, false, diags
}

// fullyKnown reports whether a value and everything in it are known.
func fullyKnown(ctx context.Context, v attr.Value) bool {
	tv, err := v.ToTerraformValue(ctx)
	return err == nil && tv.IsFullyKnown()
}
