package providerdata

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/awsclient"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

func TestReady(t *testing.T) {
	for _, d := range []*Data{nil, {}} {
		var diags diag.Diagnostics
		if Ready(d, "sagesafe_kms_key was read", &diags) {
			t.Errorf("%+v: ready without AWS clients", d)
		}
		if !diags.HasError() || !strings.Contains(diags[0].Detail(), "before sagesafe_kms_key was read") {
			t.Errorf("%+v: diagnostics %v", d, diags)
		}
	}
	var diags diag.Diagnostics
	if !Ready(&Data{AWS: &awsclient.Client{}}, "x", &diags) || diags.HasError() {
		t.Errorf("configured provider not ready: %v", diags)
	}
}

func TestWithoutIgnored(t *testing.T) {
	d := &Data{IgnoreTags: IgnoreTags{Keys: []string{"owner"}, KeyPrefixes: []string{"kubernetes.io/"}}}
	got := d.WithoutIgnored(map[string]string{"owner": "x", "kubernetes.io/cluster/a": "owned", "team": "ml", "own": "y"})
	if len(got) != 2 || got["team"] != "ml" || got["own"] != "y" {
		t.Errorf("got %v, want team and own only", got)
	}
	if (&Data{}).WithoutIgnored(nil) != nil {
		t.Error("nil tags became non-nil")
	}
}

func TestProviderValuesUnknown(t *testing.T) {
	d := &Data{AlarmActions: []string{"arn:aws:sns:us-east-1:123456789012:a"}, DefaultTags: map[string]string{"team": "ml"}}
	if v := d.ProviderAlarmActions(); v.State != facts.StateKnown || len(v.V) != 1 {
		t.Errorf("known alarm actions: %+v", v)
	}
	if v := d.ProviderDefaultTags(); v.State != facts.StateKnown || v.V["team"] != "ml" {
		t.Errorf("known default tags: %+v", v)
	}
	d = &Data{AlarmActionsUnknown: true, DefaultTagsUnknown: true}
	if v := d.ProviderAlarmActions(); v.State != facts.StateUnknown {
		t.Errorf("unknown alarm actions read as %+v", v)
	}
	if v := d.ProviderDefaultTags(); v.State != facts.StateUnknown {
		t.Errorf("unknown default tags read as %+v", v)
	}
	var diags diag.Diagnostics
	AddAlarmActionsUnknown(&diags, path.Root("alarm_actions"))
	if !diags.HasError() || !strings.Contains(diags[0].Detail(), "Set alarm_actions on the resource instead") {
		t.Errorf("diagnostics %v", diags)
	}
}
