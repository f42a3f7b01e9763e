package providerdata

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/awsclient"
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
