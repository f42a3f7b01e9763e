package acctest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// sigV4 is an Authorization header as the SDK signs for service.
func sigV4(service string) string {
	return "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261205/us-east-1/" + service +
		"/aws4_request, SignedHeaders=host;x-amz-date, Signature=0123abcd"
}

func TestClassifyRequest(t *testing.T) {
	for _, c := range []struct {
		name, method, url, ctype, body, auth, target, want string
	}{
		{name: "JSON protocol: X-Amz-Target", method: "POST", url: "https://api.sagemaker.us-east-1.amazonaws.com/",
			ctype: "application/x-amz-json-1.1", body: `{"EndpointName":"x"}`, auth: sigV4("sagemaker"),
			target: "SageMaker.DescribeEndpoint", want: "sagemaker:DescribeEndpoint"},
		{name: "rpc-v2-cbor path", method: "POST", url: "https://monitoring.us-east-1.amazonaws.com/service/GraniteServiceVersion20100801/operation/DescribeAlarms",
			ctype: "application/cbor", body: "\xa0", auth: sigV4("monitoring"), want: "monitoring:DescribeAlarms"},
		{name: "query Action", method: "POST", url: "https://ec2.us-east-1.amazonaws.com/",
			ctype: "application/x-www-form-urlencoded; charset=utf-8", body: "Action=DescribeSubnets&Version=2016-11-15&SubnetId.1=subnet-1",
			auth: sigV4("ec2"), want: "ec2:DescribeSubnets"},
		{name: "REST: method and path", method: "GET", url: "https://scheduler.us-east-1.amazonaws.com/schedules/m1",
			auth: sigV4("scheduler"), want: "scheduler:GET /schedules/m1"},
		{name: "unsigned", method: "GET", url: "http://127.0.0.1/health", want: "unknown:GET /health"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var body io.Reader
			if c.body != "" {
				body = strings.NewReader(c.body)
			}
			req := httptest.NewRequest(c.method, c.url, body)
			if c.ctype != "" {
				req.Header.Set("Content-Type", c.ctype)
			}
			if c.auth != "" {
				req.Header.Set("Authorization", c.auth)
			}
			if c.target != "" {
				req.Header.Set("X-Amz-Target", c.target)
			}
			if got := ClassifyRequest(req); got != c.want {
				t.Errorf("ClassifyRequest = %q, want %q", got, c.want)
			}
			// The request is still sent after counting: its body must be whole.
			if c.body != "" {
				b, err := io.ReadAll(req.Body)
				if err != nil || string(b) != c.body {
					t.Errorf("body after classifying: %q, %v; want %q", b, err, c.body)
				}
			}
		})
	}
}

func TestCallCounter(t *testing.T) {
	var c CallCounter
	sent := 0
	rt := c.Wrap(RoundTripFunc(func(*http.Request) (*http.Response, error) {
		sent++
		return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody}, nil
	}))
	call := func(target string) {
		req := httptest.NewRequest("POST", "https://logs.us-east-1.amazonaws.com/", strings.NewReader("{}"))
		req.Header.Set("Authorization", sigV4("logs"))
		req.Header.Set("X-Amz-Target", "Logs_20140328."+target)
		if _, err := rt.RoundTrip(req); err != nil {
			t.Fatal(err)
		}
	}
	call("DescribeLogGroups")
	call("DescribeLogGroups")
	call("DescribeMetricFilters")
	got := c.Snapshot()
	if sent != 3 || got["logs:DescribeLogGroups"] != 2 || got["logs:DescribeMetricFilters"] != 1 || TotalCalls(got) != 3 {
		t.Fatalf("sent %d, counts %v", sent, got)
	}
	if want := "  logs:DescribeLogGroups 2\n  logs:DescribeMetricFilters 1\n"; FormatCalls(got) != want {
		t.Errorf("FormatCalls = %q, want %q", FormatCalls(got), want)
	}
	c.Reset()
	if n := TotalCalls(c.Snapshot()); n != 0 || got["logs:DescribeLogGroups"] != 2 {
		t.Errorf("after Reset: %d calls counted, or the snapshot changed (%v)", n, got)
	}
}

func TestMutatingCall(t *testing.T) {
	for key, want := range map[string]bool{
		"monitoring:PutMetricAlarm": true, "sagemaker:AddTags": true, "monitoring:EnableAlarmActions": true,
		"monitoring:DisableAlarmActions": true, "scheduler:UpdateSchedule": true, "logs:DeleteMetricFilter": true,
		"monitoring:DescribeAlarms": false, "sagemaker:ListTags": false, "iam:GetRole": false, "scheduler:GET /schedules/m1": false,
		"scheduler:PUT /schedules/m1": true, "scheduler:POST /schedules/m1": true, "scheduler:DELETE /schedules/m1": true,
	} {
		if got := MutatingCall(key); got != want {
			t.Errorf("MutatingCall(%q) = %v, want %v", key, got, want)
		}
	}
}
