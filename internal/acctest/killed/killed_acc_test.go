// Package killed kills `terraform apply` of the golden path with SIGKILL
// right after each of its creates reached AWS (issue 12, "a killed apply"),
// and checks that the next apply converges without a duplicate, that the
// plan is then empty, and that destroy leaves nothing.
//
// A kill loses everything Terraform had not saved: the object a resource's
// Create just made is in no state, and neither is its creation token. The
// next apply must find the object again by what was written on it at create
// time (a deterministic name, or tags), and adopt it only when it is
// provably this resource's (see internal/idem).
//
// The test runs the real Terraform CLI against the provider binary (a
// dev_overrides CLI configuration), not terraform-plugin-testing: only a
// separate process group can be killed the way a CI runner or an OOM killer
// kills it.
package killed

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest/emulator"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/fixtures"
)

// killPoint is one place to kill the apply: right after the nth call of
// action (as the emulator names it) reached the emulator.
type killPoint struct {
	action string
	nth    int
}

func (k killPoint) String() string {
	if k.nth > 1 {
		return fmt.Sprintf("%s#%d", k.action, k.nth)
	}
	return k.action
}

// killPoints are the creates of the golden path. The first iam:CreateRole
// is the network's flow-log role; the second is an execution role.
var killPoints = []killPoint{
	{"kms:CreateKey", 1},
	{"kms:CreateAlias", 1},
	{"ec2:CreateVpc", 1},
	{"ec2:CreateSubnet", 1},
	{"ec2:CreateSecurityGroup", 1},
	{"ec2:CreateRouteTable", 1},
	{"ec2:CreateVpcEndpoint", 1},
	{"ec2:CreateFlowLogs", 1},
	{"iam:CreateRole", 1},
	{"iam:CreateRole", 2},
	{"logs:CreateLogGroup", 1},
	{"sagemaker:CreateTrainingJob", 1},
	{"sagemaker:CreateProcessingJob", 1},
	{"budgets:CreateBudget", 1},
	{"scheduler:CreateSchedule", 1},
	{"sagemaker:CreateModel", 1},
	{"sagemaker:CreateEndpointConfig", 1},
	{"sagemaker:CreateEndpoint", 1},
	{"cloudwatch:PutMetricAlarm", 1},
}

// emulators is how many private emulators run kill points side by side.
const emulators = 3

func TestAccKilledApply(t *testing.T) {
	acctest.PreCheck(t)
	tfBin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tfBin == "" {
		t.Fatal("TF_ACC_TERRAFORM_PATH is not set: run with `make test`, or point it at a Terraform binary")
	}
	points := killPoints
	if only := os.Getenv("SAGESAFE_KILL_POINTS"); only != "" {
		points = slices.DeleteFunc(slices.Clone(points), func(k killPoint) bool {
			return !slices.Contains(strings.Split(only, ","), k.String())
		})
	}
	start := time.Now()
	pluginDir := acctest.BuildProvider(t)
	pool := make(chan *stackEnv, emulators)
	var envs []*stackEnv
	for range min(emulators, len(points)) {
		e := newStackEnv(t, tfBin, pluginDir)
		envs = append(envs, e)
		pool <- e
	}

	// The reference: the census of the golden path applied without a kill.
	var want map[string]int
	t.Run("reference", func(t *testing.T) {
		e := envs[0]
		s := e.stack(t, acctest.RandomName("kill"))
		s.mustRun(t, "apply")
		c := s.census(t)
		want = c.Counts()
		s.mustRun(t, "destroy")
		if left := s.census(t).Remains(); len(left) > 0 {
			t.Errorf("the reference run left %v", left)
		}
	})
	if t.Failed() || want == nil {
		t.Fatal("the golden path does not apply without a kill; the kill points cannot start")
	}

	var mu sync.Mutex
	var converged []string
	orphans := 0
	t.Run("kill", func(t *testing.T) {
		for _, k := range points {
			t.Run(k.String(), func(t *testing.T) {
				t.Parallel()
				e := <-pool
				defer func() { pool <- e }()
				ok, left := e.killAndConverge(t, k, want)
				mu.Lock()
				defer mu.Unlock()
				orphans += left
				if ok && !t.Failed() {
					converged = append(converged, k.String())
				}
			})
		}
	})
	acctest.Report(t, fmt.Sprintf("killed apply: terraform apply of the golden path killed (SIGKILL) right after each of %d create calls; "+
		"%d converged on the next apply without a duplicate; objects orphaned: %d (%s)",
		len(points), len(converged), orphans, time.Since(start).Round(time.Second)))
}

// killAndConverge runs one kill point on a fresh stack; ok says whether
// the apply after the kill converged. left counts the objects destroy left.
func (e *stackEnv) killAndConverge(t *testing.T, k killPoint, want map[string]int) (ok bool, left int) {
	s := e.stack(t, acctest.RandomName("kill"))
	defer s.cleanUp(t)
	if !s.applyKilledAfter(t, k) {
		return false, 0
	}
	if c, err := fixtures.TakeCensus(context.Background(), e.emu.AWS, s.name); err == nil {
		t.Logf("after the kill: %v", c)
	}
	if out, err := s.run("apply"); err != nil {
		t.Errorf("the apply after a kill at %s failed: %v\n%s", k, err, out)
		return false, 0
	}
	got := s.census(t)
	if d := fixtures.DiffCounts(want, got.Counts()); d != "" {
		t.Errorf("after a kill at %s and a second apply, the objects differ from a run without a kill: %s\n%v", k, d, got)
	}
	if out, err := s.run("plan", "-detailed-exitcode"); err != nil {
		t.Errorf("the plan after a kill at %s and a second apply is not empty: %v\n%s", k, err, out)
	}
	if out, err := s.run("destroy"); err != nil {
		t.Errorf("destroy after a kill at %s failed: %v\n%s", k, err, out)
		return !t.Failed(), 0
	}
	s.destroyed = true
	if rem := s.census(t).Remains(); len(rem) > 0 {
		t.Errorf("after a kill at %s, destroy left: %v", k, rem)
		return false, len(rem)
	}
	return true, 0
}

// stackEnv is one private emulator (its call counts are this test's only)
// with a data bucket the golden path reads and writes.
type stackEnv struct {
	emu       *acctest.PrivateEmulator
	control   *emulator.Client
	bucket    string
	tfBin     string
	pluginDir string
}

func newStackEnv(t *testing.T, tfBin, pluginDir string) *stackEnv {
	t.Helper()
	emu := acctest.StartPrivateEmulator(t)
	ctx := context.Background()
	b := emu.Fixtures(t)
	key, err := b.Key(ctx, "killed apply: data bucket key", true)
	if err != nil {
		t.Fatal(err)
	}
	bucket, err := b.DataBucket(ctx, acctest.RandomName("data"), key)
	if err != nil {
		t.Fatal(err)
	}
	// The golden path's default alarm_topic_arn: its budget checks that the
	// topic exists and lets AWS Budgets publish (SS-COST-1).
	if _, err := b.OnCallTopic(ctx, "ml-oncall"); err != nil {
		t.Fatalf("on-call topic: %v", err)
	}
	control := &emulator.Client{BaseURL: emu.URL, HTTP: &http.Client{Timeout: 10 * time.Second}}
	// Training runs for a while, as on AWS: an apply killed right after
	// CreateTrainingJob leaves a running job for the next apply to find
	// (the emulator would otherwise end it at once, and an ended job is a
	// finished run, which no create takes up).
	if err := control.MergeBehaviour(ctx, map[string]any{"training_in_progress_seconds": trainingSeconds}); err != nil {
		t.Fatal(err)
	}
	return &stackEnv{
		emu:       emu,
		control:   control,
		bucket:    bucket,
		tfBin:     tfBin,
		pluginDir: pluginDir,
	}
}

// trainingSeconds is how long a training job runs on the test's emulators.
const trainingSeconds = 6

// stack is one copy of the golden path in its own directory.
type stack struct {
	e         *stackEnv
	name, dir string
	env       []string
	destroyed bool
}

// goldenPath is the golden-path module, applied as the root module with
// the provider configuration examples/golden-path gives it
// (acctest.GoldenPathProvider, written by stack).
func goldenPath(t *testing.T) string {
	t.Helper()
	return filepath.Join(acctest.RepoRoot(t), acctest.GoldenPathModule)
}

func (e *stackEnv) stack(t *testing.T, name string) *stack {
	t.Helper()
	dir := t.TempDir()
	files, err := filepath.Glob(filepath.Join(goldenPath(t), "*.tf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("reading the golden path: %v (%d files)", err, len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o600)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	vars, _ := json.Marshal(map[string]any{
		"name": name, "endpoint_url": e.emu.URL, "region": acctest.Region,
		"data_bucket": e.bucket, "retain_logs_on_destroy": false,
	})
	for file, body := range map[string][]byte{"terraform.tfvars.json": vars, "provider.tf": []byte(acctest.GoldenPathProvider(t))} {
		if err := os.WriteFile(filepath.Join(dir, file), body, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := append(os.Environ(), "TF_CLI_CONFIG_FILE="+acctest.DevOverrides(t, dir, e.pluginDir),
		"TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1", "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing")
	env = slices.DeleteFunc(env, func(v string) bool { return strings.HasPrefix(v, "TF_LOG=") })
	return &stack{e: e, name: name, dir: dir, env: env}
}

// command is terraform with args in the stack's directory, in a process
// group of its own (Terraform starts the provider plugin in it, so one
// signal to the group reaches both).
func (s *stack) command(ctx context.Context, args ...string) (*exec.Cmd, *bytes.Buffer) {
	full := append([]string{"-chdir=" + s.dir}, args...)
	full = append(full, "-input=false", "-no-color")
	if args[0] == "apply" || args[0] == "destroy" {
		full = append(full, "-auto-approve")
	}
	cmd := exec.CommandContext(ctx, s.e.tfBin, full...)
	cmd.Env = s.env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// On a timeout, kill the group, not only terraform.
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	return cmd, &out
}

// commandTimeout bounds one Terraform command.
const commandTimeout = 5 * time.Minute

func (s *stack) run(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd, out := s.command(ctx, args...)
	err := cmd.Run()
	return tail(out.String()), err
}

func (s *stack) mustRun(t *testing.T, args ...string) {
	t.Helper()
	if out, err := s.run(args...); err != nil {
		t.Fatalf("terraform %s: %v\n%s", args[0], err, out)
	}
}

// applyKilledAfter starts `terraform apply` and SIGKILLs its process group
// as soon as the emulator has received the nth call of k.action since the
// start. It reports false (with an error) when the apply ended first.
func (s *stack) applyKilledAfter(t *testing.T, k killPoint) bool {
	t.Helper()
	ctx := context.Background()
	base, err := s.e.control.Calls(ctx)
	if err != nil {
		t.Fatalf("emulator calls: %v", err)
	}
	cctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	cmd, out := s.command(cctx, "apply")
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting terraform apply: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			t.Errorf("terraform apply ended (%v) before %s reached the emulator: the kill point does not exist\n%s", err, k, tail(out.String()))
			return false
		case <-tick.C:
		}
		calls, err := s.e.control.Calls(ctx)
		if err != nil {
			continue // the emulator is busy; ask again
		}
		if calls[k.action]-base[k.action] >= k.nth {
			// The whole group: terraform and the provider plugin.
			if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
				t.Fatalf("killing terraform's process group %d: %v", cmd.Process.Pid, err)
			}
			<-done
			t.Logf("killed terraform apply (process group %d) after %s", cmd.Process.Pid, k)
			return true
		}
	}
}

func (s *stack) census(t *testing.T) fixtures.Census {
	t.Helper()
	c, err := fixtures.TakeCensus(context.Background(), s.e.emu.AWS, s.name)
	if err != nil {
		t.Fatalf("census of %s: %v", s.name, err)
	}
	return c
}

// cleanUp destroys what a failed kill point left, so the emulator's next
// kill point starts from an account without it.
func (s *stack) cleanUp(t *testing.T) {
	if s.destroyed {
		return
	}
	if out, err := s.run("destroy"); err != nil {
		t.Logf("destroy while cleaning up: %v\n%s", err, out)
	}
}

// tail keeps what matters of Terraform's output: from the first error on
// (else the end), without the dev_overrides warning.
func tail(out string) string {
	out = regexp.MustCompile(`(?s)Warning: Provider development overrides are in effect.*?\n\n(.*?\n\n)?`).ReplaceAllString(out, "")
	if i := strings.Index(out, "Error: "); i >= 0 {
		out = out[i:]
	}
	const keep = 6000
	if len(out) > keep {
		return "..." + out[len(out)-keep:]
	}
	return out
}
