package main

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/awsclient"
)

const auditTrailAddress = "sagesafe_audit_trail.ml"

// auditSummary is what the demo shows of the audit trail, read from the
// emulator rather than from the state.
type auditSummary struct {
	Trail, Bucket, LogGroup string
	Logging, MultiRegion    bool
	Validation              bool
	Filters                 []string // metric filter name: pattern
	Alarms                  []string // alarm name -> its actions
}

// showAuditTrail reads the golden path's trail, its metric filters and
// alarms from the emulator and fails when one the state names is missing.
func showAuditTrail(ctx context.Context, c *awsclient.Client, show []byte) (auditSummary, error) {
	r, err := resourceAt(show, auditTrailAddress)
	if err != nil {
		return auditSummary{}, err
	}
	var s auditSummary
	var alarms []string
	for name, v := range map[string]any{"name": &s.Trail, "bucket": &s.Bucket, "log_group_name": &s.LogGroup, "alarm_names": &alarms} {
		if err := decodeValue(r, name, v); err != nil {
			return s, err
		}
	}
	trails, err := c.CloudTrail.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(s.Trail)})
	if err != nil || trails.Trail == nil {
		return s, fmt.Errorf("reading trail %s: %v", s.Trail, err)
	}
	s.MultiRegion, s.Validation = aws.ToBool(trails.Trail.IsMultiRegionTrail), aws.ToBool(trails.Trail.LogFileValidationEnabled)
	status, err := c.CloudTrail.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(s.Trail)})
	if err != nil {
		return s, fmt.Errorf("reading the status of trail %s: %w", s.Trail, err)
	}
	s.Logging = aws.ToBool(status.IsLogging)
	filters, err := c.Logs.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String(s.LogGroup)})
	if err != nil {
		return s, fmt.Errorf("reading the metric filters of %s: %w", s.LogGroup, err)
	}
	for _, f := range filters.MetricFilters {
		s.Filters = append(s.Filters, aws.ToString(f.FilterName))
	}
	if len(alarms) == 0 {
		return s, fmt.Errorf("%s names no alarms", auditTrailAddress)
	}
	live, err := c.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: alarms})
	if err != nil {
		return s, fmt.Errorf("reading the audit alarms: %w", err)
	}
	found := map[string]bool{}
	for _, a := range live.MetricAlarms {
		found[aws.ToString(a.AlarmName)] = true
		s.Alarms = append(s.Alarms, fmt.Sprintf("%s -> %v", aws.ToString(a.AlarmName), a.AlarmActions))
	}
	for _, a := range alarms {
		if !found[a] {
			return s, fmt.Errorf("alarm %s of %s is not in the emulator", a, auditTrailAddress)
		}
	}
	if !s.Logging || !s.MultiRegion || !s.Validation {
		return s, fmt.Errorf("trail %s: logging %t, multi-region %t, log file validation %t: all must be true", s.Trail, s.Logging, s.MultiRegion, s.Validation)
	}
	return s, nil
}
