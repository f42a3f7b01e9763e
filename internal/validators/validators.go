// Package validators holds the small custom schema validators the
// framework-validators module does not have. Each skips null and unknown
// values and reports on the attribute's own path.
package validators

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

// AccountIDRegexp matches a 12-digit AWS account ID.
var AccountIDRegexp = regexp.MustCompile(`^\d{12}$`)

type stringFunc struct {
	desc  string
	check func(string) error
}

func (v stringFunc) Description(context.Context) string         { return v.desc }
func (v stringFunc) MarkdownDescription(context.Context) string { return v.desc }

func (v stringFunc) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := v.check(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid value", err.Error())
	}
}

// Number runs a check on a known number of a Float64 or Int64 attribute
// (an alarm threshold against its rule in internal/alarms).
type Number struct {
	desc  string
	check func(float64) error
}

// NumberFunc returns a validator for Float64 and Int64 attributes that
// reports check's error on the attribute.
func NumberFunc(desc string, check func(float64) error) Number {
	return Number{desc: desc, check: check}
}

func (v Number) Description(context.Context) string         { return v.desc }
func (v Number) MarkdownDescription(context.Context) string { return v.desc }

func (v Number) ValidateFloat64(_ context.Context, req validator.Float64Request, resp *validator.Float64Response) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := v.check(req.ConfigValue.ValueFloat64()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid value", err.Error())
	}
}

func (v Number) ValidateInt64(_ context.Context, req validator.Int64Request, resp *validator.Int64Response) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := v.check(float64(req.ConfigValue.ValueInt64())); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid value", err.Error())
	}
}

// EndpointURL applies control SS-TLS-1 to an endpoint URL at validate time.
func EndpointURL() validator.String {
	return stringFunc{
		desc: "must be an https:// URL, or http:// to a loopback host (SS-TLS-1)",
		check: func(s string) error {
			if err := facts.CheckEndpointURL(s); err != nil {
				return fmt.Errorf("SS-TLS-1: %w\nThe provider reaches AWS only over TLS 1.2 or later; plain http:// is accepted only for an emulator on a loopback host.\nFix: use an https:// URL, or http://localhost:PORT for a local emulator", err)
			}
			return nil
		},
	}
}

// ARN checks that a value is an ARN of the given service ("" = any).
func ARN(service string) validator.String {
	desc := "must be an ARN"
	if service != "" {
		desc = fmt.Sprintf("must be an %s ARN (arn:<partition>:%s:...)", service, service)
	}
	return stringFunc{desc: desc, check: func(s string) error { return CheckARN(s, service) }}
}

// CheckARN reports whether s is a well-formed ARN of service ("" = any).
func CheckARN(s, service string) error {
	a, err := arn.Parse(s)
	if err != nil {
		return fmt.Errorf("%q is not a valid ARN (expected arn:<partition>:<service>:<region>:<account>:<resource>): %w", s, err)
	}
	if service != "" && a.Service != service {
		return fmt.Errorf("%q is an ARN of service %q, expected %q", s, a.Service, service)
	}
	if a.Resource == "" {
		return fmt.Errorf("%q has no resource part", s)
	}
	return nil
}

// Duration checks a Go duration string within [lo, hi].
func Duration(lo, hi time.Duration) validator.String {
	return stringFunc{
		desc: fmt.Sprintf("must be a duration between %s and %s, e.g. 1h", lo, hi),
		check: func(s string) error {
			d, err := time.ParseDuration(s)
			if err != nil {
				return fmt.Errorf("%q is not a duration (e.g. 30m, 1h): %w", s, err)
			}
			if d < lo || d > hi {
				return fmt.Errorf("%s is outside %s to %s", d, lo, hi)
			}
			return nil
		},
	}
}

// KMSKeyRefRegexp matches a key ID, key ARN, alias name or alias ARN.
var KMSKeyRefRegexp = regexp.MustCompile(`^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key/[A-Za-z0-9-]+|alias/[A-Za-z0-9/_-]+)|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-f]{32}|alias/[A-Za-z0-9/_-]+)$`)

// KMSKey checks a key ID, key ARN, alias name or alias ARN.
func KMSKey() validator.String {
	return stringFunc{
		desc: "must be a KMS key ARN, key ID, alias ARN or alias/NAME",
		check: func(s string) error {
			if !KMSKeyRefRegexp.MatchString(s) {
				return fmt.Errorf("%q is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID), key ID, alias ARN or alias/NAME", s)
			}
			return nil
		},
	}
}

// SubnetIDRegexp and SecurityGroupIDRegexp match EC2 IDs.
var (
	SubnetIDRegexp        = regexp.MustCompile(`^subnet-[0-9a-f]{8,17}$`)
	SecurityGroupIDRegexp = regexp.MustCompile(`^sg-[0-9a-f]{8,17}$`)
)

// InstanceTypeRegexp matches a SageMaker instance type such as ml.m5.xlarge.
var InstanceTypeRegexp = regexp.MustCompile(`^ml\.[a-z0-9-]+\.[a-z0-9]+$`)
