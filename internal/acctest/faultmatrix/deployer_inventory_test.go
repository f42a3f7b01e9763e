package faultmatrix

import (
	"go/ast"
	"go/types"
	"maps"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
)

// resourcePackages maps the packages under internal/resources that call AWS
// to the sagesafe type they implement.
var resourcePackages = map[string]string{
	"audittrail": iampolicy.TypeAuditTrail, "budget": iampolicy.TypeBudget, "endpoint": iampolicy.TypeEndpoint,
	"executionrole": iampolicy.TypeExecutionRole, "kmskey": iampolicy.TypeKMSKey, "modelmonitor": iampolicy.TypeModelMonitor,
	"network": iampolicy.TypeNetwork, "personarole": iampolicy.TypePersonaRole, "preflight": iampolicy.TypePreflight,
	"processingjob": iampolicy.TypeProcessingJob, "trainingjob": iampolicy.TypeTrainingJob,
}

// lookupPackages reach every type through evaluate (the plan-time fact
// lookups): which of their calls a type makes depends on what it
// references, which the import graph cannot tell. The acceptance runs under
// the deployer policy (TestAccDeployerPolicy_*) judge those.
var lookupPackages = []string{module + "/internal/evaluate", module + "/internal/posture", module + "/internal/awsclient"}

// TestDeployerInventoryIsTheProvidersCalls fails when the provider's code
// calls an AWS operation the deployer inventory (iampolicy.DeployerCalls)
// lacks, so the deployer policy would be denied it, or when the inventory
// lists an operation the provider never calls, so the policy would grant
// an action nothing needs.
func TestDeployerInventoryIsTheProvidersCalls(t *testing.T) {
	calls, err := ProviderCalls()
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, c := range iampolicy.DeployerCalls() {
		listed[c.Call] = true
		if calls[c.Call] == nil {
			t.Errorf("the deployer inventory lists %s, which the provider never calls: the policy would grant %v for nothing",
				c.Call, iampolicy.IAMActions(c.Call))
		}
	}
	for _, key := range slices.Sorted(maps.Keys(calls)) {
		if !listed[key] {
			t.Errorf("the provider calls %s (%s), which the deployer inventory (internal/iampolicy/deployer_calls.go) lacks",
				key, strings.Join(calls[key].Sites, ", "))
		}
	}
	t.Logf("%d AWS operations in the provider, %d in the deployer inventory", len(calls), len(listed))
}

// TestDeployerInventoryTypes fails when a resource's code, or module code
// it calls (lookups aside), calls an operation the inventory does not list
// under that resource's type. Calls are followed function by function (a
// call or a reference to a function or method of the module), so a shared
// package's operations count only for the types that reach them.
func TestDeployerInventoryTypes(t *testing.T) {
	byPath, binary, err := providerPackages()
	if err != nil {
		t.Fatal(err)
	}
	g := newFuncGraph(byPath, binary)
	typesOf := map[string][]string{} // call -> types of the inventory
	for _, c := range iampolicy.DeployerCalls() {
		typesOf[c.Call] = c.Types
	}
	for dir, typ := range resourcePackages {
		pkg := module + "/internal/resources/" + dir
		if byPath[pkg] == nil {
			t.Fatalf("package internal/resources/%s not found", dir)
		}
		calls := g.callsFrom(pkg)
		for _, key := range slices.Sorted(maps.Keys(calls)) {
			if !slices.Contains(typesOf[key], typ) {
				t.Errorf("%s calls %s (%s), which the deployer inventory does not list under %s",
					typ, key, strings.Join(calls[key].Sites, ", "), typ)
			}
		}
	}
}

// funcGraph holds the module's function declarations by full name.
type funcGraph struct {
	decls map[string]funcDecl
}

type funcDecl struct {
	pkg  *packages.Package
	decl *ast.FuncDecl
}

func newFuncGraph(byPath map[string]*packages.Package, binary map[string]bool) *funcGraph {
	g := &funcGraph{decls: map[string]funcDecl{}}
	for path := range binary {
		p := byPath[path]
		if slices.Contains(lookupPackages, path) {
			continue
		}
		for _, f := range p.Syntax {
			for _, d := range f.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
					if fn, ok := p.TypesInfo.Defs[fd.Name].(*types.Func); ok {
						g.decls[fn.FullName()] = funcDecl{p, fd}
					}
				}
			}
		}
	}
	return g
}

// callsFrom collects the AWS operations of every function of a package and
// of the module's functions they reach. Functions are keyed by full name:
// a package sees the others through export data, so the objects differ.
func (g *funcGraph) callsFrom(pkg string) map[string]*Call {
	calls := map[string]*Call{}
	seen := map[string]bool{}
	var visit func(name string)
	visit = func(name string) {
		d, ok := g.decls[name]
		if !ok || seen[name] {
			return
		}
		seen[name] = true
		collect(d.pkg, d.decl, calls)
		ast.Inspect(d.decl.Body, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				if fn, ok := d.pkg.TypesInfo.Uses[id].(*types.Func); ok {
					visit(fn.Origin().FullName())
				}
			}
			return true
		})
	}
	for name, d := range g.decls {
		if d.pkg.PkgPath == pkg {
			visit(name)
		}
	}
	return calls
}

// TestDeployerInventoryMatchesLostAnswerInventory fails when inventory.tsv
// (how each write survives a lost answer) and the deployer inventory name
// other types for a write: the two are one inventory, kept in two files
// because inventory.tsv says per write what the deployer policy need not.
func TestDeployerInventoryMatchesLostAnswerInventory(t *testing.T) {
	rows, err := Inventory()
	if err != nil {
		t.Fatal(err)
	}
	tsv := map[string]map[string]bool{}
	for _, r := range rows {
		if tsv[r.Action] == nil {
			tsv[r.Action] = map[string]bool{}
		}
		for _, typ := range strings.Split(r.Resource, ",") {
			tsv[r.Action][strings.TrimSpace(typ)] = true
		}
	}
	for _, c := range iampolicy.DeployerCalls() {
		if iampolicy.ReadOnlyCall(c.Call) {
			continue
		}
		got, want := slices.Sorted(maps.Keys(tsv[c.Call])), slices.Sorted(slices.Values(c.Types))
		if !slices.Equal(got, want) {
			t.Errorf("%s: inventory.tsv names %v, the deployer inventory %v", c.Call, got, want)
		}
	}
}
