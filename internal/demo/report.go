package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
)

// kindOf maps a sagesafe resource type to the guardrail kind its controls
// are evaluated as.
var kindOf = map[string]guardrail.Kind{
	"sagesafe_network":        guardrail.KindNetwork,
	"sagesafe_kms_key":        guardrail.KindKMSKey,
	"sagesafe_execution_role": guardrail.KindExecutionRole,
	"sagesafe_persona_role":   guardrail.KindPersonaRole,
	"sagesafe_audit_trail":    guardrail.KindAuditTrail,
	"sagesafe_budget":         guardrail.KindBudget,
	"sagesafe_training_job":   guardrail.KindTrainingJob,
	"sagesafe_processing_job": guardrail.KindProcessingJob,
	"sagesafe_endpoint":       guardrail.KindEndpoint,
}

// column is one resource of the stack: the state of each of its controls,
// as its `control_states` attribute reports them.
type column struct {
	Address string
	Kind    guardrail.Kind
	States  map[string]string // control ID -> "held", "warned", "failed", "not_checked: <reason>"
}

// cell values.
const (
	cellHeld       = "held"
	cellWarned     = "warn"
	cellFailed     = "FAIL"
	cellNotChecked = "—"
	cellNA         = "n/a"
)

// Matrix is the control-by-resource compliance matrix.
type Matrix struct {
	Columns []column
	Rows    []guardrail.Control
}

// Cell says how control c stands for column col: held, warn, FAIL, n/a
// (the control does not apply to that kind of resource), or "—: <reason>"
// when it was not checked. A control the resource did not report is not
// checked: nothing unverified counts as held.
func (m Matrix) Cell(c guardrail.Control, col column) string {
	if !c.Applies(col.Kind) {
		return cellNA
	}
	st, ok := col.States[c.ID]
	switch {
	case !ok:
		return cellNotChecked + ": not reported by the resource"
	case st == guardrail.StateHeld:
		return cellHeld
	case st == guardrail.StateWarned:
		return cellWarned
	case st == guardrail.StateFailed:
		return cellFailed
	}
	return cellNotChecked + ": " + strings.TrimPrefix(strings.TrimPrefix(st, guardrail.StateNotChecked), ": ")
}

// Failing lists "address: control" for every failed cell.
func (m Matrix) Failing() []string { return m.cells(cellFailed) }

// NotHeld lists "address: cell" for every resource control id applies to
// whose cell is not held (warned, failed or not checked): a control the
// golden path must hold everywhere it applies. An id the catalog does not
// know is listed too, so a renamed control cannot pass unnoticed.
func (m Matrix) NotHeld(id string) []string {
	var out []string
	i := slices.IndexFunc(m.Rows, func(c guardrail.Control) bool { return c.ID == id })
	if i < 0 {
		return []string{id + ": not in the catalog"}
	}
	for _, col := range m.Columns {
		if cell := m.Cell(m.Rows[i], col); cell != cellHeld && cell != cellNA {
			out = append(out, col.Address+": "+cell)
		}
	}
	return out
}

// cells lists "address: control" for every cell whose value starts with
// prefix.
func (m Matrix) cells(prefix string) []string {
	var out []string
	for _, col := range m.Columns {
		for _, c := range m.Rows {
			if strings.HasPrefix(m.Cell(c, col), prefix) {
				out = append(out, col.Address+": "+c.ID)
			}
		}
	}
	return out
}

// BuildMatrix reads `terraform show -json` output: every sagesafe resource
// with a `controls` attribute becomes a column; every catalog control that
// applies to at least one column becomes a row. A column's states come from
// its `control_states`; without them (a state written before they existed)
// the IDs in `controls` are held and the rest are not reported.
func BuildMatrix(showJSON []byte) (Matrix, error) {
	var st struct {
		Values struct {
			RootModule module `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal(showJSON, &st); err != nil {
		return Matrix{}, fmt.Errorf("reading terraform show -json: %w", err)
	}
	var m Matrix
	for _, r := range st.Values.RootModule.all() {
		kind, ok := kindOf[r.Type]
		if !ok || r.Mode != "managed" {
			continue
		}
		// Named as in the module: every resource of the stack is in it.
		col := column{Address: strings.TrimPrefix(r.Address, stackModule), Kind: kind, States: map[string]string{}}
		var controls []string
		if err := decodeValue(r, "controls", &controls); err != nil {
			return Matrix{}, err
		}
		for _, id := range controls {
			col.States[id] = guardrail.StateHeld
		}
		if err := decodeValue(r, "control_states", &col.States); err != nil {
			return Matrix{}, err
		}
		m.Columns = append(m.Columns, col)
	}
	sort.Slice(m.Columns, func(i, j int) bool { return m.Columns[i].Address < m.Columns[j].Address })
	for _, c := range guardrail.Catalog {
		for _, col := range m.Columns {
			if c.Applies(col.Kind) {
				m.Rows = append(m.Rows, c)
				break
			}
		}
	}
	return m, nil
}

// decodeValue decodes attribute name of r into v, leaving v as it is when
// the attribute is absent or null.
func decodeValue(r stateResource, name string, v any) error {
	raw, ok := r.Values[name]
	if !ok || raw == nil {
		return nil
	}
	b, _ := json.Marshal(raw)
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s.%s: %w", r.Address, name, err)
	}
	return nil
}

type module struct {
	Resources    []stateResource `json:"resources"`
	ChildModules []module        `json:"child_modules"`
}

type stateResource struct {
	Address string         `json:"address"`
	Mode    string         `json:"mode"`
	Type    string         `json:"type"`
	Values  map[string]any `json:"values"`
}

func (m module) all() []stateResource {
	out := append([]stateResource{}, m.Resources...)
	for _, c := range m.ChildModules {
		out = append(out, c.all()...)
	}
	return out
}

func shortAddress(a string) string {
	return strings.TrimPrefix(a, "sagesafe_")
}

// Terminal renders the matrix for a terminal.
func (m Matrix) Terminal() string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 2, 4, 2, ' ', 0)
	head := []string{"CONTROL"}
	for _, col := range m.Columns {
		head = append(head, shortAddress(col.Address))
	}
	fmt.Fprintln(w, strings.Join(head, "\t"))
	for _, c := range m.Rows {
		row := []string{c.ID}
		for _, col := range m.Columns {
			cell := m.Cell(c, col)
			if strings.HasPrefix(cell, cellNotChecked) {
				cell = cellNotChecked // the reason is in the Markdown report
			}
			row = append(row, cell)
		}
		fmt.Fprintln(w, strings.Join(row, "\t"))
	}
	w.Flush()
	return b.String()
}

// Markdown renders the matrix as a Markdown page.
func (m Matrix) Markdown(title string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", title)
	b.WriteString("<!-- Generated by `make demo` (internal/demo) from the golden path's `control_states` attributes, refreshed after apply. Do not edit. -->\n\n")
	b.WriteString("Rows are the controls of the sagesafe catalog that apply to this stack; columns are its resources. ")
	b.WriteString("**held**: the resource checked the control on its live objects at the refresh after apply and found nothing; ")
	b.WriteString("**warn**: a finding with warning severity (the control is not held); **FAIL**: an error finding; ")
	b.WriteString("**—: reason**: the control applies but was not checked, and why; **n/a**: the control does not apply to that kind of resource.\n\n")
	b.WriteString("| Control | Title |")
	for _, col := range m.Columns {
		fmt.Fprintf(&b, " `%s` |", col.Address)
	}
	b.WriteString("\n|---|---|")
	for range m.Columns {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, c := range m.Rows {
		fmt.Fprintf(&b, "| %s | %s |", c.ID, c.Title)
		for _, col := range m.Columns {
			fmt.Fprintf(&b, " %s |", m.Cell(c, col))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n" + m.Summary() + "\n")
	return b.String()
}

// Summary counts the applicable cells by state; only held ones count as
// satisfied.
func (m Matrix) Summary() string {
	held, warned, failed, unchecked := m.cells(cellHeld), m.cells(cellWarned), m.cells(cellFailed), m.cells(cellNotChecked)
	total := len(held) + len(warned) + len(failed) + len(unchecked)
	out := fmt.Sprintf("**%d of %d applicable controls held** (satisfied); %d warned, %d failed, %d not checked.",
		len(held), total, len(warned), len(failed), len(unchecked))
	for _, l := range []struct {
		what  string
		cells []string
	}{{"Failed", failed}, {"Warned", warned}, {"Not checked", unchecked}} {
		if len(l.cells) > 0 {
			out += fmt.Sprintf("\n\n%s: %s.", l.what, strings.Join(l.cells, ", "))
		}
	}
	return out
}
