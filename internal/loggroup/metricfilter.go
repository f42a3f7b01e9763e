// Metric filters on a log group, shared by the resources that turn log
// lines into metrics (sagesafe_audit_trail, sagesafe_model_monitor).

package loggroup

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// FilterAPI is the subset of the CloudWatch Logs client the metric filter
// functions use.
type FilterAPI interface {
	PutMetricFilter(context.Context, *cloudwatchlogs.PutMetricFilterInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutMetricFilterOutput, error)
	DeleteMetricFilter(context.Context, *cloudwatchlogs.DeleteMetricFilterInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DeleteMetricFilterOutput, error)
	DescribeMetricFilters(context.Context, *cloudwatchlogs.DescribeMetricFiltersInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeMetricFiltersOutput, error)
}

// MetricFilter is one metric filter of Group: its pattern and its one
// metric (PutMetricFilter takes exactly one transformation).
type MetricFilter struct {
	Group, Name, Pattern string
	Namespace, Metric    string
	// Value is what the metric records: a number, or a field selector
	// such as "$.value" of a JSON pattern.
	Value string
	// Default is recorded when a log event does not match; nil for none.
	// CloudWatch refuses it together with Dimensions.
	Default *float64
	// Dimensions map a dimension name to a field selector of the pattern.
	Dimensions map[string]string
}

// Transformation is the filter's metric as PutMetricFilter takes it.
func (f MetricFilter) Transformation() logstypes.MetricTransformation {
	t := logstypes.MetricTransformation{
		MetricName: aws.String(f.Metric), MetricNamespace: aws.String(f.Namespace), MetricValue: aws.String(f.Value),
		DefaultValue: f.Default,
	}
	if len(f.Dimensions) > 0 {
		t.Dimensions = f.Dimensions
	}
	return t
}

// PutMetricFilters puts every filter. PutMetricFilter creates or replaces
// the filter by name, so a repeat after a lost answer changes nothing.
func PutMetricFilters(ctx context.Context, api FilterAPI, filters []MetricFilter) error {
	for _, f := range filters {
		if _, err := api.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{
			LogGroupName: aws.String(f.Group), FilterName: aws.String(f.Name), FilterPattern: aws.String(f.Pattern),
			MetricTransformations: []logstypes.MetricTransformation{f.Transformation()},
		}); err != nil {
			return fmt.Errorf("putting metric filter %s on %s: %w", f.Name, f.Group, err)
		}
	}
	return nil
}

// DeleteMetricFilters deletes the named filters of group; a filter (or
// group) that is already gone is success.
func DeleteMetricFilters(ctx context.Context, api FilterAPI, group string, names []string) error {
	for _, n := range names {
		_, err := api.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: aws.String(group), FilterName: aws.String(n)})
		var nf *logstypes.ResourceNotFoundException
		if err != nil && !errors.As(err, &nf) {
			return fmt.Errorf("deleting metric filter %s of %s: %w", n, group, err)
		}
	}
	return nil
}

// MetricFilters lists the filters of group whose names start with prefix;
// none when the group does not exist.
func MetricFilters(ctx context.Context, api FilterAPI, group, prefix string) ([]logstypes.MetricFilter, error) {
	in := &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String(group), FilterNamePrefix: aws.String(prefix)}
	var out []logstypes.MetricFilter
	p := cloudwatchlogs.NewDescribeMetricFiltersPaginator(api, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		var nf *logstypes.ResourceNotFoundException
		if errors.As(err, &nf) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("listing the metric filters of %s: %w", group, err)
		}
		out = append(out, page.MetricFilters...)
	}
	return out, nil
}
