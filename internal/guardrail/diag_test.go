package guardrail

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
)

var publicSubnet = Finding{
	Control: "SS-NET-2", Severity: SeverityError, Field: FieldSubnetIDs, Index: 1, Object: "subnet-0abc",
	Summary:  "subnet subnet-0abc is not private",
	Evidence: "Its route table rtb-0def sends 0.0.0.0/0 to internet gateway igw-0123.",
}

const publicSubnetDetail = `Its route table rtb-0def sends 0.0.0.0/0 to internet gateway igw-0123.
A route to an internet gateway or a public address on the network interface makes training containers and model servers reachable from the internet. A default route to a NAT or egress-only gateway, a transit gateway, a peering connection or a VPN lets them send data to any address outside the VPC, which is how a compromised container exfiltrates data; splitting the internet into pieces (0.0.0.0/1 and 128.0.0.0/1) does the same.
Fix: Remove the route the error names: keep only the local route and gateway endpoint (pl- to vpce-) routes, and reach AWS services through VPC endpoints; turn MapPublicIpOnLaunch off. sagesafe_network creates such subnets. A subnet without an explicit route table association uses the VPC's main route table, so check that one too.
(References: Security Hub EC2.15, checkov CKV_AWS_130, Amazon VPC User Guide: public and private subnets)`

func TestFormatFinding(t *testing.T) {
	summary, detail := FormatFinding(publicSubnet)
	if summary != "SS-NET-2: subnet subnet-0abc is not private" {
		t.Errorf("summary = %q", summary)
	}
	if detail != publicSubnetDetail {
		t.Errorf("detail =\n%s\nwant\n%s", detail, publicSubnetDetail)
	}

	// A finding of an unknown control keeps its evidence only.
	summary, detail = FormatFinding(Finding{Control: "SS-X-1", Summary: "odd", Evidence: "Something."})
	if summary != "SS-X-1: odd" || detail != "Something." {
		t.Errorf("unknown control: %q / %q", summary, detail)
	}
}

func TestDiagnostics(t *testing.T) {
	egress := Finding{Control: "SS-NET-3", Severity: SeverityWarning, Field: FieldSecurityGroupIDs, Index: 0, Object: "sg-1",
		Summary: "security group sg-1 allows unrestricted egress", Evidence: "It has an outbound rule allowing all protocols and ports to 0.0.0.0/0 or ::/0."}
	noVPC := Finding{Control: "SS-NET-1", Severity: SeverityError, Field: FieldNone, Index: -1,
		Summary: `training job "churn" has no subnets`, Evidence: "No subnets are set."}
	digest := Finding{Control: "SS-SUP-1", Severity: SeverityWarning, Field: FieldImage, Index: -1,
		Summary: "image x is not pinned by digest", Evidence: "It is referenced by a tag."}

	paths := Paths{List: map[Field]path.Path{
		FieldSubnetIDs:        path.Root("subnet_ids"),
		FieldSecurityGroupIDs: path.Root("security_group_ids"),
	}} // FieldImage: e.g. a field the resource has no attribute for
	diags := Diagnostics([]Finding{publicSubnet, egress, noVPC, digest}, paths.For)

	want := []struct {
		sev     diag.Severity
		path    string // "" = not attached to an attribute
		summary string
	}{
		{diag.SeverityError, "subnet_ids[1]", "SS-NET-2: subnet subnet-0abc is not private"},
		{diag.SeverityWarning, "security_group_ids[0]", "SS-NET-3: security group sg-1 allows unrestricted egress"},
		{diag.SeverityError, "", `SS-NET-1: training job "churn" has no subnets`},
		{diag.SeverityWarning, "", "SS-SUP-1: image x is not pinned by digest"},
	}
	if len(diags) != len(want) {
		t.Fatalf("got %d diagnostics, want %d: %v", len(diags), len(want), diags)
	}
	for i, w := range want {
		d := diags[i]
		gotPath := ""
		if dp, ok := d.(diag.DiagnosticWithPath); ok {
			gotPath = dp.Path().String()
		}
		if d.Severity() != w.sev || d.Summary() != w.summary || gotPath != w.path {
			t.Errorf("diagnostic %d = {%v %q %q}, want {%v %q %q}", i, d.Severity(), gotPath, d.Summary(), w.sev, w.path, w.summary)
		}
	}
	if diags[0].Detail() != publicSubnetDetail {
		t.Errorf("detail =\n%s\nwant\n%s", diags[0].Detail(), publicSubnetDetail)
	}
	if !diags.HasError() || diags.ErrorsCount() != 2 || diags.WarningsCount() != 2 {
		t.Errorf("got %d errors and %d warnings, want 2 and 2", diags.ErrorsCount(), diags.WarningsCount())
	}

	// Without a path function everything attaches to the resource.
	for _, d := range Diagnostics([]Finding{publicSubnet}, nil) {
		if _, ok := d.(diag.DiagnosticWithPath); ok {
			t.Errorf("diagnostic %q has a path without pathFor", d.Summary())
		}
	}
}

func TestPathsFor(t *testing.T) {
	paths := Paths{
		ByControl: map[string]path.Path{"SS-MON-3": path.Root("retention_days")},
		Each:      map[Field][]path.Path{FieldSecurityGroupIDs: {path.Root("workload_group"), path.Empty()}},
		List:      map[Field]path.Path{FieldSubnetIDs: path.Root("subnet_ids")},
		Attr: map[Field]path.Path{
			FieldLogGroups:        path.Root("kms_key_arn"),
			FieldSecurityGroupIDs: path.Root("security_group_ids"),
		},
	}
	for _, tc := range []struct {
		f    Finding
		want string
	}{
		{Finding{Control: "SS-MON-3", Field: FieldLogGroups, Index: -1}, "retention_days"},
		{Finding{Control: "SS-ENC-5", Field: FieldLogGroups, Index: -1}, "kms_key_arn"},
		{Finding{Control: "SS-NET-2", Field: FieldSubnetIDs, Index: 2}, "subnet_ids[2]"},
		{Finding{Control: "SS-NET-1", Field: FieldSubnetIDs, Index: -1}, "subnet_ids"},
		{Finding{Control: "SS-NET-3", Field: FieldSecurityGroupIDs, Index: 0}, "workload_group"},
		{Finding{Control: "SS-NET-3", Field: FieldSecurityGroupIDs, Index: 1}, ""},
		{Finding{Control: "SS-NET-3", Field: FieldSecurityGroupIDs, Index: 5}, "security_group_ids"},
		{Finding{Control: "SS-SUP-1", Field: FieldImage, Index: -1}, ""},
	} {
		if got := paths.For(tc.f).String(); got != tc.want {
			t.Errorf("For(%s %s[%d]) = %q, want %q", tc.f.Control, tc.f.Field, tc.f.Index, got, tc.want)
		}
	}
}

// TestDriftNote: a refresh promises a restore for what sagesafe manages,
// but not for the organisation's boundary policy, which only its owners
// can fix (red team).
func TestDriftNote(t *testing.T) {
	policy := Finding{Control: "SS-IAM-5", Field: FieldRoleBoundary, Index: -1, Summary: "the permissions boundary x caps nothing"}
	role := Finding{Control: "SS-IAM-5", Field: FieldRoleBoundary, Index: 0, Summary: "role r does not carry the organisation's permissions boundary"}
	if got := DriftNote(policy); strings.Contains(got, "the next apply restores it") || !strings.Contains(got, "not managed by sagesafe") {
		t.Errorf("boundary policy finding: %q", got)
	}
	if got := DriftNote(role); got != "Changed outside Terraform: the next apply restores it." {
		t.Errorf("role finding: %q", got)
	}
}
