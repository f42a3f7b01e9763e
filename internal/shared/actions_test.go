package shared

import (
	"testing"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

func TestEffectiveActions(t *testing.T) {
	p := []string{"arn:aws:sns:us-east-1:123456789012:p"}
	provider := facts.Known(p)
	if got := EffectiveActions(facts.Null[[]string](), provider); !got.IsKnown() || len(got.V) != 1 || got.V[0] != p[0] {
		t.Errorf("null own: %+v, want the provider's", got)
	}
	own := []string{"arn:aws:sns:us-east-1:123456789012:own"}
	if got := EffectiveActions(facts.Known(own), provider); got.V[0] != own[0] {
		t.Errorf("own set: %+v, want the resource's", got)
	}
	if got := EffectiveActions(facts.Unknown[[]string](), provider); got.State != facts.StateUnknown {
		t.Errorf("own unknown (same-apply topic): %+v, want Unknown, not the provider's", got)
	}
	if got := EffectiveActions(facts.Null[[]string](), facts.Unknown[[]string]()); got.State != facts.StateUnknown {
		t.Errorf("provider's unknown (same-apply topic): %+v, want Unknown, not none", got)
	}
}
