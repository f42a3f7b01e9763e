package guardrail

import (
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// AlarmTopics are the SNS topics of the subject's account and region that
// its alarms notify, when SS-MON-2 applies to it: the topics the posture
// fetcher reads (sns:GetTopicAttributes) so that SS-MON-2 judges the topic,
// not only its ARN. A topic elsewhere is foreignActions' warning (it cannot
// be read with this account's credentials).
func AlarmTopics(s *Subject) []string {
	if c, ok := Lookup("SS-MON-2"); !ok || !c.Applies(s.Kind) || !s.Alarms.IsKnown() {
		return nil
	}
	var out []string
	for _, a := range s.Alarms.V {
		if !a.Exists || !a.Actions.IsKnown() {
			continue
		}
		for _, action := range a.Actions.V {
			t, err := arn.Parse(action)
			if err == nil && t.Service == "sns" && s.AccountID != "" && t.AccountID == s.AccountID && t.Region == s.Region && !slices.Contains(out, action) {
				out = append(out, action)
			}
		}
	}
	return out
}

// alarmTopics judges each topic the alarms notify, once however many alarms
// name it: it must exist (at plan a missing topic is a warning, since the
// same apply may create it), CloudWatch must be able to publish to it (no
// AWS managed key; a customer managed key that is enabled and whose policy
// lets cloudwatch.amazonaws.com use it), and someone must have confirmed a
// subscription, or nobody receives what it is sent (a warning: an email
// subscription waits for a person to confirm it). The findings that mean
// "nobody is told" are errors unless require_alarm_actions is false.
func (r *report) alarmTopics(s *Subject, p Policy) {
	for _, topic := range AlarmTopics(s) {
		f, ok := s.Facts.Topics[topic]
		what := "SNS topic " + topic
		switch {
		case !ok:
			r.notLookedUp(FieldAlarms, what)
		case !f.Found:
			sev, when := errorIf(p.RequireAlarmActions), ""
			if s.Stage == StagePlan {
				sev, when = SeverityWarning, " At plan this is a warning, since the same apply may create the topic; at apply it is refused."
			}
			r.add(sev, FieldAlarms, -1, topic, "the alarms of "+label(s)+" notify "+what+", which does not exist",
				"SNS does not know "+topic+", so nobody is told when an alarm fires. Create the topic and subscribe your on-call to it, or name one that exists."+when)
		case f.Key != nil && !f.Key.Found:
			r.add(errorIf(p.RequireAlarmActions), FieldAlarms, -1, topic, what+" is encrypted with a KMS key that does not exist",
				"The topic's KmsMasterKeyId "+f.KMSKey+" names no key KMS knows, so SNS cannot take the alarms' messages. Give the topic a customer managed key whose policy lets cloudwatch.amazonaws.com use it.")
		case f.Key != nil && f.Key.Manager == "AWS":
			r.add(errorIf(p.RequireAlarmActions), FieldAlarms, -1, topic, what+" is encrypted with an AWS managed key, which CloudWatch cannot use",
				"The topic's key "+f.KMSKey+" is AWS managed: its policy lets no service principal use it, so CloudWatch cannot publish the alarms to the topic and reports no failure. "+
					"Use a customer managed key whose policy lets cloudwatch.amazonaws.com call kms:GenerateDataKey* and kms:Decrypt.")
		case f.Key != nil && f.Key.State != "Enabled":
			r.add(errorIf(p.RequireAlarmActions), FieldAlarms, -1, topic, what+" is encrypted with a key that is "+f.Key.State,
				"The topic's key "+f.Key.ARN+" is "+f.Key.State+", so SNS cannot take the alarms' messages. Enable the key or give the topic another.")
		case f.KeyPolicyProblem != "":
			r.add(errorIf(p.RequireAlarmActions), FieldAlarms, -1, topic, what+": CloudWatch may not use its key",
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
