package provider_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/provider"
)

// Checks of the docs' sources: the schema descriptions and templates/ that
// `make docs` turns into docs/.

// Every attribute and block of the provider, of every resource and of every
// data source, nested ones included, has a description: tfplugindocs prints
// an undescribed attribute as a bare name, which is how two data sources'
// nested attributes reached the docs empty. And no description contradicts
// the section tfplugindocs lists it under (a "**Required**" text under
// Optional).
func TestEveryAttributeHasADescription(t *testing.T) {
	resp := providerSchemas(t)
	if len(resp.ResourceSchemas) == 0 || len(resp.DataSourceSchemas) == 0 {
		t.Fatalf("no resources or data sources in the schema: %d, %d", len(resp.ResourceSchemas), len(resp.DataSourceSchemas))
	}
	var problems []string
	walkSchemas(resp, func(at string, description string, a *tfprotov6.SchemaAttribute) {
		if strings.TrimSpace(description) == "" && at != "provider sagesafe" {
			problems = append(problems, at+" has no description")
		}
		if a == nil {
			return
		}
		if a.Optional && strings.Contains(description, "**Required**") {
			problems = append(problems, at+" is listed under Optional but its description says **Required**")
		}
		if holdsObject(a.Type) {
			// A list of objects, say, shows its fields in the docs with no
			// text and no way to give one: a nested attribute can.
			problems = append(problems, at+" is of an object type, whose fields cannot be described: make it a nested attribute")
		}
	})
	slices.Sort(problems)
	for _, p := range problems {
		t.Error(p)
	}
}

// providerSchemas reads the schemas as Terraform does (GetProviderSchema), so
// nothing a walk of the framework's types might skip is left out.
func providerSchemas(t *testing.T) *tfprotov6.GetProviderSchemaResponse {
	t.Helper()
	server, err := providerserver.NewProtocol6WithError(provider.New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range resp.Diagnostics {
		t.Errorf("schema: %s: %s", d.Summary, d.Detail)
	}
	return resp
}

// walkSchemas calls visit for the provider, every resource and data source,
// and every attribute and block under them at any depth, with a path such as
// "resource sagesafe_endpoint.vpc.subnet_ids"; a is nil for schemas and blocks.
func walkSchemas(resp *tfprotov6.GetProviderSchemaResponse, visit func(at, description string, a *tfprotov6.SchemaAttribute)) {
	var walk func(at string, b *tfprotov6.SchemaBlock)
	walk = func(at string, b *tfprotov6.SchemaBlock) {
		for _, a := range b.Attributes {
			visit(at+"."+a.Name, a.Description, a)
			if a.NestedType != nil {
				walk(at+"."+a.Name, &tfprotov6.SchemaBlock{Attributes: a.NestedType.Attributes})
			}
		}
		for _, nb := range b.BlockTypes {
			visit(at+"."+nb.TypeName, nb.Block.Description, nil)
			walk(at+"."+nb.TypeName, nb.Block)
		}
	}
	schemas := map[string]*tfprotov6.Schema{"provider sagesafe": resp.Provider}
	for name, s := range resp.ResourceSchemas {
		schemas["resource "+name] = s
	}
	for name, s := range resp.DataSourceSchemas {
		schemas["data source "+name] = s
	}
	for at, s := range schemas {
		visit(at, s.Block.Description, nil)
		walk(at, s.Block)
	}
}

// holdsObject says whether values of t are or contain objects, whose fields a
// schema cannot describe.
func holdsObject(t tftypes.Type) bool {
	switch t := t.(type) {
	case tftypes.Object:
		return true
	case tftypes.List:
		return holdsObject(t.ElementType)
	case tftypes.Set:
		return holdsObject(t.ElementType)
	case tftypes.Map:
		return holdsObject(t.ElementType)
	case tftypes.Tuple:
		return slices.ContainsFunc(t.ElementTypes, holdsObject)
	}
	return false
}

// registryDocs is where the Terraform Registry publishes this provider's
// docs; a page is docs/<kind>/<name>.md there without the ".md".
const registryDocs = "https://registry.terraform.io/providers/sagesafe/sagesafe/latest/docs/"

var (
	// fenced and inline code hold text that looks like links and is not.
	codeRe = regexp.MustCompile("(?s)```.*?```|`[^`\n]*`")
	// inline links [text](target "title") and reference definitions [ref]: target.
	inlineLinkRe    = regexp.MustCompile(`\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)`)
	referenceLinkRe = regexp.MustCompile(`(?m)^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)`)
)

// The docs' links work both on the Registry and on GitHub. A relative link
// cannot: "guides/guardrails.md" is a missing page on the Registry, and
// "guides/guardrails" a missing file on GitHub. So every link is an anchor on
// the same page or an absolute URL, and a link into this provider's Registry
// docs names a page that exists. The sources of docs/ are checked (templates/
// and every schema description), since docs/ is generated from them and
// `make docs-check` fails when it is not.
func TestDocLinksWorkOnRegistryAndGitHub(t *testing.T) {
	texts := map[string]string{}
	walkSchemas(providerSchemas(t), func(at, description string, _ *tfprotov6.SchemaAttribute) {
		texts[at] = description
	})
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(filepath.Join(root, "templates"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(root, path)
		texts[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	pages := registryPages(t, root, texts)
	for where, text := range texts {
		for _, target := range linkTargets(text) {
			if problem := linkProblem(target, pages); problem != "" {
				t.Errorf("%s: link %q %s", where, target, problem)
			}
		}
	}
}

func TestLinkProblem(t *testing.T) {
	pages := map[string]bool{"guides/guardrails": true, "resources/endpoint": true}
	for target, bad := range map[string]bool{
		"#nestedatt--vpc":                       false,
		"https://docs.aws.amazon.com/x.html":    false,
		registryDocs + "guides/guardrails":      false,
		registryDocs + "resources/endpoint#arn": false,
		"../guides/guardrails.md":               true,
		"guides/guardrails.md#ss-net-2":         true,
		"guides/guardrails":                     true,
		registryDocs + "guides/guardrails.md":   true,
		registryDocs + "guides/missing":         true,
		"http://example.com":                    true,
	} {
		if got := linkProblem(target, pages) != ""; got != bad {
			t.Errorf("linkProblem(%q) refused = %v, want %v", target, got, bad)
		}
	}
	if got := linkTargets("see [a](b.md), `[c](d.md)`, [e](#f)\n\n[g]: h.md\n```\n[i](j.md)\n```"); strings.Join(got, " ") != "b.md #f h.md" {
		t.Errorf("linkTargets = %q", got)
	}
}

// linkTargets lists the targets of the Markdown links in text, code left out.
func linkTargets(text string) []string {
	text = codeRe.ReplaceAllString(text, "")
	var out []string
	for _, re := range []*regexp.Regexp{inlineLinkRe, referenceLinkRe} {
		for _, m := range re.FindAllStringSubmatch(text, -1) {
			out = append(out, m[1])
		}
	}
	return out
}

// linkProblem says what is wrong with a link target, or "" when nothing is.
func linkProblem(target string, pages map[string]bool) string {
	switch {
	case strings.HasPrefix(target, "#"), strings.HasPrefix(target, "mailto:"):
		return ""
	case strings.HasPrefix(target, registryDocs):
		page, _, _ := strings.Cut(strings.TrimPrefix(target, registryDocs), "#")
		if !pages[page] {
			return "names no page of this provider's docs (a page is <kind>/<name>, without .md)"
		}
		return ""
	case strings.HasPrefix(target, "https://"):
		return ""
	case strings.HasPrefix(target, "http://"):
		return "is plain http"
	}
	return "is relative: it breaks on the Registry or on GitHub; link " + registryDocs + "<kind>/<name> instead"
}

// registryPages are the pages the Registry will show: one per resource and
// data source, one per guide template, and the index ("").
func registryPages(t *testing.T, root string, texts map[string]string) map[string]bool {
	pages := map[string]bool{"": true}
	for where := range texts {
		if rest, ok := strings.CutPrefix(where, "templates/guides/"); ok {
			pages["guides/"+strings.TrimSuffix(rest, ".md.tmpl")] = true
		}
		for _, kind := range []string{"resource", "data source"} {
			if name, ok := strings.CutPrefix(where, kind+" sagesafe_"); ok {
				name, _, _ = strings.Cut(name, ".")
				pages[map[string]string{"resource": "resources/", "data source": "data-sources/"}[kind]+name] = true
			}
		}
	}
	if !pages["guides/guardrails"] || !pages["resources/endpoint"] {
		t.Fatalf("pages not found under %s: %v", root, pages)
	}
	return pages
}

// The README (read on GitHub) and the provider's index page (read on the
// Registry) carry the same glossary, so a term explained in one is not
// explained differently in the other.
func TestGlossaryIsTheSameInReadmeAndIndex(t *testing.T) {
	root := filepath.Join("..", "..")
	var glossaries []string
	for _, file := range []string{"README.md", filepath.Join("templates", "index.md.tmpl")} {
		b, err := os.ReadFile(filepath.Join(root, file))
		if err != nil {
			t.Fatal(err)
		}
		_, section, ok := strings.Cut(string(b), "\n## Glossary\n")
		if !ok {
			t.Fatalf("%s has no '## Glossary' section", file)
		}
		section, _, _ = strings.Cut(section, "\n## ")
		glossaries = append(glossaries, strings.TrimSpace(section))
	}
	if glossaries[0] != glossaries[1] {
		t.Errorf("the glossaries of README.md and templates/index.md.tmpl differ:\n%s\n---\n%s", glossaries[0], glossaries[1])
	}
}
