// Command terraform-provider-sagesafe is the sagesafe Terraform provider.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/procstat"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/provider"
	_ "github.com/sagesafe/terraform-provider-sagesafe/internal/warmtls"
)

// version is set by the linker: -ldflags "-X main.version=1.2.3".
var version = "dev"

// profileEnv names a directory where each provider process writes a CPU
// profile of its whole life (cpu-<pid>.pprof), for `make bench` and for
// finding where an apply spends its time (`go tool pprof`).
const profileEnv = "SAGESAFE_CPUPROFILE_DIR"

// heapProfileEnv names a directory where each provider process writes a
// heap profile taken at its peak live heap (heap-<pid>.pprof) and a line of
// memory numbers (mem-<pid>.txt): the peak live heap after a collection and
// the peak memory the Go runtime held from the OS, which together separate
// what the provider keeps from the garbage it has not yet collected.
const heapProfileEnv = "SAGESAFE_HEAPPROFILE_DIR"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	setMemoryLimit()
	for _, name := range quietLogs(os.Getenv, debug) {
		_ = os.Setenv(name, "OFF")
	}
	stop, err := startProfile(os.Getenv(profileEnv))
	if err != nil {
		log.Fatal(err.Error())
	}
	stopHeap := startHeapProfile(os.Getenv(heapProfileEnv))
	err = providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address:         "registry.terraform.io/sagesafe/sagesafe",
		Debug:           debug,
		ProtocolVersion: 6,
	})
	stop()
	stopHeap()
	if err != nil {
		log.Fatal(err.Error())
	}
}

// logLevelVars are the variables that set the levels of the provider's
// loggers: terraform-plugin-go's SDK and protocol loggers, the framework's,
// and the provider's own (TF_LOG_PROVIDER_ and the provider's type).
var logLevelVars = []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_SAGESAFE"}

// quietLogs returns the logLevelVars to set to OFF: all that are not set,
// when Terraform shows none of the provider's logs (neither TF_LOG nor
// TF_LOG_PROVIDER is set, and no acceptance-test log file is asked for).
// Never with -debug: the provider then runs in the developer's terminal and
// its logs go there, not through Terraform.
// The libraries default to TRACE and leave the filtering to Terraform, so
// without this every framework trace line is encoded as JSON, sent over the
// plugin's stderr and dropped: a fifth of what a no-change plan at 500
// endpoints allocated (heap profile with SAGESAFE_HEAPPROFILE_DIR).
func quietLogs(getenv func(string) string, debug bool) []string {
	if debug || getenv("TF_LOG") != "" || getenv("TF_LOG_PROVIDER") != "" || getenv("TF_ACC_LOG_PATH") != "" {
		return nil
	}
	var out []string
	for _, name := range logLevelVars {
		if getenv(name) == "" {
			out = append(out, name)
		}
	}
	return out
}

// defaultMemoryLimit is the provider's soft memory limit (Go heap, stacks
// and runtime; not the executable's pages) when GOMEMLIMIT is not set. With
// the default GOGC=100 the heap grows to twice what the last collection
// marked before the next one. At 500 endpoints a no-change plan allocates
// about 100 MB a second and its collections run back to back, so what they
// mark includes what was allocated while marking: the runtime held up to
// 135 MB without a limit. A limit makes collections come sooner once the
// heap nears it. Measured at 500 endpoints on the emulator (`make bench`,
// SAGESAFE_HEAPPROFILE_DIR), after the plugin libraries stopped allocating
// per attribute path (third_party/README.md): 80 MiB gave 109-110 MB
// resident in the plan, 64 MiB 94 MB for a plan 2-3 s longer (17 s); before
// that change 64 MiB had cost twice the plan's CPU. Up to about 100 endpoints
// the limit barely binds. About 34 MB of the resident memory are the
// executable's own pages, which no limit touches. If the live heap passes
// the limit the runtime caps the collector at half the CPU and lets the heap
// grow: a soft limit never fails the provider.
const defaultMemoryLimit = 64 << 20

// setMemoryLimit gives the Go runtime a soft memory limit unless GOMEMLIMIT
// sets one (GOMEMLIMIT=off removes it); see defaultMemoryLimit.
func setMemoryLimit() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
}

// startProfile starts a CPU profile into dir when dir is set; stop ends it.
func startProfile(dir string) (stop func(), err error) {
	if dir == "" {
		return func() {}, nil
	}
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("cpu-%d.pprof", os.Getpid())))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", profileEnv, err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("%s: %w", profileEnv, err)
	}
	return func() { pprof.StopCPUProfile(); _ = f.Close() }, nil
}

// startHeapProfile samples the runtime's memory metrics every 100 ms while
// dir is set. Whenever the live heap (as of the last collection) passes its
// previous peak, it writes a heap profile, so the profile shows what was
// live at the peak rather than at exit, when most of it has been let go.
// stop writes the peak numbers.
func startHeapProfile(dir string) (stop func()) {
	if dir == "" {
		return func() {}
	}
	samples := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/total:bytes"}, {Name: "/gc/cycles/total:gc-cycles"},
		{Name: "/cpu/classes/gc/total:cpu-seconds"}}
	var peakLive, peakTotal, written uint64
	var peakRSS procRSS
	sample := func() {
		metrics.Read(samples)
		live, total := samples[0].Value.Uint64(), samples[1].Value.Uint64()
		peakLive, peakTotal = max(peakLive, live), max(peakTotal, total)
		if r := readProcRSS(); r.rss > peakRSS.rss {
			peakRSS = r
		}
		// A new profile only when the peak has grown by a tenth since the
		// last one: a profile per small step would cost more than it shows.
		if live > written+written/10 {
			written = live
			writeHeapProfile(filepath.Join(dir, fmt.Sprintf("heap-%d.pprof", os.Getpid())))
		}
	}
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			sample()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		close(done)
		<-stopped
		metrics.Read(samples)
		line := fmt.Sprintf("peak_live_heap_mb %.1f peak_runtime_total_mb %.1f gc_cycles %d gc_cpu_s %.2f process_cpu_s %.2f peak_rss_mb %.1f (anon %.1f, file %.1f)\n",
			float64(peakLive)/(1<<20), float64(peakTotal)/(1<<20), samples[2].Value.Uint64(),
			samples[3].Value.Float64(), processCPUSeconds(),
			float64(peakRSS.rss)/1024, float64(peakRSS.anon)/1024, float64(peakRSS.file)/1024)
		_ = os.WriteFile(filepath.Join(dir, fmt.Sprintf("mem-%d.txt", os.Getpid())), []byte(line), 0o644)
	}
}

// writeHeapProfile replaces the heap profile at path; a failure only loses
// the profile, never the provider's work.
func writeHeapProfile(path string) {
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer func() { _ = f.Close() }()
	_ = pprof.Lookup("heap").WriteTo(f, 0)
}

// procRSS is the resident memory of this process in kB, split into anonymous
// memory and file pages (internal/procstat): Linux only, zero elsewhere.
type procRSS struct{ rss, anon, file uint64 }

func readProcRSS() procRSS {
	s, _ := procstat.Read(0)
	return procRSS{rss: s.RSS, anon: s.Anon, file: s.File}
}

// processCPUSeconds is the CPU time (user and system) this process has used,
// from /proc/self/stat: Linux only, zero elsewhere. Fields 14 and 15 count
// clock ticks, 100 a second on Linux (USER_HZ).
func processCPUSeconds() float64 {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces; the fields after it don't.
	_, rest, ok := strings.Cut(string(b), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseUint(f[11], 10, 64)
	stime, _ := strconv.ParseUint(f[12], 10, 64)
	return float64(utime+stime) / 100
}
