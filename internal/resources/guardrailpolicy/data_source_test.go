package guardrailpolicy

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
)

// allOptions sets every optional input, so every statement is rendered.
var allOptions = iampolicy.GuardrailSpec{
	AllowedInstanceTypes:      []string{"ml.m5.*"},
	MaxTrainingRuntimeSeconds: 86400,
	AllowedKMSKeyARNs:         []string{"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
	AllowedSubnetIDs:          []string{"subnet-0123456789abcdef0"},
}

// Every statement maps to a control of the catalog, and to the right one:
// the words of the Sid and of the control's title must agree.
func TestStatementsMapToTheirControls(t *testing.T) {
	_, controls, err := iampolicy.GuardrailPolicy(allOptions)
	if err != nil {
		t.Fatal(err)
	}
	topics := []struct {
		sid, title *regexp.Regexp
	}{
		{regexp.MustCompile(`Vpc|Subnet`), regexp.MustCompile(`VPC`)},
		{regexp.MustCompile(`NetworkIsolation`), regexp.MustCompile(`Network isolation`)},
		{regexp.MustCompile(`InterContainer`), regexp.MustCompile(`Inter-container`)},
		{regexp.MustCompile(`^DenyMissingVolume`), regexp.MustCompile(`storage volumes`)},
		{regexp.MustCompile(`^DenyMissingOutput`), regexp.MustCompile(`output`)},
		{regexp.MustCompile(`^DenyUnapproved.*KmsKey`), regexp.MustCompile(`customer-managed key`)},
		{regexp.MustCompile(`InstanceTypes`), regexp.MustCompile(`Instance type`)},
		{regexp.MustCompile(`Runtime`), regexp.MustCompile(`runtime`)},
	}
	for _, sc := range controls {
		c, ok := guardrail.Lookup(sc.Control)
		if !ok {
			t.Errorf("%s maps to %s, which is not in the catalog", sc.Sid, sc.Control)
			continue
		}
		matched := false
		for _, tp := range topics {
			if tp.sid.MatchString(sc.Sid) {
				matched = true
				if !tp.title.MatchString(c.Title) {
					t.Errorf("%s maps to %s (%q), which is about something else", sc.Sid, sc.Control, c.Title)
				}
				break
			}
		}
		if !matched {
			t.Errorf("%s: no topic in this test; add one", sc.Sid)
		}
	}
}

// The docs table lists exactly the statements the builder renders, in
// order, each with its control.
func TestDocsTableMatchesTheBuilder(t *testing.T) {
	text, err := os.ReadFile("../../../templates/data-sources/guardrail_policy.md.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `(Deny[A-Za-z]+)` \\| (SS-[A-Z]+-[0-9]+) \\|")
	var got []string
	for _, m := range row.FindAllStringSubmatch(string(text), -1) {
		got = append(got, m[1]+"="+m[2])
	}
	_, controls, err := iampolicy.GuardrailPolicy(allOptions)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, sc := range controls {
		want = append(want, sc.Sid+"="+sc.Control)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("docs table:\n%s\nbuilder:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	_, base, _ := iampolicy.GuardrailPolicy(iampolicy.GuardrailSpec{})
	if always := strings.Count(string(text), "| always |"); always != len(base) {
		t.Errorf("the table marks %d statements as always present; the builder always renders %d", always, len(base))
	}
}

func TestSchemaDescribesEveryAttribute(t *testing.T) {
	var resp datasource.SchemaResponse
	(&dataSource{}).Schema(context.Background(), datasource.SchemaRequest{}, &resp)
	if resp.Schema.MarkdownDescription == "" {
		t.Error("the data source has no description")
	}
	for name, a := range resp.Schema.Attributes {
		if a.GetMarkdownDescription() == "" {
			t.Errorf("attribute %s has no description", name)
		}
	}
	if d := resp.Schema.ValidateImplementation(context.Background()); d.HasError() {
		t.Errorf("schema: %v", d)
	}
}
