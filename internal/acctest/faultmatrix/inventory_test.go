package faultmatrix

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/types"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
)

// module is this module's path: calls are collected from the packages of
// the provider binary (main and what it imports from this module).
const module = "github.com/sagesafe/terraform-provider-sagesafe"

// sdkService is where aws-sdk-go-v2's service clients live.
const sdkService = "github.com/aws/aws-sdk-go-v2/service/"

// signingNames rename the aws-sdk-go-v2 packages whose service the
// emulator names otherwise (it counts and faults calls by these names).
var signingNames = map[string]string{"cloudwatchlogs": "logs", "applicationautoscaling": "application-autoscaling", "resourcegroupstaggingapi": "tagging"}

// Mutating reports whether an AWS operation can change something (the
// deployer inventory's rule, iampolicy.ReadOnlyCall).
func Mutating(op string) bool { return !iampolicy.ReadOnlyCall("any:" + op) }

// Call is one AWS call the provider's code makes, and where.
type Call struct {
	Action string   // "service:Operation", service as the emulator names it
	Sites  []string // file:line
}

// ProviderCalls type-checks the provider binary's packages and returns
// every call of an aws-sdk-go-v2 operation in them: a method whose second
// parameter is a *<service>.<Method>Input, whether it is called on a
// client or on an interface a package declares for testing.
func ProviderCalls() (map[string]*Call, error) {
	byPath, binary, err := providerPackages()
	if err != nil {
		return nil, err
	}
	calls := map[string]*Call{}
	var errs []string
	for path := range binary {
		p := byPath[path]
		for _, e := range p.Errors {
			errs = append(errs, e.Error())
		}
		for _, f := range p.Syntax {
			collect(p, f, calls)
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("loading the provider's packages: %s", strings.Join(errs, "; "))
	}
	if len(binary) < 10 {
		return nil, fmt.Errorf("only %d packages make up the provider binary: the loader found too little", len(binary))
	}
	return calls, nil
}

// providerPackages type-checks the module's packages and returns them by
// import path, with the set that makes up the provider binary (main and
// the module's packages it imports, directly or not: not tests, demo,
// bench, tools).
func providerPackages() (map[string]*packages.Package, map[string]bool, error) {
	// The module's packages are type-checked from source; everything they
	// import comes from the build's export data (no NeedDeps), which keeps
	// this a unit test of seconds, not a minute.
	cfg := &packages.Config{
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedSyntax | packages.NeedTypes |
			packages.NeedTypesInfo | packages.NeedImports,
		Dir: "../../..",
	}
	pkgs, err := packages.Load(cfg, "./...")
	if err != nil {
		return nil, nil, err
	}
	byPath := map[string]*packages.Package{}
	for _, p := range pkgs {
		byPath[p.PkgPath] = p
	}
	binary := map[string]bool{}
	var visit func(path string)
	visit = func(path string) {
		p := byPath[path]
		if p == nil || binary[path] {
			return
		}
		binary[path] = true
		for imp := range p.Imports {
			visit(imp)
		}
	}
	visit(module)
	return byPath, binary, nil
}

func collect(p *packages.Package, f ast.Node, calls map[string]*Call) {
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		sig, ok := p.TypesInfo.TypeOf(call.Fun).(*types.Signature)
		if !ok || sig.Params().Len() < 2 {
			return true
		}
		if op, service, ok := paginatorOp(p, sel); ok {
			record(p, call, calls, service, op)
			return true
		}
		ptr, ok := sig.Params().At(1).Type().(*types.Pointer)
		if !ok {
			return true
		}
		named, ok := ptr.Elem().(*types.Named)
		if !ok || named.Obj().Pkg() == nil || !strings.HasPrefix(named.Obj().Pkg().Path(), sdkService) {
			return true
		}
		op := strings.TrimSuffix(named.Obj().Name(), "Input")
		// A waiter's Wait sends the Describe call its input names.
		if op != sel.Sel.Name && sel.Sel.Name != "Wait" && sel.Sel.Name != "WaitForOutput" {
			return true
		}
		record(p, call, calls, strings.TrimPrefix(named.Obj().Pkg().Path(), sdkService), op)
		return true
	})
}

// paginatorOp recognises <service>.New<Op>Paginator(client, input): the
// pages are fetched inside the SDK, so the call site is the constructor.
func paginatorOp(p *packages.Package, sel *ast.SelectorExpr) (op, service string, ok bool) {
	fn, isFunc := p.TypesInfo.Uses[sel.Sel].(*types.Func)
	if !isFunc || fn.Pkg() == nil || !strings.HasPrefix(fn.Pkg().Path(), sdkService) {
		return "", "", false
	}
	name, isNew := strings.CutPrefix(fn.Name(), "New")
	name, isPaginator := strings.CutSuffix(name, "Paginator")
	if !isNew || !isPaginator || name == "" {
		return "", "", false
	}
	return name, strings.TrimPrefix(fn.Pkg().Path(), sdkService), true
}

func record(p *packages.Package, call *ast.CallExpr, calls map[string]*Call, service, op string) {
	if signing, ok := signingNames[service]; ok {
		service = signing
	}
	key := service + ":" + op
	pos := p.Fset.Position(call.Pos())
	site := pos.Filename
	if i := strings.Index(site, "/internal/"); i >= 0 {
		site = site[i+1:]
	}
	if calls[key] == nil {
		calls[key] = &Call{Action: key}
	}
	calls[key].Sites = append(calls[key].Sites, fmt.Sprintf("%s:%d", site, pos.Line))
}

// Row is one line of inventory.tsv.
type Row struct {
	Action, Resource, Scenario, Safe string
}

// Inventory reads inventory.tsv.
func Inventory() ([]Row, error) {
	f, err := os.Open("inventory.tsv")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rows []Row
	s := bufio.NewScanner(f)
	for n := 1; s.Scan(); n++ {
		line := s.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 4 {
			return nil, fmt.Errorf("inventory.tsv:%d: want 4 tab-separated columns, have %d", n, len(cols))
		}
		rows = append(rows, Row{Action: cols[0], Resource: cols[1], Scenario: cols[2], Safe: cols[3]})
	}
	return rows, s.Err()
}

// TestInventoryCoversEveryMutatingCall fails when the provider makes a
// mutating AWS call that inventory.tsv does not list (a new create, put,
// tag, delete, ... must say how it survives a lost answer and which fault
// scenario exercises it), or when the inventory lists a call the provider
// no longer makes.
func TestInventoryCoversEveryMutatingCall(t *testing.T) {
	calls, err := ProviderCalls()
	if err != nil {
		t.Fatal(err)
	}
	rows, err := Inventory()
	if err != nil {
		t.Fatal(err)
	}
	tests, err := acceptanceTests()
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, r := range rows {
		if name, ok := strings.CutPrefix(r.Scenario, "test:"); ok && !tests[name] {
			t.Errorf("inventory.tsv: %s names test %s, which does not exist", r.Action, name)
		} else if !ok && r.Scenario != "golden" {
			t.Errorf("inventory.tsv: %s: scenario %q is neither golden nor test:<TestName>", r.Action, r.Scenario)
		}
		listed[r.Action] = true
		if c := calls[r.Action]; c == nil {
			t.Errorf("inventory.tsv lists %s, which the provider no longer calls: remove the row", r.Action)
		}
		if r.Safe == "" || r.Scenario == "" || r.Resource == "" {
			t.Errorf("inventory.tsv: %s: every column must be filled", r.Action)
		}
	}
	mutating := 0
	for _, key := range slices.Sorted(mapsKeys(calls)) {
		op := key[strings.Index(key, ":")+1:]
		if !Mutating(op) {
			continue
		}
		mutating++
		if !listed[key] {
			t.Errorf("the provider calls %s (%s), which inventory.tsv does not list: add a row saying how it is safe after a lost answer and which scenario loses its answer",
				key, strings.Join(calls[key].Sites, ", "))
		}
	}
	t.Logf("%d mutating AWS calls in the provider, %d inventory rows", mutating, len(rows))
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// acceptanceTests lists the TestAcc functions of the module's test files.
func acceptanceTests() (map[string]bool, error) {
	out := map[string]bool{}
	decl := regexp.MustCompile(`(?m)^func (TestAcc\w+)\(t \*testing\.T\)`)
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range decl.FindAllSubmatch(b, -1) {
			out[string(m[1])] = true
		}
		return nil
	})
	return out, err
}
