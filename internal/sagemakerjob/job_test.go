package sagemakerjob

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
)

type fakeJob struct{}

var testJobs = Jobs[fakeJob]{Noun: "processing job", OwnerTag: "sagesafe:processing-job", PrefixTag: "sagesafe:processing-job-prefix"}

// TestCheckAdoption: the one rule both job resources take up an existing
// job by. This call's token with the planned settings (a lost answer), or
// any creation token with the owner tag naming the job and the planned
// settings (a killed apply) is adopted; anything else is refused, naming
// the job and why.
func TestCheckAdoption(t *testing.T) {
	started := time.Now()
	claim := func(tags map[string]string, created time.Time, diffs ...string) Claim {
		return Claim{Name: "prep-1", Tags: tags, Token: "tok", Created: created, Started: started, Diffs: diffs}
	}
	mine := map[string]string{idem.TokenTag: "tok"}
	killed := map[string]string{idem.TokenTag: "the killed apply's", "sagesafe:processing-job": "prep-1"}
	for what, c := range map[string]Claim{
		"lost answer":    claim(mine, started.Add(time.Second)),
		"killed apply":   claim(killed, started.Add(-48*time.Hour)),
		"clock skew":     claim(mine, started.Add(-30*time.Second)),
		"owner and both": claim(map[string]string{idem.TokenTag: "tok", "sagesafe:processing-job": "prep-1"}, started),
	} {
		if _, err := testJobs.CheckAdoption(c); err != nil {
			t.Errorf("%s: must be adopted: %v", what, err)
		}
	}
	for what, tc := range map[string]struct {
		c    Claim
		want string
	}{
		"no token":            {claim(map[string]string{"team": "ml"}, started), "processing job prep-1 exists and was not created by this resource"},
		"owner, no token":     {claim(map[string]string{"sagesafe:processing-job": "prep-1"}, started), "was not created by this resource"},
		"token, other owner":  {claim(map[string]string{idem.TokenTag: "x", "sagesafe:processing-job": "prep-2"}, started), "was not created by this resource"},
		"released (no owner)": {claim(map[string]string{idem.TokenTag: "x"}, started), "was not created by this resource"},
		"this token, old":     {claim(mine, started.Add(-time.Hour)), "settings differ from the plan"},
		"this token, no VPC":  {claim(mine, started, "the VPC is [] [], the plan says [subnet-a] [sg-1]"), "settings differ from the plan: the VPC is"},
		"killed, other image": {claim(killed, started, "the image is evil, the plan says good"), "settings differ from the plan: the image is evil"},
	} {
		if _, err := testJobs.CheckAdoption(tc.c); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: want a refusal with %q, got %v", what, tc.want, err)
		}
	}
}

func TestPollSchedule(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // wait returns at once, and still moves on to the next delay
	p := NewPoll()
	for range 3 {
		if err := p.Wait(ctx); err == nil {
			t.Fatal("wait on a cancelled context returned no error")
		}
	}
	if p.Next != 3375*time.Millisecond {
		t.Errorf("after 3 waits the next delay is %v, want 1s half as long again three times", p.Next)
	}
}

// TestPollFollowsRealTiming simulates waits for transitions of 10 s to a day
// (endpoint creation takes minutes, training jobs hours) on the waiters'
// schedules and checks issue 16's rule: the end is noticed within 10% of the
// duration or 15 s, whichever is larger, with a number of polls that grows
// no faster than the logarithm of the duration. A flat cap (30 s before)
// fails both: a 66 s transition was noticed 30 s late, and a day cost 2,900
// polls.
func TestPollFollowsRealTiming(t *testing.T) {
	schedules := map[string]func() *Poll{
		"jobs":      NewPoll,
		"endpoints": func() *Poll { return &Poll{Next: 5 * time.Second, Max: 15 * time.Second} },
	}
	for name, schedule := range schedules {
		for d := 10 * time.Second; d <= 24*time.Hour; d = d * 11 / 10 {
			p, elapsed, polls := schedule(), time.Duration(0), 1 // the first read comes at once
			for elapsed < d {
				elapsed += p.Delay(elapsed)
				polls++
			}
			if late, allowed := elapsed-d, max(15*time.Second, d/10); late > allowed {
				t.Errorf("%s: a %v transition was noticed %v late (allowed %v)", name, d, late, allowed)
			}
			// 10 polls up to 150 s at 15 s, then one per 10% of growth
			// (log(d/150s)/log(1.1)), plus the quick first few.
			bound := 16 + int(math.Ceil(math.Log(max(d.Seconds(), 150)/150)/math.Log(1.1)))
			if polls > bound {
				t.Errorf("%s: a %v transition took %d polls, more than %d", name, d, polls, bound)
			}
		}
	}
}

func TestGenerateName(t *testing.T) {
	prefix := strings.Repeat("p", MaxPrefixLength)
	name := GenerateName(prefix, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	if len(name) != MaxNameLength || !JobNameRegexp.MatchString(name) {
		t.Fatalf("%q (%d chars) is not a valid job name", name, len(name))
	}
	if !strings.HasPrefix(name, prefix+"20260102030405") {
		t.Errorf("name %q lacks the UTC timestamp", name)
	}
	if a, b := GenerateName("x-", time.Now()), GenerateName("x-", time.Now()); a == b {
		t.Errorf("two names in the same second collide: %s", a)
	}
}
