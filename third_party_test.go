package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tfsdklog"
)

// TestThirdPartyCopies: each patched copy in third_party/ is the version
// go.mod requires and go.mod builds with it (third_party/README.md).
func TestThirdPartyCopies(t *testing.T) {
	gomod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"go-plugin", "terraform-plugin-framework", "terraform-plugin-log"} {
		version, err := os.ReadFile("third_party/" + name + ".version")
		if err != nil {
			t.Fatal(err)
		}
		module := "github.com/hashicorp/" + name
		if want := module + " " + strings.TrimSpace(string(version)); !strings.Contains(string(gomod), want) {
			t.Errorf("go.mod does not require %s, the version of third_party/%s", want, name)
		}
		if want := "replace " + module + " => ./third_party/" + name + "\n"; !strings.Contains(string(gomod), want) {
			t.Errorf("go.mod does not build with the patched copy: want %q", strings.TrimSpace(want))
		}
	}
}

// bytesPerCall is what f allocates per call, averaged over n calls.
func bytesPerCall(n int, f func()) uint64 {
	f()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range n {
		f()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / uint64(n)
}

// TestFrameworkPatchAttributeLookup: finding one attribute of a schema by
// path does not copy the schema's attribute map. The framework walks every
// value of a resource's state this way several times per request; unpatched,
// each step copied the map (a third of what a 500-endpoint plan allocated).
func TestFrameworkPatchAttributeLookup(t *testing.T) {
	ctx := context.Background()
	attrs := map[string]schema.Attribute{}
	for i := range 100 {
		attrs[fmt.Sprintf("a%d", i)] = schema.StringAttribute{Optional: true}
	}
	attrs["nested"] = schema.SingleNestedAttribute{Optional: true, Attributes: attrs}
	s := schema.Schema{Attributes: attrs}
	path := tftypes.NewAttributePath().WithAttributeName("nested").WithAttributeName("a7")
	got := bytesPerCall(200, func() {
		if _, err := s.AttributeAtTerraformPath(ctx, path); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("%d bytes per call", got)
	// Unpatched: two copies of a map of 101 entries, about 5 KB.
	if got > 1024 {
		t.Errorf("AttributeAtTerraformPath allocates %d bytes per call on a 100-attribute schema; third_party/terraform-plugin-framework.patch is not applied", got)
	}
}

// TestFrameworkPatchStructTags: converting a struct to an object value does
// not compile a regular expression per field.
func TestFrameworkPatchStructTags(t *testing.T) {
	ctx := context.Background()
	type model struct {
		A types.String `tfsdk:"a"`
		B types.String `tfsdk:"b"`
		C types.String `tfsdk:"c"`
		D types.String `tfsdk:"d"`
	}
	attrTypes := map[string]attr.Type{"a": types.StringType, "b": types.StringType, "c": types.StringType, "d": types.StringType}
	got := bytesPerCall(200, func() {
		if _, diags := types.ObjectValueFrom(ctx, attrTypes, model{}); diags.HasError() {
			t.Fatal(diags)
		}
	})
	t.Logf("%d bytes per call", got)
	// Unpatched: one compiled expression per field, about 2.5 KB each (14 KB here).
	if got > 8*1024 {
		t.Errorf("ObjectValueFrom allocates %d bytes per call for 4 fields; third_party/terraform-plugin-framework.patch is not applied", got)
	}
}

// TestLogPatchSubsystemOff: a field set on a logging subsystem whose level is
// OFF allocates nothing (the framework sets one per attribute path).
func TestLogPatchSubsystemOff(t *testing.T) {
	ctx := tfsdklog.NewRootSDKLogger(context.Background(), tfsdklog.WithLevel(hclog.Off))
	ctx = tfsdklog.NewSubsystem(ctx, "sagesafe-test-off", tfsdklog.WithLevel(hclog.Off))
	if n := testing.AllocsPerRun(100, func() { _ = tfsdklog.SubsystemSetField(ctx, "sagesafe-test-off", "k", "v") }); n != 0 {
		t.Errorf("SubsystemSetField allocates %.0f times per call with the subsystem OFF; third_party/terraform-plugin-log.patch is not applied", n)
	}
	// A subsystem that logs still gets its fields.
	ctx = tfsdklog.NewSubsystem(ctx, "sagesafe-test-on", tfsdklog.WithLevel(hclog.Trace))
	if ctx2 := tfsdklog.SubsystemSetField(ctx, "sagesafe-test-on", "k", "v"); ctx2 == ctx {
		t.Error("SubsystemSetField dropped a field of a subsystem that logs")
	}
}
