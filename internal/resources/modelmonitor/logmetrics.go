// The runs' log group and, for the scheduled engine, the metric filters
// that turn each run's contract lines into the drift metrics
// (monitorspec.LogMetricFilters): a run of that engine is network
// isolated, so its logs are its only way to CloudWatch.

package modelmonitor

import (
	"context"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/loggroup"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/monitorspec"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/sagemakerjob"
)

// ensureLogGroup makes the runs' shared log group encrypted and retained
// as the apply's check planned it (both engines' runs log there); it must
// exist before a metric filter can be put on it.
func (r *monitorResource) ensureLogGroup(ctx context.Context, in inputs, c checked) error {
	return sagemakerjob.EnsureLogGroup(ctx, r.data, monitorspec.LogGroup, c.logGroup, c.pre, in.KMSKey)
}

// wantFilters are the metric filters in should have: none with Model
// Monitor, which publishes the metrics itself.
func wantFilters(in inputs) []monitorspec.MetricFilter {
	if in.Engine.V == monitorspec.EngineModelMonitor {
		return nil
	}
	out := monitorspec.LogMetricFilters(in.Name.V, in.Endpoint.V, in.Features.V)
	if in.Quality != nil {
		out = append(out, monitorspec.QualityFilter(in.Name.V, in.Endpoint.V, in.Quality.Metric))
	}
	return out
}

func asLogFilter(f monitorspec.MetricFilter) loggroup.MetricFilter {
	return loggroup.MetricFilter{Group: monitorspec.LogGroup, Name: f.Name, Pattern: f.Pattern, Namespace: f.Namespace,
		Metric: f.Metric, Value: f.Value, Dimensions: f.Dimensions}
}

// filterDrift names what differs between the monitor's live filters and
// those of in.
func (r *monitorResource) filterDrift(ctx context.Context, in inputs) ([]string, error) {
	live, err := loggroup.MetricFilters(ctx, r.data.AWS.Logs, monitorspec.LogGroup, monitorspec.FilterPrefix(in.Name.V))
	if err != nil {
		return nil, err
	}
	lines, _ := monitorspec.FilterDrift(in.Name.V, wantFilters(in), live)
	return lines, nil
}

// putFilters puts the filters of in and deletes the monitor's other
// filters (a feature removed, a first feature changed). PutMetricFilter
// replaces by name and a filter already deleted counts as deleted, so a
// repeat after a lost answer changes nothing.
func (r *monitorResource) putFilters(ctx context.Context, in inputs) error {
	logs := r.data.AWS.Logs
	want := wantFilters(in)
	put := make([]loggroup.MetricFilter, len(want))
	for i, f := range want {
		put[i] = asLogFilter(f)
	}
	if err := loggroup.PutMetricFilters(ctx, logs, put); err != nil {
		return err
	}
	live, err := loggroup.MetricFilters(ctx, logs, monitorspec.LogGroup, monitorspec.FilterPrefix(in.Name.V))
	if err != nil {
		return err
	}
	_, stale := monitorspec.FilterDrift(in.Name.V, want, live)
	return loggroup.DeleteMetricFilters(ctx, logs, monitorspec.LogGroup, stale)
}

// deleteFilters deletes every filter of the monitor named name.
func (r *monitorResource) deleteFilters(ctx context.Context, name string) error {
	live, err := loggroup.MetricFilters(ctx, r.data.AWS.Logs, monitorspec.LogGroup, monitorspec.FilterPrefix(name))
	if err != nil {
		return err
	}
	_, owned := monitorspec.FilterDrift(name, nil, live)
	return loggroup.DeleteMetricFilters(ctx, r.data.AWS.Logs, monitorspec.LogGroup, owned)
}
