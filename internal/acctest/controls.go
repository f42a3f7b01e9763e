package acctest

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
)

// ControlsWithout checks a `controls` value (a list of control IDs) that
// lists want and does not list drop (when drop is set): the refresh of a
// workload whose network, key or role was weakened outside sagesafe drops the
// failing control.
func ControlsWithout(want, drop string) knownvalue.Check { return controlsWithout{want, drop} }

type controlsWithout struct{ want, drop string }

func (c controlsWithout) CheckValue(v any) error {
	list, ok := v.([]any)
	if !ok {
		return fmt.Errorf("controls is %T, not a list", v)
	}
	var have bool
	for _, id := range list {
		switch id {
		case c.drop: // control IDs are never empty
			return fmt.Errorf("controls %v still lists %s", list, c.drop)
		case c.want:
			have = true
		}
	}
	if !have {
		return fmt.Errorf("controls %v does not list %s", list, c.want)
	}
	return nil
}

func (c controlsWithout) String() string {
	if c.drop == "" {
		return "controls with " + c.want
	}
	return "controls with " + c.want + " and without " + c.drop
}
