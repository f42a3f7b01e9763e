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
