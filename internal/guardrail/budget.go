package guardrail

import (
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// FieldBudget is the spending budget (KindBudget): its limit and
// notifications.
const FieldBudget Field = "budget"

// BudgetService is SageMaker's value of the SERVICE dimension (Cost
// Explorer's service name), which a budget's FilterExpression matches.
const BudgetService = "Amazon SageMaker"

// Budget is a spending budget as planned or as read from AWS Budgets
// (SS-COST-1).
type Budget struct {
	Name string
	// Services is what the budget's service filter matches (its
	// FilterExpression's SERVICE dimension, or the deprecated CostFilters'
	// Service); SageMaker's budget has exactly BudgetService.
	Services []string
	// LimitUSD is the monthly limit.
	LimitUSD float64
	// Offsets are the kinds of cost the budget subtracts from the spending
	// it counts ("credits", "refunds": record types its FilterExpression
	// does not exclude, or for a legacy budget its CostTypes IncludeCredit
	// and IncludeRefund); SageMaker's budget has none, so credits cannot
	// hide spending.
	Offsets       []string
	Notifications []BudgetNotification
	// Topics is what SNS said of each topic of this account and region the
	// notifications tell, by ARN; a topic without an entry was not looked
	// up.
	Topics map[string]BudgetTopic
	// Start and End are the live budget's TimePeriod, Now when it was read
	// (all zero for a planned budget). A budget that starts counting later,
	// or stops within a month (AWS then deletes it), caps nothing now.
	Start, End, Now time.Time
	// AutoAdjust: the limit follows past or forecast spending
	// (AutoAdjustData), so it caps nothing.
	AutoAdjust bool
}

// BudgetTopic is an SNS topic a budget notifies, as SNS describes it.
type BudgetTopic struct {
	Found bool
	// Refused says why the topic's policy does not let AWS Budgets
	// (budgets.amazonaws.com) publish to it for this account; "" when it
	// does.
	Refused string
	// Unscoped: the policy lets AWS Budgets publish without
	// aws:SourceAccount or aws:SourceArn, so another account's budget can
	// post to the topic too.
	Unscoped bool
	// KeyUnverified says why the KMS key the topic is encrypted with could
	// not be judged (its policy could not be read): a warning, never held.
	KeyUnverified string
}

// BudgetNotification is one notification of a budget and who it tells.
type BudgetNotification struct {
	Type        string  // ACTUAL or FORECASTED
	Comparison  string  // GREATER_THAN, LESS_THAN or EQUAL_TO
	Unit        string  // threshold type: PERCENTAGE or ABSOLUTE_VALUE
	Percent     float64 // threshold, percent of the limit
	Subscribers []string
}

// Bounds of a budget that caps and tells. A limit above BudgetMaxLimitUSD
// (100 million USD a month) caps nothing a SageMaker account spends. An
// ACTUAL notification above 100 % tells only after the limit is passed by
// more than it caps; a FORECASTED one may go above (warn only when the
// month's forecast overshoots by a margin, to cut noise), but a forecast of
// more than twice the limit means the limit is not the cap: raise
// limit_usd instead.
const (
	BudgetMaxLimitUSD         = 1e8
	BudgetMaxActualPercent    = 100.0
	BudgetMaxForecastPercent  = 200.0
	budgetNotificationUnit    = "PERCENTAGE"
	budgetNotificationCompare = "GREATER_THAN"
)

// BudgetMaxPercent is the highest threshold a notification of type typ may
// have and still tell someone before the limit means nothing (0 for a type
// that is neither ACTUAL nor FORECASTED).
func BudgetMaxPercent(typ string) float64 {
	switch typ {
	case "ACTUAL":
		return BudgetMaxActualPercent
	case "FORECASTED":
		return BudgetMaxForecastPercent
	}
	return 0
}

// tells reports whether n tells a subscriber in time: spending (or its
// forecast) greater than a percentage of the limit, within
// BudgetMaxPercent, to an SNS topic of this account and region (a topic
// elsewhere is someone else's inbox).
func (n BudgetNotification) tells(account, region string) bool {
	if n.Comparison != budgetNotificationCompare || n.Unit != budgetNotificationUnit || n.Percent <= 0 || n.Percent > BudgetMaxPercent(n.Type) {
		return false
	}
	for _, s := range n.Subscribers {
		if a, err := arn.Parse(s); err == nil && a.Service == "sns" && a.AccountID == account && a.Region == region {
			return true
		}
	}
	return false
}

func checkBudget(s *Subject, _ Policy) []Finding {
	r := report{id: "SS-COST-1"}
	if !s.Budget.IsKnown() {
		r.skipValue(s, FieldBudget, s.Budget.State)
		return r.out
	}
	b := s.Budget.V
	var gaps []string
	if len(b.Services) != 1 || b.Services[0] != BudgetService {
		gaps = append(gaps, fmt.Sprintf("it is filtered to services %q, not only %q", b.Services, BudgetService))
	}
	if b.LimitUSD <= 0 || b.LimitUSD > BudgetMaxLimitUSD {
		gaps = append(gaps, fmt.Sprintf("its limit is %g USD, which caps nothing (it must be above 0 and at most %g)", b.LimitUSD, BudgetMaxLimitUSD))
	}
	if len(b.Offsets) > 0 {
		gaps = append(gaps, fmt.Sprintf("it counts spending net of %s (its filter does not exclude RECORD_TYPE Credit and Refund, or its legacy CostTypes include them), which can hide SageMaker spending", strings.Join(b.Offsets, " and ")))
	}
	if b.AutoAdjust {
		gaps = append(gaps, "its limit follows past or forecast spending (AutoAdjustData), so it caps nothing")
	}
	gaps = append(gaps, b.periodGaps()...)
	told := map[string]bool{}
	for _, n := range b.Notifications {
		if n.tells(s.AccountID, s.Region) {
			told[n.Type] = true
		}
	}
	switch {
	case len(told) == 0:
		gaps = append(gaps, fmt.Sprintf("no notification tells a subscriber in time (greater than a percentage of the limit, at most %g %% ACTUAL or %g %% FORECASTED, "+
			"to an SNS topic of account %s in %s, such as the provider's alarm_actions), so nobody is told when SageMaker spending nears or passes the limit",
			BudgetMaxActualPercent, BudgetMaxForecastPercent, s.AccountID, s.Region))
	case !told["ACTUAL"]:
		gaps = append(gaps, fmt.Sprintf("only FORECASTED notifications tell a subscriber: AWS Budgets forecasts only after about five weeks of usage, "+
			"so a new account, or a sudden spike, is never told; add an ACTUAL notification of at most %g %%", BudgetMaxActualPercent))
	}
	if len(gaps) > 0 {
		r.add(SeverityError, FieldBudget, -1, b.Name, "budget "+b.Name+" does not cap SageMaker spending with a notification",
			"Of budget "+b.Name+": "+strings.Join(gaps, "; ")+".")
	}
	checkBudgetTopics(&r, s, b)
	return r.out
}

// periodGaps says why the live budget's TimePeriod keeps it from counting
// this month's spending: it starts later, or it ends within a month.
func (b Budget) periodGaps() []string {
	if b.Now.IsZero() {
		return nil
	}
	var gaps []string
	if b.Start.After(b.Now) {
		gaps = append(gaps, "it counts spending only from "+b.Start.UTC().Format(time.DateOnly))
	}
	if !b.End.IsZero() && b.End.Before(b.Now.AddDate(0, 1, 0)) {
		gaps = append(gaps, "it stops counting on "+b.End.UTC().Format(time.DateOnly)+" (AWS then deletes it)")
	}
	return gaps
}

// checkBudgetTopics is SS-COST-1 for the topics a budget tells: each must
// exist and let AWS Budgets publish, or the notification is lost without
// a trace (Budgets does not report a failed delivery). At plan the same
// apply may still create the topic or its policy, so it is a warning that
// the apply repeats as an error.
func checkBudgetTopics(r *report, s *Subject, b Budget) {
	seen := map[string]bool{}
	for _, n := range b.Notifications {
		for _, sub := range n.Subscribers {
			a, err := arn.Parse(sub)
			if err != nil || a.Service != "sns" || a.AccountID != s.AccountID || a.Region != s.Region || seen[sub] {
				continue
			}
			seen[sub] = true
			t, ok := b.Topics[sub]
			var problem string
			switch {
			case !ok:
				r.notLookedUp(FieldBudget, "SNS topic "+sub)
				continue
			case !t.Found:
				problem = "does not exist"
			case t.Refused != "":
				problem = "does not let AWS Budgets publish to it: " + t.Refused
			case t.KeyUnverified != "":
				r.add(SeverityWarning, FieldBudget, -1, sub, "the key of topic "+sub+" could not be checked",
					"SNS topic "+sub+" is encrypted, and "+t.KeyUnverified+", so whether AWS Budgets may use the key (kms:GenerateDataKey* and kms:Decrypt "+
						"for budgets.amazonaws.com) is not known. Let the provider's identity read the key's policy (kms:DescribeKey, kms:GetKeyPolicy).")
				continue
			case t.Unscoped:
				r.add(SeverityWarning, FieldBudget, -1, sub, "topic "+sub+" takes budget notifications from any account",
					"Its policy lets budgets.amazonaws.com publish without an aws:SourceAccount (or aws:SourceArn) condition naming account "+s.AccountID+
						", so another account's budget can post to it too. Add the condition.")
				continue
			default:
				continue
			}
			sev, more := SeverityError, ""
			if s.Stage == StagePlan {
				sev, more = SeverityWarning, " If this apply creates or fixes it, it is checked again before the budget is created or changed; the apply is refused if it still "+problem+"."
			}
			r.add(sev, FieldBudget, -1, sub, "topic "+sub+" of budget "+b.Name+" "+strings.SplitN(problem, ":", 2)[0],
				"SNS topic "+sub+" "+problem+", so AWS Budgets cannot deliver the budget's notifications and nobody is told."+more)
		}
	}
}
