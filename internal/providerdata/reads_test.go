package providerdata

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/loggroup"
)

// fakeCW answers DescribeAlarms by names or by prefix (one page) and counts
// both kinds of call.
type fakeCW struct {
	alarms           map[string]cwtypes.MetricAlarm
	byName, byPrefix int
}

func (f *fakeCW) DescribeAlarms(_ context.Context, in *cloudwatch.DescribeAlarmsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error) {
	out := &cloudwatch.DescribeAlarmsOutput{}
	if in.AlarmNamePrefix != nil {
		f.byPrefix++
		for n, a := range f.alarms {
			if strings.HasPrefix(n, *in.AlarmNamePrefix) {
				out.MetricAlarms = append(out.MetricAlarms, a)
			}
		}
		return out, nil
	}
	f.byName++
	for _, n := range in.AlarmNames {
		if a, ok := f.alarms[n]; ok {
			out.MetricAlarms = append(out.MetricAlarms, a)
		}
	}
	return out, nil
}

func (f *fakeCW) PutMetricAlarm(context.Context, *cloudwatch.PutMetricAlarmInput, ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricAlarmOutput, error) {
	return nil, errors.New("not used")
}

func (f *fakeCW) DeleteAlarms(context.Context, *cloudwatch.DeleteAlarmsInput, ...func(*cloudwatch.Options)) (*cloudwatch.DeleteAlarmsOutput, error) {
	return nil, errors.New("not used")
}

func alarm(name string, threshold float64) cwtypes.MetricAlarm {
	return cwtypes.MetricAlarm{AlarmName: aws.String(name), Threshold: aws.Float64(threshold)}
}

// TestReads_alarms: three endpoints' reads cost one listing; after a write
// (ForgetAlarms) the written alarm is read by name and shows the write.
func TestReads_alarms(t *testing.T) {
	ctx := context.Background()
	cw := &fakeCW{alarms: map[string]cwtypes.MetricAlarm{
		"sagesafe-endpoint-a-cpu": alarm("sagesafe-endpoint-a-cpu", 1),
		"sagesafe-endpoint-b-cpu": alarm("sagesafe-endpoint-b-cpu", 1),
	}}
	r := NewReads(cw, nil, nil, nil)
	for _, e := range []string{"a", "b", "c"} {
		got, err := r.Alarms(ctx, cw, "sagesafe-endpoint-", []string{"sagesafe-endpoint-" + e + "-cpu"})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := got["sagesafe-endpoint-"+e+"-cpu"]; ok != (e != "c") {
			t.Fatalf("endpoint %s: %v", e, got)
		}
	}
	if cw.byPrefix != 1 || cw.byName != 0 {
		t.Fatalf("%d listings and %d reads by name, want 1 and 0", cw.byPrefix, cw.byName)
	}
	cw.alarms["sagesafe-endpoint-a-cpu"] = alarm("sagesafe-endpoint-a-cpu", 2)
	r.ForgetAlarms("sagesafe-endpoint-a-cpu")
	got, err := r.Alarms(ctx, cw, "sagesafe-endpoint-", []string{"sagesafe-endpoint-a-cpu", "sagesafe-endpoint-b-cpu"})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToFloat64(got["sagesafe-endpoint-a-cpu"].Threshold) != 2 || len(got) != 2 || cw.byName != 1 || cw.byPrefix != 1 {
		t.Fatalf("after the write: %v, %d by name, %d listings", got, cw.byName, cw.byPrefix)
	}
}

// TestReads_nilReadsDirectly: without shared reads every read asks by name.
func TestReads_nilReadsDirectly(t *testing.T) {
	cw := &fakeCW{alarms: map[string]cwtypes.MetricAlarm{"sagesafe-endpoint-a-cpu": alarm("sagesafe-endpoint-a-cpu", 1)}}
	var r *Reads
	got, err := r.Alarms(context.Background(), cw, "sagesafe-endpoint-", []string{"sagesafe-endpoint-a-cpu"})
	if err != nil || len(got) != 1 || cw.byName != 1 || cw.byPrefix != 0 {
		t.Fatalf("%v, %v, %d by name, %d listings", got, err, cw.byName, cw.byPrefix)
	}
	r.ForgetAlarms("x") // no panic
}

// fakeLogs lists log groups by prefix, one page.
type fakeLogs struct {
	loggroup.API
	groups []string
	calls  int
}

func (f *fakeLogs) DescribeLogGroups(_ context.Context, in *cloudwatchlogs.DescribeLogGroupsInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error) {
	f.calls++
	out := &cloudwatchlogs.DescribeLogGroupsOutput{}
	for _, g := range f.groups {
		if strings.HasPrefix(g, aws.ToString(in.LogGroupNamePrefix)) {
			out.LogGroups = append(out.LogGroups, logstypes.LogGroup{LogGroupName: aws.String(g)})
		}
	}
	return out, nil
}

// TestReads_logGroup: found and not found from one listing.
func TestReads_logGroup(t *testing.T) {
	ctx := context.Background()
	logs := &fakeLogs{groups: []string{"/aws/sagemaker/Endpoints/a"}}
	r := NewReads(nil, logs, nil, nil)
	if lg, err := r.LogGroup(ctx, logs, "/aws/sagemaker/Endpoints/", "/aws/sagemaker/Endpoints/a"); err != nil || aws.ToString(lg.LogGroupName) != "/aws/sagemaker/Endpoints/a" {
		t.Fatalf("a: %v, %v", lg, err)
	}
	if _, err := r.LogGroup(ctx, logs, "/aws/sagemaker/Endpoints/", "/aws/sagemaker/Endpoints/b"); !errors.Is(err, loggroup.ErrNotFound) {
		t.Fatalf("b: %v, want ErrNotFound", err)
	}
	if logs.calls != 1 {
		t.Fatalf("%d calls, want 1", logs.calls)
	}
}

// fakeScaling pages the targets of the namespace, 50 a page.
type fakeScaling struct {
	ids   []string
	calls int
}

func (f *fakeScaling) DescribeScalableTargets(_ context.Context, in *applicationautoscaling.DescribeScalableTargetsInput, _ ...func(*applicationautoscaling.Options)) (*applicationautoscaling.DescribeScalableTargetsOutput, error) {
	f.calls++
	if len(in.ResourceIds) > 0 {
		return nil, fmt.Errorf("asked by ID: %v", in.ResourceIds)
	}
	start, _ := strconv.Atoi(aws.ToString(in.NextToken))
	end := min(start+int(aws.ToInt32(in.MaxResults)), len(f.ids))
	out := &applicationautoscaling.DescribeScalableTargetsOutput{}
	for _, id := range f.ids[start:end] {
		out.ScalableTargets = append(out.ScalableTargets, astypes.ScalableTarget{ResourceId: aws.String(id)})
	}
	if end < len(f.ids) {
		out.NextToken = aws.String(strconv.Itoa(end))
	}
	return out, nil
}

// TestReads_variantTargets: 120 targets in 3 pages, read once; an endpoint
// without a target gets nil.
func TestReads_variantTargets(t *testing.T) {
	ctx := context.Background()
	f := &fakeScaling{}
	for i := range 120 {
		f.ids = append(f.ids, fmt.Sprintf("endpoint/e%d/variant/AllTraffic", i))
	}
	r := NewReads(nil, nil, f, nil)
	tg, err := r.VariantTarget(ctx, f, "endpoint/e119/variant/AllTraffic")
	if err != nil || tg == nil {
		t.Fatalf("e119: %v, %v", tg, err)
	}
	if tg, err := r.VariantTarget(ctx, f, "endpoint/none/variant/AllTraffic"); err != nil || tg != nil {
		t.Fatalf("none: %v, %v", tg, err)
	}
	if f.calls != 3 {
		t.Fatalf("%d calls, want 3", f.calls)
	}
}
