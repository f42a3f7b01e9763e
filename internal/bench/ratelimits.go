package main

import "strings"

// rateLimit is an API whose requests AWS throttles at a low per-account,
// per-Region rate: the calls a large state runs out of first.
type rateLimit struct {
	Call   string  // service:Action as the emulator counts it
	TPS    float64 // documented default, 0 when AWS publishes none
	Source string
}

// Documented defaults, read on the pages named in Source:
//   - CloudWatch service quotas
//     (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html):
//     DescribeAlarms 9 TPS per Region, PutMetricAlarm 3 TPS, DeleteAlarms,
//     EnableAlarmActions and DisableAlarmActions 3 TPS each.
//   - CloudWatch Logs quotas
//     (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html,
//     as archived in github.com/awsdocs/amazon-cloudwatch-logs-user-guide):
//     DescribeLogGroups 5 TPS per account and Region.
//   - SageMaker publishes no per-API request rate: its control-plane calls
//     are throttled per account and Region ("Rate exceeded", see
//     https://repost.aws/knowledge-center/sagemaker-python-throttlingexception),
//     at rates AWS does not document. Its Describe*/List* calls are listed
//     with TPS 0 ("not published") so that their share is still counted.
//
// Quotas change and can be raised per account: these are the defaults the
// pages gave, not a promise.
var rateLimited = []rateLimit{
	{"cloudwatch:DescribeAlarms", 9, "CloudWatch service quotas"},
	{"cloudwatch:PutMetricAlarm", 3, "CloudWatch service quotas"},
	{"cloudwatch:DeleteAlarms", 3, "CloudWatch service quotas"},
	{"cloudwatch:EnableAlarmActions", 3, "CloudWatch service quotas"},
	{"cloudwatch:DisableAlarmActions", 3, "CloudWatch service quotas"},
	{"logs:DescribeLogGroups", 5, "CloudWatch Logs quotas"},
	{"sagemaker:Describe*", 0, "SageMaker: throttled, rate not published"},
	{"sagemaker:List*", 0, "SageMaker: throttled, rate not published"},
}

// limitOf returns the rate limit that covers call, if any ("*" at the end
// of a listed call is a prefix).
func limitOf(call string) (rateLimit, bool) {
	for _, l := range rateLimited {
		if p, ok := strings.CutSuffix(l.Call, "*"); ok && strings.HasPrefix(call, p) || l.Call == call {
			return l, true
		}
	}
	return rateLimit{}, false
}

// limitedCalls returns how many of calls go to rate-limited APIs, and the
// least time AWS's documented rates allow for them (calls / TPS, summed over
// the APIs that publish a rate, as if nothing else in the account called
// them).
func limitedCalls(calls map[string]int) (n int, minSeconds float64) {
	for call, c := range calls {
		l, ok := limitOf(call)
		if !ok {
			continue
		}
		n += c
		if l.TPS > 0 {
			minSeconds += float64(c) / l.TPS
		}
	}
	return n, minSeconds
}
