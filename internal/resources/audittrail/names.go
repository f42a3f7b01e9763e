package audittrail

import (
	"strings"

	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
)

// Names of what a trail owns, all derived from the trail's name so that a
// refresh, an import and destroy find them without further state.

func logGroupName(trail string) string { return "/sagesafe/audit-trail/" + trail }

func roleName(trail string) string { return trail + "-cloudtrail-logs" }

// rolePath keeps CloudTrail's delivery roles apart from people's roles.
const rolePath = "/sagesafe/"

// watchName names the metric filter, its metric and its alarm of one event
// class: "<trail>-<class, dashed>".
func watchName(trail string, c guardrail.AuditEventClass) string {
	return trail + "-" + strings.ReplaceAll(c.Name, "_", "-")
}

// watchNames are the names of every class's filter (and alarm), in class order.
func watchNames(trail string) []string {
	out := make([]string, len(guardrail.AuditEventClasses))
	for i, c := range guardrail.AuditEventClasses {
		out[i] = watchName(trail, c)
	}
	return out
}

// alarmSpecs are the alarms on the classes' metrics: any matching event in
// five minutes (the CIS remediation: Sum >= 1), to the provider's actions.
// Missing data is no event, so it is not breaching.
func alarmSpecs(trail string, actions []string, tags map[string]string) []alarms.Spec {
	specs := make([]alarms.Spec, len(guardrail.AuditEventClasses))
	for i, c := range guardrail.AuditEventClasses {
		n := watchName(trail, c)
		specs[i] = alarms.Spec{
			Kind: c.Name, Name: n,
			Description:   "sagesafe audit trail " + trail + ": " + c.Title + " (" + c.Source + ").",
			Namespace:     guardrail.AuditNamespace,
			Metric:        n,
			Statistic:     cwtypes.StatisticSum,
			PeriodSeconds: 300, EvaluationPeriods: 1, DatapointsToAlarm: 1,
			Threshold: 1, Comparison: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold,
			TreatMissingData: "notBreaching",
			Actions:          actions,
			Tags:             tags,
		}
	}
	return specs
}
