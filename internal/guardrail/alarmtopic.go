package guardrail

import (
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

// AlarmTopics are the SNS topics of the subject's account and region that
// its alarms notify: a workload's alarms when SS-MON-2 applies to it, the
// audit trail's alarm actions when SS-AUD-5 does. The posture fetcher reads
// them (sns:GetTopicAttributes) so that those controls judge the topic,
// not only its ARN. A topic elsewhere is foreignActions' warning (it cannot
// be read with this account's credentials).
func AlarmTopics(s *Subject) []string {
	return append(workloadTopics(s), auditTopics(s)...)
}

// workloadTopics are the topics of AlarmTopics that the workload's alarms
// notify (SS-MON-2).
func workloadTopics(s *Subject) []string {
	if c, ok := Lookup("SS-MON-2"); !ok || !c.Applies(s.Kind) || !s.Alarms.IsKnown() {
		return nil
	}
	var actions []string
	for _, a := range s.Alarms.V {
		if a.Exists && a.Actions.IsKnown() {
			actions = append(actions, a.Actions.V...)
		}
	}
	return localTopics(s, actions)
}

// auditTopics are the topics of AlarmTopics that the audit trail's alarms
// notify (SS-AUD-5).
func auditTopics(s *Subject) []string {
	if c, ok := Lookup("SS-AUD-5"); !ok || !c.Applies(s.Kind) || !s.Audit.AlarmActions.IsKnown() {
		return nil
	}
	return localTopics(s, s.Audit.AlarmActions.V)
}

// localTopics are the distinct SNS topic ARNs of the subject's account and
// region among actions.
func localTopics(s *Subject, actions []string) []string {
	var out []string
	for _, action := range actions {
		t, err := arn.Parse(action)
		if err == nil && t.Service == "sns" && s.AccountID != "" && t.AccountID == s.AccountID && t.Region == s.Region && !slices.Contains(out, action) {
			out = append(out, action)
		}
	}
	return out
}

// alarmTopics judges each topic the alarms notify, once however many alarms
// name it: it must exist (at plan a missing topic is a warning, since the
// same apply may create it), CloudWatch must be able to publish to it (its
// access policy denies it nothing; no AWS managed key; a customer managed
// key that is enabled and whose policy lets cloudwatch.amazonaws.com use
// it), and someone must have confirmed a
// subscription, or nobody receives what it is sent (a warning: an email
// subscription waits for a person to confirm it). The findings that mean
// "nobody is told" are errors when strict (a workload's: unless
// require_alarm_actions is false; the audit trail's: always).
func (r *report) alarmTopics(s *Subject, topics []string, strict bool) {
	for _, topic := range topics {
		f, ok := s.Facts.Topics[topic]
		what := "SNS topic " + topic
		switch {
		case !ok:
			r.notLookedUp(FieldAlarms, what)
		case !f.Found:
			sev, when := errorIf(strict), ""
			if s.Stage == StagePlan {
				sev, when = SeverityWarning, " At plan this is a warning, since the same apply may create the topic; at apply it is refused."
			}
			r.add(sev, FieldAlarms, -1, topic, "the alarms of "+label(s)+" notify "+what+", which does not exist",
				"SNS does not know "+topic+", so nobody is told when an alarm fires. Create the topic and subscribe your on-call to it, or name one that exists."+when)
		case f.PolicyProblem != "":
			r.add(errorIf(strict), FieldAlarms, -1, topic, what+": CloudWatch may not publish to it",
				"The topic "+f.PolicyProblem+". CloudWatch cannot deliver the alarms to the topic and reports no failure. "+
					"Remove that Deny from the topic's access policy (sns:SetTopicAttributes, attribute Policy) or give it a condition that leaves cloudwatch.amazonaws.com out.")
		case f.PolicyUnread != "":
			r.add(SeverityWarning, FieldAlarms, -1, topic, what+": whether CloudWatch may publish to it could not be judged",
				"The topic's "+f.PolicyUnread+", so it is not known that no statement in it stops CloudWatch. Give the topic a policy in IAM's JSON policy grammar.")
		case f.Key != nil && !f.Key.Found:
			r.add(errorIf(strict), FieldAlarms, -1, topic, what+" is encrypted with a KMS key that does not exist",
				"The topic's KmsMasterKeyId "+f.KMSKey+" names no key KMS knows, so SNS cannot take the alarms' messages. Give the topic a customer managed key whose policy lets cloudwatch.amazonaws.com use it.")
		case f.Key != nil && f.Key.Manager == facts.KeyManagerAWS:
			r.add(errorIf(strict), FieldAlarms, -1, topic, what+" is encrypted with an AWS managed key, which CloudWatch cannot use",
				"The topic's key "+f.KMSKey+" is AWS managed: its policy lets no service principal use it, so CloudWatch cannot publish the alarms to the topic and reports no failure. "+
					"Use a customer managed key whose policy lets cloudwatch.amazonaws.com call kms:GenerateDataKey* and kms:Decrypt.")
		case f.Key != nil && f.Key.State != "Enabled":
			r.add(errorIf(strict), FieldAlarms, -1, topic, what+" is encrypted with a key that is "+f.Key.State,
				"The topic's key "+f.Key.ARN+" is "+f.Key.State+", so SNS cannot take the alarms' messages. Enable the key or give the topic another.")
		case f.KeyPolicyProblem != "":
			r.add(errorIf(strict), FieldAlarms, -1, topic, what+": CloudWatch may not use its key",
				"The topic's key "+f.Key.ARN+" "+f.KeyPolicyProblem+". Until then CloudWatch cannot publish the alarms to the topic, and reports no failure.")
		case f.KeyPolicyUnread != "":
			r.add(SeverityWarning, FieldAlarms, -1, topic, what+": whether CloudWatch may use its key could not be read",
				"The policy of the topic's key "+f.Key.ARN+" could not be read ("+f.KeyPolicyUnread+"), so it is not known that CloudWatch can publish to the topic. Grant kms:GetKeyPolicy on it.")
		case f.Confirmed == 0:
			r.add(SeverityWarning, FieldAlarms, -1, topic, what+" has no confirmed subscription",
				fmt.Sprintf("Nobody has confirmed a subscription to %s (%d pending), so an alarm sent to it reaches no one. Subscribe your on-call to it and confirm the subscription.", topic, f.Pending))
		}
	}
}
