package main

import (
	"strings"
	"testing"
)

const showJSON = `{"values":{"root_module":{"resources":[
 {"address":"sagesafe_kms_key.ml","mode":"managed","type":"sagesafe_kms_key","values":{"controls":["SS-KMS-1","SS-KMS-2","SS-GOV-1"]}},
 {"address":"sagesafe_network.ml","mode":"managed","type":"sagesafe_network","values":{"controls":["SS-NET-2"],
   "control_states":{"SS-NET-2":"held","SS-NET-3":"warned","SS-NET-7":"failed","SS-MON-5":"not_checked: lookup failed: throttled"}}},
 {"address":"data.sagesafe_preflight.x","mode":"data","type":"sagesafe_preflight","values":{}}
]}}}`

func TestBuildMatrix(t *testing.T) {
	m, err := BuildMatrix([]byte(showJSON))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Columns) != 2 {
		t.Fatalf("want 2 managed sagesafe columns, got %+v", m.Columns)
	}
	cells := map[string]string{}
	for _, c := range m.Rows {
		for _, col := range m.Columns {
			cells[col.Address+" "+c.ID] = m.Cell(c, col)
		}
	}
	for key, want := range map[string]string{
		"sagesafe_kms_key.ml SS-KMS-2": "held", // from controls, without control_states
		"sagesafe_kms_key.ml SS-NET-2": "n/a",
		"sagesafe_network.ml SS-NET-2": "held",
		"sagesafe_network.ml SS-NET-3": "warn", // a warning is not held
		"sagesafe_network.ml SS-NET-7": "FAIL",
		"sagesafe_network.ml SS-MON-5": "—: lookup failed: throttled",
		"sagesafe_network.ml SS-KMS-1": "—: not reported by the resource", // applies, never reported: not held
	} {
		if cells[key] != want {
			t.Errorf("%s = %q, want %q", key, cells[key], want)
		}
	}
	md := m.Markdown("Compliance")
	for _, want := range []string{"| SS-KMS-2 |", "| —: lookup failed: throttled |",
		"**4 of", "held** (satisfied); 1 warned, 1 failed,", "Failed: sagesafe_network.ml: SS-NET-7."} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if f := m.Failing(); len(f) != 1 || f[0] != "sagesafe_network.ml: SS-NET-7" {
		t.Errorf("Failing = %v", f)
	}
	term := m.Terminal()
	for _, want := range []string{"FAIL", "warn", "—", "held"} {
		if !strings.Contains(term, want) {
			t.Errorf("terminal rendering lacks %q:\n%s", want, term)
		}
	}
	if strings.Contains(term, "ok") {
		t.Errorf("terminal rendering says ok:\n%s", term)
	}
}

func TestBuildMatrixRejectsGarbage(t *testing.T) {
	if _, err := BuildMatrix([]byte("not json")); err == nil {
		t.Fatal("want an error")
	}
}

// NotHeld lists every resource a control applies to where it is not held:
// warned, failed and not checked alike; n/a is not listed.
func TestMatrixNotHeld(t *testing.T) {
	m, err := BuildMatrix([]byte(showJSON))
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string][]string{
		"SS-NET-2": nil, // held on the network, n/a on the key
		"SS-NET-3": {"sagesafe_network.ml: warn"},
		"SS-MON-5": {"sagesafe_network.ml: —: lookup failed: throttled"},
		"SS-KMS-2": {"sagesafe_network.ml: —: not reported by the resource"},
		"SS-NO-1":  {"SS-NO-1: not in the catalog"},
	} {
		if got := m.NotHeld(id); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("NotHeld(%s) = %q, want %q", id, got, want)
		}
	}
}
