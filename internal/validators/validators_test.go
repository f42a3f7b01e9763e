package validators

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func run(v validator.String, val types.String) []string {
	resp := &validator.StringResponse{}
	v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("x"), ConfigValue: val}, resp)
	var out []string
	for _, d := range resp.Diagnostics {
		out = append(out, d.Detail())
	}
	return out
}

func TestValidators(t *testing.T) {
	cases := []struct {
		name    string
		v       validator.String
		in      types.String
		wantErr string
	}{
		{"https endpoint", EndpointURL(), types.StringValue("https://sagemaker.example.com"), ""},
		{"loopback http", EndpointURL(), types.StringValue("http://127.0.0.1:4566"), ""},
		{"public http", EndpointURL(), types.StringValue("http://example.com:4566"), "SS-TLS-1"},
		{"null skipped", EndpointURL(), types.StringNull(), ""},
		{"unknown skipped", EndpointURL(), types.StringUnknown(), ""},
		{"iam arn", ARN("iam"), types.StringValue("arn:aws:iam::123456789012:role/x"), ""},
		{"wrong service", ARN("iam"), types.StringValue("arn:aws:kms:us-east-1:123456789012:key/x"), `expected "iam"`},
		{"not an arn", ARN("sns"), types.StringValue("topic"), "not a valid ARN"},
		{"duration ok", Duration(15*time.Minute, 12*time.Hour), types.StringValue("1h"), ""},
		{"duration short", Duration(15*time.Minute, 12*time.Hour), types.StringValue("1m"), "outside"},
		{"duration junk", Duration(15*time.Minute, 12*time.Hour), types.StringValue("soon"), "not a duration"},
		{"key arn", KMSKey(), types.StringValue("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"), ""},
		{"key alias", KMSKey(), types.StringValue("alias/ml"), ""},
		{"key junk", KMSKey(), types.StringValue("my-key"), "is not a KMS key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := run(c.v, c.in)
			if c.wantErr == "" {
				if len(got) != 0 {
					t.Fatalf("unexpected error: %v", got)
				}
				return
			}
			if len(got) != 1 || !strings.Contains(got[0], c.wantErr) {
				t.Fatalf("want one error containing %q, got %v", c.wantErr, got)
			}
		})
	}
}

func TestNumberFunc(t *testing.T) {
	below1 := NumberFunc("below 1", func(v float64) error {
		if v >= 1 {
			return fmt.Errorf("%v is not below 1", v)
		}
		return nil
	})
	ctx, p := context.Background(), path.Root("x")
	for _, c := range []struct {
		in      types.Float64
		wantErr bool
	}{{types.Float64Value(0.5), false}, {types.Float64Value(1), true}, {types.Float64Null(), false}, {types.Float64Unknown(), false}} {
		resp := &validator.Float64Response{}
		below1.ValidateFloat64(ctx, validator.Float64Request{Path: p, ConfigValue: c.in}, resp)
		if resp.Diagnostics.HasError() != c.wantErr {
			t.Errorf("%v: errors %v, want error %v", c.in, resp.Diagnostics, c.wantErr)
		}
	}
	for _, c := range []struct {
		in      types.Int64
		wantErr bool
	}{{types.Int64Value(0), false}, {types.Int64Value(2), true}, {types.Int64Null(), false}} {
		resp := &validator.Int64Response{}
		below1.ValidateInt64(ctx, validator.Int64Request{Path: p, ConfigValue: c.in}, resp)
		if resp.Diagnostics.HasError() != c.wantErr {
			t.Errorf("%v: errors %v, want error %v", c.in, resp.Diagnostics, c.wantErr)
		}
	}
}
