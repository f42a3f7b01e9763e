package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
)

// TestSetMemoryLimit: the provider's own limit applies only when GOMEMLIMIT
// does not set one.
func TestSetMemoryLimit(t *testing.T) {
	t.Cleanup(func() { debug.SetMemoryLimit(math.MaxInt64) })

	t.Setenv("GOMEMLIMIT", "")
	debug.SetMemoryLimit(math.MaxInt64)
	setMemoryLimit()
	if got := debug.SetMemoryLimit(-1); got != defaultMemoryLimit {
		t.Errorf("without GOMEMLIMIT the limit is %d, want %d", got, defaultMemoryLimit)
	}

	// The runtime read GOMEMLIMIT at start; the provider must not override it.
	t.Setenv("GOMEMLIMIT", "1GiB")
	debug.SetMemoryLimit(1 << 30)
	setMemoryLimit()
	if got := debug.SetMemoryLimit(-1); got != 1<<30 {
		t.Errorf("with GOMEMLIMIT=1GiB the limit is %d, want %d", got, 1<<30)
	}
}

// TestQuietLogs: the provider's loggers are turned off only when Terraform
// would drop what they write, and a level the user set is kept.
func TestQuietLogs(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	// The variables the plugin libraries read, spelled out here so that a
	// change of logLevelVars is seen.
	all := []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_SAGESAFE"}
	for _, tc := range []struct {
		name  string
		env   func(string) string
		debug bool
		want  []string
	}{
		{"nothing set", env(), false, all},
		{"only Terraform's own log (TF_LOG_CORE)", env("TF_LOG_CORE", "TRACE"), false, all},
		{"TF_LOG", env("TF_LOG", "DEBUG"), false, nil},
		{"TF_LOG_PROVIDER", env("TF_LOG_PROVIDER", "TRACE"), false, nil},
		{"acceptance log file", env("TF_ACC_LOG_PATH", "/tmp/acc.log"), false, nil},
		{"-debug: logs go to the developer's terminal", env(), true, nil},
		{"a level the user set", env("TF_LOG_SDK_FRAMEWORK", "INFO"), false, []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_PROVIDER_SAGESAFE"}},
	} {
		if got := quietLogs(tc.env, tc.debug); !slices.Equal(got, tc.want) {
			t.Errorf("%s: quietLogs = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestHeapProfile: with the directory set, a process leaves a heap profile
// and its peak memory numbers there.
func TestHeapProfile(t *testing.T) {
	dir := t.TempDir()
	stop := startHeapProfile(dir)
	keep := make([][]byte, 0, 64)
	for range 64 {
		keep = append(keep, make([]byte, 64<<10))
	}
	runtime.GC()
	stop()
	runtime.KeepAlive(keep)

	if fi, err := os.Stat(filepath.Join(dir, fmt.Sprintf("heap-%d.pprof", os.Getpid()))); err != nil || fi.Size() == 0 {
		t.Errorf("no heap profile: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("mem-%d.txt", os.Getpid())))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"peak_live_heap_mb ", "peak_runtime_total_mb ", "gc_cycles ", "peak_rss_mb "} {
		if !strings.Contains(string(b), want) {
			t.Errorf("mem file %q lacks %q", b, want)
		}
	}
	if runtime.GOOS == "linux" && strings.Contains(string(b), "peak_rss_mb 0.0") {
		t.Errorf("mem file %q has no resident size on Linux", b)
	}
}

// TestDeadMethodElimination: the provider links with the Go linker's removal
// of unused methods on. One reachable call of reflect's Method or
// MethodByName with a name not known when compiling (net/rpc's server,
// text/template, html/template) turns it off for the whole program: every
// exported method of every AWS SDK client linked stays, and the stripped
// executable grows from 35 to 87 MB, with the pages the provider touches
// from about 34 to 70 MB at 500 endpoints (third_party/README.md). The
// linker's -dumpdep output marks such functions <ReflectMethod>; the build
// uses GNUmakefile's GOTAGS, which .goreleaser.yml, the bench and the test
// builds must use too (and CGO off, as released). TestThirdPartyCopies checks
// the patched go-plugin.
func TestDeadMethodElimination(t *testing.T) {
	tags := makefileTags(t)
	for _, f := range []struct{ file, want string }{
		{".goreleaser.yml", "-tags=" + tags},
		{"internal/bench/main.go", `"-tags", "` + tags + `"`},
		{"internal/acctest/goldenpath.go", `"-tags", "` + tags + `"`},
		// Built as released: CGO off (the bench measures the released executable).
		{".goreleaser.yml", "CGO_ENABLED=0"},
		{"GNUmakefile", "CGO_ENABLED=0 go"},
		{"internal/bench/main.go", `"CGO_ENABLED=0"`},
		{"internal/acctest/goldenpath.go", `"CGO_ENABLED=0"`},
	} {
		b, err := os.ReadFile(f.file)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), f.want) {
			t.Errorf("%s does not build with GNUmakefile's tags (%s)", f.file, f.want)
		}
	}

	cmd := exec.Command("go", "build", "-tags", tags, "-ldflags=-dumpdep", "-o", filepath.Join(t.TempDir(), "provider"), ".")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Each line is an edge "from -> to" of what the linker keeps.
	var edges []string
	sc := bufio.NewScanner(stderr)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if line := sc.Text(); strings.Contains(line, "<ReflectMethod>") && len(edges) < 10 {
			edges = append(edges, line)
		}
	}
	scanErr := sc.Err()
	_, _ = io.Copy(io.Discard, stderr) // whatever the scanner left, so the linker never blocks
	if err := cmd.Wait(); err != nil {
		t.Fatalf("go build -ldflags=-dumpdep: %v", err)
	}
	if scanErr != nil {
		t.Fatalf("reading the linker's -dumpdep output: %v", scanErr)
	}
	if len(edges) > 0 {
		t.Errorf("a reachable function calls reflect's Method or MethodByName with a name the compiler cannot see, "+
			"which keeps every exported method in the executable; find who reaches it with `go build -tags %s -ldflags=-dumpdep`:\n%s",
			tags, strings.Join(edges, "\n"))
	}
}

// makefileTags returns GNUmakefile's GOTAGS.
func makefileTags(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("GNUmakefile")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(b)) {
		if name, value, ok := strings.Cut(line, ":="); ok && strings.TrimSpace(name) == "GOTAGS" {
			return strings.TrimSpace(value)
		}
	}
	t.Fatal("GNUmakefile sets no GOTAGS")
	return ""
}
