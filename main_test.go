package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
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
