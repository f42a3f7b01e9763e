package iampolicy

import (
	"strings"
	"testing"
)

const testFlowLogGroup = "/sagesafe/vpc/prod/flow-logs"

func TestFlowLogsGolden(t *testing.T) {
	trust, err := FlowLogsTrustPolicy(testPartition, testRegion, testAccount)
	if err != nil {
		t.Fatal(err)
	}
	assertWellFormed(t, trust)
	assertGolden(t, "flowlogs_trust", trust)
	policy, err := FlowLogsPolicy(testPartition, testRegion, testAccount, testFlowLogGroup)
	if err != nil {
		t.Fatal(err)
	}
	assertWellFormed(t, policy)
	assertGolden(t, "flowlogs_policy", policy)
}

func TestFlowLogsTrustConditions(t *testing.T) {
	d, err := FlowLogsTrustPolicy(testPartition, testRegion, testAccount)
	if err != nil {
		t.Fatal(err)
	}
	s := stmt(t, d, "VPCFlowLogsAssumeRole")
	assertSame(t, "principal", s.Principal["Service"], []string{"vpc-flow-logs.amazonaws.com"})
	if len(s.Principal) != 1 || len(d.Statement) != 1 {
		t.Errorf("trust = %s", d.JSON())
	}
	assertSame(t, "action", s.Action, []string{"sts:AssumeRole"})
	assertSame(t, "aws:SourceAccount", s.Condition["StringEquals"]["aws:SourceAccount"], []string{testAccount})
	assertSame(t, "aws:SourceArn", s.Condition["ArnLike"]["aws:SourceArn"],
		[]string{"arn:aws:ec2:us-east-1:111122223333:vpc-flow-log/*"})
}

func TestFlowLogsPolicyScope(t *testing.T) {
	d, err := FlowLogsPolicy(testPartition, testRegion, testAccount, testFlowLogGroup)
	if err != nil {
		t.Fatal(err)
	}
	deliver := stmt(t, d, "DeliverFlowLogs")
	assertSame(t, "actions", deliver.Action, []string{"logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"})
	group := "arn:aws:logs:us-east-1:111122223333:log-group:" + testFlowLogGroup
	assertSame(t, "resources", deliver.Resource, []string{group, group + ":*"})
	describe := stmt(t, d, "DescribeLogGroups")
	assertSame(t, "describe actions", describe.Action, []string{"logs:DescribeLogGroups"})
	assertSame(t, "describe resources", describe.Resource, []string{"arn:aws:logs:us-east-1:111122223333:log-group:*"})
	if strings.Contains(d.JSON(), "CreateLogGroup") || strings.Contains(d.JSON(), `"Resource":"*"`) {
		t.Errorf("policy too broad: %s", d.JSON())
	}
}

func TestFlowLogsRefusals(t *testing.T) {
	for _, tc := range []struct {
		group    string
		sentinel error
		control  string
	}{
		{"/aws/*", ErrWildcard, "SS-IAM-2"},
		{"", ErrInvalidSpec, ""},
		{"flow logs", ErrInvalidSpec, ""},
		{"a:b", ErrInvalidSpec, ""},
		{strings.Repeat("a", 513), ErrInvalidSpec, ""},
	} {
		_, err := FlowLogsPolicy(testPartition, testRegion, testAccount, tc.group)
		assertRefused(t, err, tc.sentinel, "LogGroupName", -1, tc.control)
	}
	if _, err := FlowLogsTrustPolicy(testPartition, testRegion, "x"); err == nil {
		t.Error("bad account accepted")
	}
	if _, err := FlowLogsPolicy("aws-cn", testRegion, testAccount, testFlowLogGroup); err == nil {
		t.Error("unsupported partition accepted")
	}
}

// TestS3GatewayEndpointPolicy: only buckets of this account, plus ECR's
// layer bucket of the region, read-only (SS-DATA-2).
func TestS3GatewayEndpointPolicy(t *testing.T) {
	d, err := S3GatewayEndpointPolicy(testPartition, testRegion, testAccount)
	if err != nil {
		t.Fatal(err)
	}
	assertGolden(t, "s3_gateway_endpoint_policy", d)
	if len(d.Statement) != 2 || d.Version != PolicyVersion {
		t.Fatalf("policy = %s", d.JSON())
	}
	// Not assertWellFormed: a gateway endpoint policy's Principal must be
	// "*" (principals are limited with conditions); it bounds, not grants.
	for _, s := range d.Statement {
		if len(s.Principal) != 1 || len(s.Principal["*"]) != 1 {
			t.Errorf("%s: principal %v, want \"*\"", s.Sid, s.Principal)
		}
	}
	own := stmt(t, d, "BucketsOfThisAccount")
	assertSame(t, "aws:ResourceAccount", own.Condition["StringEquals"]["aws:ResourceAccount"], []string{testAccount})
	if len(own.Condition) != 1 || own.Effect != EffectAllow {
		t.Errorf("BucketsOfThisAccount = %+v", own)
	}
	ecr := stmt(t, d, "ECRImageLayers")
	assertSame(t, "ECR actions", ecr.Action, []string{"s3:GetObject"})
	assertSame(t, "ECR resources", ecr.Resource, []string{"arn:aws:s3:::prod-us-east-1-starport-layer-bucket/*"})
	if _, err := S3GatewayEndpointPolicy(testPartition, testRegion, "12345"); err == nil {
		t.Error("a malformed account was accepted")
	}
}
