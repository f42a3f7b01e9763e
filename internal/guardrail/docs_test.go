package guardrail

import (
	"strings"
	"testing"
)

func TestRenderMarkdown(t *testing.T) {
	md := RenderMarkdown()
	if md != RenderMarkdown() {
		t.Fatal("RenderMarkdown is not deterministic")
	}
	for _, c := range Catalog {
		for _, want := range []string{"\n| " + c.ID + " | ", "\n### " + c.ID + ": " + c.Title + "\n", c.Rule, c.Rationale, c.Fix} {
			if !strings.Contains(md, want) {
				t.Errorf("%s: page lacks %q", c.ID, want)
			}
		}
		for _, r := range c.References {
			if !strings.Contains(md, "- "+r+"\n") {
				t.Errorf("%s: page lacks reference %q", c.ID, r)
			}
		}
	}
	for _, row := range []string{
		"| SS-TLS-2 | S3 locations are s3:// URIs on TLS-only buckets | error (warning when the bucket policy lacks the deny and strict_data_buckets is false) | `strict_data_buckets` | no | `training_job`, `processing_job`, `endpoint`, `preflight`, `model_monitor` |\n",
		"| SS-NET-4 | Network isolation is on | error | — | yes | `training_job`, `processing_job`, `endpoint`, `model_monitor` |\n",
		"| SS-NET-6 | S3 is reached through a gateway endpoint | warning | — | no | `training_job`, `processing_job`, `endpoint`, `preflight`, `network`, `model_monitor` |\n",
	} {
		if !strings.Contains(md, row) {
			t.Errorf("page lacks row %q", row)
		}
	}
	if rows := strings.Count(md, "\n| SS-"); rows != len(Catalog) {
		t.Errorf("summary table has %d rows, want %d", rows, len(Catalog))
	}
	// The page becomes a tfplugindocs (Go text/template) template.
	if strings.Contains(md, "{{") || strings.Contains(md, "}}") {
		t.Error("page contains template delimiters")
	}
}
