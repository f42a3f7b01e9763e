package iampolicy

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const (
	testPartition = "aws"
	testRegion    = "us-east-1"
	testAccount   = "111122223333"
	testKeyARN    = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	testKey2ARN   = "arn:aws:kms:us-east-1:444455556666:key/mrk-1234abcd12ab34cd56ef1234567890ab"
	testRepoARN   = "arn:aws:ecr:us-east-1:111122223333:repository/team/trainer"
	testSubnet1   = "subnet-0123456789abcdef0"
	testSubnet2   = "subnet-0fedcba9876543210"
	testSG        = "sg-0123456789abcdef0"
	testExecRole  = "arn:aws:iam::111122223333:role/sagesafe-exec"
	testAdminRole = "arn:aws:iam::111122223333:role/platform/key-admin"
)

// assertGolden compares the document, indented for review, with
// testdata/<name>.json; go test -update rewrites the file.
func assertGolden(t *testing.T, name string, d Document) {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, []byte(d.JSON()), "", "  "); err != nil {
		t.Fatalf("canonical JSON is not valid JSON: %v\n%s", err, d.JSON())
	}
	buf.WriteByte('\n')
	path := filepath.Join("testdata", name+".json")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/iampolicy/... -update to create it)", err)
	}
	if got := buf.String(); got != string(want) {
		t.Errorf("%s differs from the golden file (run with -update if the change is intended)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
	// The golden file, read back, must be the very same canonical document.
	canon, err := Canonical(string(want))
	if err != nil || canon != d.JSON() {
		t.Errorf("%s does not parse back to the same canonical JSON (err %v)", path, err)
	}
}

// stmt returns the statement with the given Sid, failing the test if absent.
func stmt(t *testing.T, d Document, sid string) Statement {
	t.Helper()
	for _, s := range d.Statement {
		if s.Sid == sid {
			return s
		}
	}
	t.Fatalf("no statement %q in %s", sid, d.JSON())
	return Statement{}
}

func sids(d Document) []string {
	out := make([]string, len(d.Statement))
	for i, s := range d.Statement {
		out[i] = s.Sid
	}
	return out
}

var sidRE = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// assertWellFormed checks what every generated document must satisfy: the
// current policy version, unique alphanumeric Sids, an effect, actions, and
// no wildcard principal.
func assertWellFormed(t *testing.T, d Document) {
	t.Helper()
	if d.Version != PolicyVersion {
		t.Errorf("Version = %q", d.Version)
	}
	seen := map[string]bool{}
	for _, s := range d.Statement {
		if !sidRE.MatchString(s.Sid) || seen[s.Sid] {
			t.Errorf("Sid %q is not unique and alphanumeric", s.Sid)
		}
		seen[s.Sid] = true
		if s.Effect != EffectAllow && s.Effect != EffectDeny {
			t.Errorf("%s: Effect %q", s.Sid, s.Effect)
		}
		if len(s.Action) == 0 {
			t.Errorf("%s: no actions", s.Sid)
		}
		for _, values := range s.Principal {
			for _, v := range values {
				if strings.Contains(v, "*") {
					t.Errorf("%s: wildcard principal %q", s.Sid, v)
				}
			}
		}
	}
}

// assertSame fails unless got and want hold the same values in any order.
func assertSame(t *testing.T, what string, got, want []string) {
	t.Helper()
	g, w := normalize(got), normalize(want)
	if !slices.Equal(g, w) {
		t.Errorf("%s = %q, want %q", what, g, w)
	}
}

// assertRefused checks err wraps sentinel and carries field, index and control.
func assertRefused(t *testing.T, err, sentinel error, field string, index int, control string) {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Fatalf("err = %v, want %v", err, sentinel)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err %v is not an *Error", err)
	}
	if e.Field != field || e.Index != index || e.Control != control {
		t.Errorf("err = %+v, want field %q index %d control %q", e, field, index, control)
	}
}
