package guardrail

import (
	"os"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// TestDesignControlMap keeps the control map in internal/DESIGN.md in step
// with the catalog: every control has one row, and the row names the check
// that is registered for it.
func TestDesignControlMap(t *testing.T) {
	raw, err := os.ReadFile("../DESIGN.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(string(raw), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) > 3 && strings.HasPrefix(strings.TrimSpace(cells[1]), "SS-") {
			id := strings.TrimSpace(cells[1])
			if _, dup := rows[id]; dup {
				t.Errorf("%s has two rows in the control map", id)
			}
			rows[id] = strings.Trim(strings.TrimSpace(cells[2]), "`")
		}
	}
	for _, c := range Catalog {
		check, ok := checks[c.ID]
		if !ok {
			t.Errorf("%s has no registered check", c.ID)
			continue
		}
		name := runtime.FuncForPC(reflect.ValueOf(check).Pointer()).Name()
		name = name[strings.LastIndex(name, ".")+1:]
		switch got, ok := rows[c.ID]; {
		case !ok:
			t.Errorf("%s is missing from the control map in internal/DESIGN.md", c.ID)
		case got != name:
			t.Errorf("the control map names %s's check %q; the registered check is %q", c.ID, got, name)
		}
	}
	if len(rows) != len(Catalog) {
		t.Errorf("the control map has %d rows, the catalog %d controls", len(rows), len(Catalog))
	}
}
