package faultmatrix

import (
	"context"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest/emulator"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/awsclient"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/fixtures"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/provider"
)

// withTag adds `tags = { fault-matrix = "tagged" }` to every resource of
// the golden path when tagged is true.
func withTag(golden string, tagged bool) string {
	if !tagged {
		return golden
	}
	return regexp.MustCompile(`(?m)^(resource "sagesafe_\w+" "\w+" \{)$`).ReplaceAllString(golden, "$1\n  tags = { fault-matrix = \"tagged\" }")
}

// stack is where one golden-path run happens: an emulator of its own, with
// the data bucket and the second key the run needs. Runs share nothing:
// the account-wide training log group (/aws/sagemaker/TrainingJobs) takes
// the key of whichever job used it last, and a run that schedules its key
// for deletion (the drift stage, the destroy) would make another run's
// training job fail SS-KMS-1 on the shared emulator.
type stack struct {
	name, url        string
	aws              *awsclient.Client
	emu              *emulator.Client
	bucket, otherKey string
}

func newStack(t *testing.T) stack {
	t.Helper()
	e := acctest.StartPrivateEmulator(t)
	b := e.Fixtures(t)
	ctx := context.Background()
	key, err := b.Key(ctx, "fault matrix: data bucket", true)
	if err != nil {
		t.Fatalf("data bucket key: %v", err)
	}
	bucket, err := b.DataBucket(ctx, acctest.RandomName("data"), key)
	if err != nil {
		t.Fatalf("data bucket: %v", err)
	}
	// The golden path's default alarm_topic_arn: its budget checks that the
	// topic exists and lets AWS Budgets publish (SS-COST-1).
	if _, err := b.OnCallTopic(ctx, "ml-oncall"); err != nil {
		t.Fatalf("on-call topic: %v", err)
	}
	other, err := b.Key(ctx, "fault matrix: the key the drift points the stack's alias at", true)
	if err != nil {
		t.Fatalf("second key: %v", err)
	}
	return stack{name: acctest.RandomName("gp"), url: e.URL, aws: e.AWS, emu: e.Emulator(), bucket: bucket, otherKey: other}
}

// stage is one step of a scenario: variables of the golden path, applied.
// A stage with drift set first changes the stack behind Terraform's back.
type stage struct {
	name  string
	vars  func(name, bucket, url string) config.Variables
	drift bool
	// tagged adds a tag of the test's own to every resource; a stage
	// without it removes that tag again (the untag calls).
	tagged bool
}

// goldenStages create the stack, then change what an update can change in
// place on every resource (tags through default_tags; a new serving image,
// which deploys a new model and configuration and deletes the old ones).
var goldenStages = []stage{
	{name: "create", tagged: true, vars: func(name, bucket, url string) config.Variables {
		return goldenVars(name, bucket, url, "ml-platform", "sha256:0b2a4e3c4f1d5e6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c")
	}},
	{name: "update", vars: func(name, bucket, url string) config.Variables {
		return goldenVars(name, bucket, url, "ml-platform-2", updatedDigest)
	}},
	{name: "repair", drift: true, vars: func(name, bucket, url string) config.Variables {
		return goldenVars(name, bucket, url, "ml-platform-2", updatedDigest)
	}},
}

const updatedDigest = "sha256:1c3b5f4d5a2e6f7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d"

func goldenVars(name, bucket, url, team, digest string) config.Variables {
	return config.Variables{
		"name":                   config.StringVariable(name),
		"endpoint_url":           config.StringVariable(url),
		"data_bucket":            config.StringVariable(bucket),
		"team":                   config.StringVariable(team),
		"serving_image":          config.StringVariable("123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost-serve@" + digest),
		"retain_logs_on_destroy": config.BoolVariable(false),
	}
}

// run applies the scenario's stages with the provider options given, and
// records the census after each stage; CheckDestroy fails when anything but
// keys pending deletion and ended training-job records is left.
func run(t *testing.T, golden string, st stack, opts provider.Options, after func(stage string, c fixtures.Census) error) {
	t.Helper()
	census := func() (fixtures.Census, error) {
		return fixtures.TakeCensus(context.Background(), st.aws, st.name)
	}
	var steps []resource.TestStep
	var ids live
	for _, s := range goldenStages {
		step := resource.TestStep{
			Config:          withTag(golden, s.tagged),
			ConfigVariables: s.vars(st.name, st.bucket, st.url),
			Check: func(state *terraform.State) error {
				if err := ids.capture(state); err != nil {
					return err
				}
				c, err := census()
				if err != nil {
					return err
				}
				return after(s.name, c)
			},
		}
		if s.drift {
			step.PreConfig = func() { drift(t, st, ids) }
		}
		steps = append(steps, step)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(opts),
		CheckDestroy: func(*terraform.State) error {
			c, err := census()
			if err != nil {
				return err
			}
			if left := c.Remains(); len(left) > 0 {
				matrix.orphaned(len(left))
				return fmt.Errorf("orphaned after destroy: %v", left)
			}
			return nil
		},
		Steps: steps,
	})
}

// TestAccFaultMatrix loses the first answer of every mutating call of the
// inventory (after the emulator applied it, as a broken connection does),
// once per call, while the golden path is created, updated and destroyed.
// Each case must succeed, converge to exactly the objects of a run without
// faults (the plan after every apply is empty: terraform-plugin-testing
// checks that), and leave nothing behind.
func TestAccFaultMatrix(t *testing.T) {
	acctest.PreCheck(t)
	rows, err := Inventory()
	if err != nil {
		t.Fatal(err)
	}
	golden := acctest.GoldenPathConfig(t)

	// The reference: the same scenario without faults.
	want := map[string]map[string]int{}
	var seen map[string]int
	t.Run("reference", func(t *testing.T) {
		st := newStack(t)
		record := acctest.LoseFirstAnswersOn(t, st.emu) // loses nothing: records the calls
		defer func() { seen = record.Seen() }()
		run(t, golden, st, record.Options(), func(stage string, c fixtures.Census) error {
			want[stage] = c.Counts()
			return nil
		})
	})
	if t.Failed() || len(want) != len(goldenStages) {
		t.Fatal("the golden path does not run without faults; the matrix cannot start")
	}
	for _, r := range rows {
		if r.Scenario == "golden" && seen[r.Action] == 0 {
			t.Errorf("inventory row %s names the golden scenario, which never makes that call", r.Action)
		}
	}
	if os.Getenv("SAGESAFE_FAULT_MATRIX_CALLS") != "" {
		for _, a := range slices.Sorted(maps.Keys(seen)) {
			t.Logf("golden scenario call %s x%d", a, seen[a])
		}
	}

	// The whole stack while a share of all calls fails before it reaches
	// the backend: no error, no duplicate, nothing left.
	for name, rule := range map[string]emulator.FaultRule{
		"throttled a third of all calls": {Action: "*", Fault: emulator.FaultThrottle, Share: 1.0 / 3},
		"5xx on a fifth of all calls":    {Action: "*", Fault: emulator.FaultError, Share: 0.2},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			defer matrix.ran(t)
			st := newStack(t)
			f := acctest.InjectFaultsOn(t, st.emu, rule)
			run(t, golden, st, f.Options(), func(stage string, c fixtures.Census) error {
				if d := fixtures.DiffCounts(want[stage], c.Counts()); d != "" {
					return fmt.Errorf("after %s, %s, the objects differ from a run without faults: %s", stage, name, d)
				}
				return nil
			})
			if hits, err := f.Hits(context.Background()); err != nil || hits == 0 {
				t.Errorf("no call was faulted (%d, %v): the case proves nothing", hits, err)
			} else {
				t.Logf("%s: %d calls faulted", name, hits)
			}
		})
	}

	for _, group := range cases(rows) {
		t.Run(strings.Join(group, "+"), func(t *testing.T) {
			t.Parallel()
			defer matrix.ran(t)
			st := newStack(t)
			lose := acctest.LoseFirstAnswersOn(t, st.emu, group...)
			run(t, golden, st, lose.Options(), func(stage string, c fixtures.Census) error {
				if d := fixtures.DiffCounts(want[stage], c.Counts()); d != "" {
					return fmt.Errorf("after %s, with the first answer of %s lost, the objects differ from a run without faults: %s", stage, strings.Join(group, ", "), d)
				}
				return nil
			})
			if missed := lose.Missed(); len(missed) > 0 {
				t.Errorf("the scenario never made %s: its inventory row names the wrong scenario", strings.Join(missed, ", "))
			}
			matrix.lost(group, !t.Failed())
		})
	}
	t.Cleanup(func() { matrix.report(t, rows) })
}

// tally counts what the matrix did, for the line `make test` prints.
type tally struct {
	mu                   sync.Mutex
	runs, passedRuns     int
	orphans              int
	covered, passedCalls []string
}

var matrix tally

func (m *tally) ran(t *testing.T) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.runs++
	if !t.Failed() {
		m.passedRuns++
	}
}

func (m *tally) orphaned(n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.orphans += n
}

func (m *tally) lost(calls []string, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.covered = append(m.covered, calls...)
	if ok {
		m.passedCalls = append(m.passedCalls, calls...)
	}
}

// report prints the matrix's numbers and appends them to the file named by
// SAGESAFE_TEST_REPORT (`make test` prints that file at the end).
func (m *tally) report(t *testing.T, rows []Row) {
	m.mu.Lock()
	defer m.mu.Unlock()
	byTest := 0
	for _, r := range rows {
		if strings.HasPrefix(r.Scenario, "test:") {
			byTest++
		}
	}
	line := fmt.Sprintf("fault matrix: %d mutating AWS calls in the inventory; first answer lost in the golden path for %d (%d converged), by a package test for %d; "+
		"%d of %d golden-path fault runs passed (lost answers, a third of calls throttled, a fifth answered 5xx); objects orphaned: %d",
		len(rows), len(m.covered), len(m.passedCalls), byTest, m.passedRuns, m.runs, m.orphans)
	acctest.Report(t, line)
}

// cases groups the inventory's golden-path rows into cases: by default
// each case loses the first answer of up to perCase different calls (one
// run of the golden path per case keeps `make test` short);
// SAGESAFE_FAULT_MATRIX=each gives every call a case of its own.
func cases(rows []Row) [][]string {
	var actions []string
	for _, r := range rows {
		if r.Scenario == "golden" && !slices.Contains(actions, r.Action) {
			actions = append(actions, r.Action)
		}
	}
	per := 6
	if os.Getenv("SAGESAFE_FAULT_MATRIX") == "each" {
		per = 1
	}
	var out [][]string
	n := (len(actions) + per - 1) / per
	for i := range n {
		var g []string
		for j := i; j < len(actions); j += n {
			g = append(g, actions[j])
		}
		out = append(out, g)
	}
	return out
}
