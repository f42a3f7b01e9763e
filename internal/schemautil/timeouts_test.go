package schemautil

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
)

func TestTimeoutsBlockHasDescription(t *testing.T) {
	b := TimeoutsBlock(context.Background(), timeouts.Opts{Create: true}, "Bounds for the waits.")
	if got := b.GetMarkdownDescription(); got != "Bounds for the waits." {
		t.Fatalf("description = %q", got)
	}
	if _, ok := b.GetNestedObject().GetAttributes()["create"]; !ok {
		t.Fatal("the create attribute is missing")
	}
}
