package preflight

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/posture"
)

// auditTrail judges the account's existing trails against SS-AUD-1..5 and
// returns the one that meets the most of them (only the named one when
// name is set); a zero TrailFact when there is none, which SS-AUD-1
// reports. The trails are only read: existing trails are inputs, never
// changed.
func (d *dataSource) auditTrail(ctx context.Context, s *guardrail.Subject, name string) (facts.TrailFact, error) {
	c := d.data.AWS
	out, err := c.CloudTrail.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(true)})
	if err != nil {
		return facts.TrailFact{}, fmt.Errorf("DescribeTrails: %w", err)
	}
	pc := posture.TrailClients{CloudTrail: c.CloudTrail, S3: c.S3, Logs: c.Logs, Account: c.AccountID}
	best, bestGaps := facts.TrailFact{}, -1
	for _, t := range out.TrailList {
		if name != "" && aws.ToString(t.Name) != name && aws.ToString(t.TrailARN) != name {
			continue
		}
		f, err := d.judgeTrail(ctx, pc, t)
		if err != nil {
			return facts.TrailFact{}, err
		}
		if gaps := auditGaps(s, d.data.Policy, f); bestGaps < 0 || gaps < bestGaps {
			best, bestGaps = f, gaps
		}
	}
	return best, nil
}

// judgeTrail reads one trail and the alarms on its filters' metrics.
func (d *dataSource) judgeTrail(ctx context.Context, pc posture.TrailClients, t cttypes.Trail) (facts.TrailFact, error) {
	o, err := posture.ObserveTrail(ctx, pc, t)
	if err != nil {
		return facts.TrailFact{}, err
	}
	for _, mf := range o.MetricFilters {
		for _, tr := range mf.MetricTransformations {
			a, err := d.data.AWS.CloudWatch.DescribeAlarmsForMetric(ctx, &cloudwatch.DescribeAlarmsForMetricInput{
				Namespace: tr.MetricNamespace, MetricName: tr.MetricName})
			if err != nil {
				return facts.TrailFact{}, fmt.Errorf("DescribeAlarmsForMetric %s: %w", aws.ToString(tr.MetricName), err)
			}
			o.Alarms = append(o.Alarms, a.MetricAlarms...)
		}
	}
	return posture.AssessTrail(o), nil
}

// auditGaps counts the SS-AUD findings a trail would get.
func auditGaps(s *guardrail.Subject, p guardrail.Policy, f facts.TrailFact) int {
	probe := *s
	probe.Audit.Live = facts.Known(f)
	n := 0
	for _, finding := range guardrail.Evaluate(&probe, p) {
		if strings.HasPrefix(finding.Control, "SS-AUD-") {
			n++
		}
	}
	return n
}
