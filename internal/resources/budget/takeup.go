package budget

import (
	"context"
	"errors"
	"fmt"
	"maps"

	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
)

// takeUp decides, before a create, what to do with a budget of the
// planned name that exists already. Budgets are unique by name in an
// account, and the name is this resource's identity, so it is either one an
// apply of this resource made and was killed before saving it (the create's
// answer lost, nothing in state), or someone else's. It is adopted (true)
// only when idem's rule for a killed apply's object holds: it carries
// sagesafe's creation token tag (made by sagesafe's create, not by hand),
// and it is exactly the budget this create would make (auditLeftover).
// Otherwise the create is refused naming the budget: adopting it would
// rewrite someone else's budget, and destroy would delete it.
func takeUp(ctx context.Context, c clients, s spec) (bool, error) {
	b, err := findBudget(ctx, c, s.Name)
	switch {
	case errors.Is(err, errBudgetNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	tags, err := budgetTags(ctx, c, s.Name)
	var live []liveNotification
	if err == nil {
		live, err = notifications(ctx, c, s.Name)
	}
	if err != nil {
		return false, err
	}
	if err := idem.Leftover(tags, nil); err != nil {
		return false, fmt.Errorf("budget %s already exists and %w; import it (terraform import) or choose another name", s.Name, err)
	}
	if err := auditLeftover(b, tags, live, s); err != nil {
		return false, fmt.Errorf("budget %s carries sagesafe's creation token (an interrupted apply made it), but %w; "+
			"import it (terraform import), delete it, or choose another name", s.Name, err)
	}
	tflog.Warn(ctx, "adopting the budget an interrupted apply created", map[string]any{"budget": s.Name})
	return true, nil
}

// auditLeftover checks part (c) of idem's rule on a budget a killed apply
// left: its settings (same: type, period, limit, filter and metrics), tags (the
// token aside) and notifications are what this create would send.
func auditLeftover(b btypes.Budget, tags map[string]string, live []liveNotification, s spec) error {
	if !sameBudget(b, s) {
		return errors.New("its type, period, limit, filter or metrics are not what this plan asks for")
	}
	have := maps.Clone(tags)
	delete(have, idem.TokenTag)
	want := s.Tags
	if want == nil {
		want = map[string]string{}
	}
	if !maps.Equal(have, want) {
		return fmt.Errorf("its tags are %v, not %v", have, want)
	}
	if remove, add := notificationChanges(live, s); len(remove) > 0 || len(add) > 0 {
		return fmt.Errorf("its notifications are not the planned ones (%d to remove, %d missing)", len(remove), len(add))
	}
	return nil
}
