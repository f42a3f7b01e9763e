package provider

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

var (
	tagsObject = tftypes.Object{AttributeTypes: map[string]tftypes.Type{"tags": tftypes.Map{ElementType: tftypes.String}}}
	rawType    = tftypes.Object{AttributeTypes: map[string]tftypes.Type{
		"region":        tftypes.String,
		"alarm_actions": tftypes.List{ElementType: tftypes.String},
		"default_tags":  tftypes.List{ElementType: tagsObject},
	}}
)

func rawConfig(region, actions, defaultTags tftypes.Value) tftypes.Value {
	return tftypes.NewValue(rawType, map[string]tftypes.Value{"region": region, "alarm_actions": actions, "default_tags": defaultTags})
}

// Unknown alarm_actions and default_tags tags (references to objects of the
// same apply) do not stop configure; anything else unknown does, by name.
func TestBlockingUnknown(t *testing.T) {
	unknownStr := tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	region := tftypes.NewValue(tftypes.String, "us-east-1")
	actions := tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, []tftypes.Value{unknownStr})
	tags := func(v tftypes.Value) tftypes.Value {
		return tftypes.NewValue(tftypes.List{ElementType: tagsObject}, []tftypes.Value{
			tftypes.NewValue(tagsObject, map[string]tftypes.Value{"tags": v}),
		})
	}
	knownTags := tags(tftypes.NewValue(tftypes.Map{ElementType: tftypes.String}, map[string]tftypes.Value{"team": tftypes.NewValue(tftypes.String, "ml")}))
	unknownTagValue := tags(tftypes.NewValue(tftypes.Map{ElementType: tftypes.String}, map[string]tftypes.Value{"team": unknownStr}))
	unknownBlock := tftypes.NewValue(tftypes.List{ElementType: tagsObject}, tftypes.UnknownValue)

	for _, c := range []struct {
		name string
		raw  tftypes.Value
		want []string
	}{
		{"all known", rawConfig(region, tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, nil), knownTags), nil},
		{"alarm_actions unknown", rawConfig(region, actions, knownTags), nil},
		{"a default tag unknown", rawConfig(region, actions, unknownTagValue), nil},
		{"region unknown", rawConfig(unknownStr, actions, knownTags), []string{"region"}},
		{"default_tags block unknown", rawConfig(region, actions, unknownBlock), []string{"default_tags"}},
	} {
		got, err := blockingUnknown(c.raw)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, %v; want %v", c.name, got, err, c.want)
		}
	}
}

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

func stringMap(m map[string]string) types.Map {
	elems := map[string]attr.Value{}
	for k, v := range m {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}

// default_tags: TF_AWS_DEFAULT_TAGS_<key> under the block's tags; an unknown
// tag makes the whole set unknown.
func TestExpandDefaultTags(t *testing.T) {
	ctx := context.Background()
	environ := []string{"TF_AWS_DEFAULT_TAGS_team=env", "TF_AWS_DEFAULT_TAGS_owner=platform", "OTHER=x"}
	got, unknown, diags := expandDefaultTags(ctx, []defaultTagsModel{{Tags: stringMap(map[string]string{"team": "ml"})}}, environ)
	if diags.HasError() || unknown || len(got) != 2 || got["team"] != "ml" || got["owner"] != "platform" {
		t.Errorf("got %v unknown=%v %v", got, unknown, diags)
	}
	if got, _, _ := expandDefaultTags(ctx, nil, nil); got != nil {
		t.Errorf("no tags anywhere: %v", got)
	}
	partly := types.MapValueMust(types.StringType, map[string]attr.Value{"topic": types.StringUnknown()})
	if got, unknown, _ := expandDefaultTags(ctx, []defaultTagsModel{{Tags: partly}}, environ); !unknown || got != nil {
		t.Errorf("unknown tag: got %v unknown=%v", got, unknown)
	}
}

// ignore_tags: the block's and the environment's, both.
func TestExpandIgnoreTags(t *testing.T) {
	keys := types.SetValueMust(types.StringType, []attr.Value{types.StringValue("owner")})
	got, diags := expandIgnoreTags(context.Background(), []ignoreTagsModel{{Keys: keys, KeyPrefixes: types.SetNull(types.StringType)}},
		env(map[string]string{envIgnoreTagsKeys: "a, b", envIgnoreTagsKeyPrefixes: "kubernetes.io/"}))
	if diags.HasError() || strings.Join(got.Keys, ",") != "owner,a,b" || strings.Join(got.KeyPrefixes, ",") != "kubernetes.io/" {
		t.Errorf("got %+v %v", got, diags)
	}
}

// alarm_actions referring to a topic of the same apply are unknown, not an
// error.
func TestExpandAlarmActions(t *testing.T) {
	ctx := context.Background()
	unknown := types.ListValueMust(types.StringType, []attr.Value{types.StringUnknown()})
	if got, u, diags := expandAlarmActions(ctx, unknown); !u || got != nil || diags.HasError() {
		t.Errorf("unknown element: %v %v %v", got, u, diags)
	}
	known := types.ListValueMust(types.StringType, []attr.Value{types.StringValue("arn:aws:sns:us-east-1:123456789012:t")})
	if got, u, _ := expandAlarmActions(ctx, known); u || len(got) != 1 {
		t.Errorf("known: %v %v", got, u)
	}
}

// An assume_role block without role_arn is an error (it used to be ignored).
func TestExpandAssumeRoles_emptyRoleIsError(t *testing.T) {
	_, diags := expandAssumeRoles(context.Background(), []assumeRoleModel{{
		PolicyARNs: types.SetNull(types.StringType), Tags: types.MapNull(types.StringType), TransitiveTagKeys: types.SetNull(types.StringType),
	}})
	if !diags.HasError() || !strings.Contains(diags[0].Summary(), "Missing role_arn in assume_role") {
		t.Errorf("diags %v", diags)
	}
}

// assume_role_with_web_identity reads the token as hashicorp/aws: the
// block, else TF_AWS_WEB_IDENTITY_TOKEN or AWS_WEB_IDENTITY_TOKEN_FILE;
// exactly one.
func TestExpandWebIdentity(t *testing.T) {
	block := func(token, file string) []webIdentityModel {
		return []webIdentityModel{{
			RoleARN: types.StringValue("arn:aws:iam::123456789012:role/ci"), PolicyARNs: types.SetNull(types.StringType),
			WebIdentityToken: types.StringValue(token), WebIdentityTokenFile: types.StringValue(file),
		}}
	}
	ctx := context.Background()
	w, diags := expandWebIdentity(ctx, block("", ""), env(map[string]string{envWebIdentityTokenFile: "/t"}))
	if diags.HasError() || w.WebIdentityTokenFile != "/t" {
		t.Errorf("from AWS_WEB_IDENTITY_TOKEN_FILE: %+v %v", w, diags)
	}
	w, diags = expandWebIdentity(ctx, block("", ""), env(map[string]string{envWebIdentityToken: "tok"}))
	if diags.HasError() || w.WebIdentityToken != "tok" {
		t.Errorf("from TF_AWS_WEB_IDENTITY_TOKEN: %+v %v", w, diags)
	}
	w, diags = expandWebIdentity(ctx, block("mine", ""), env(map[string]string{envWebIdentityTokenFile: "/t"}))
	if diags.HasError() || w.WebIdentityToken != "mine" || w.WebIdentityTokenFile != "" {
		t.Errorf("the block wins: %+v %v", w, diags)
	}
	if _, diags = expandWebIdentity(ctx, block("", ""), env(nil)); !diags.HasError() {
		t.Error("no token anywhere: no error")
	}
}
