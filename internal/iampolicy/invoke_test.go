package iampolicy

import (
	"testing"
)

const testEndpointARN = "arn:aws:sagemaker:us-east-1:111122223333:endpoint/fraud-detector"

func TestInvokePolicyGolden(t *testing.T) {
	open, err := InvokePolicy(testEndpointARN, nil)
	if err != nil {
		t.Fatal(err)
	}
	assertWellFormed(t, open)
	assertGolden(t, "invoke_any_network", open)
	private, err := InvokePolicy(testEndpointARN, []string{"vpce-0123456789abcdef0", "vpce-0fedcba9876543210"})
	if err != nil {
		t.Fatal(err)
	}
	assertWellFormed(t, private)
	assertGolden(t, "invoke_vpc_endpoints", private)
}

func TestInvokePolicyStatement(t *testing.T) {
	d, err := InvokePolicy(testEndpointARN, []string{"vpce-0123456789abcdef0"})
	if err != nil {
		t.Fatal(err)
	}
	s := stmt(t, d, "InvokeEndpoint")
	assertSame(t, "actions", s.Action, []string{"sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithResponseStream"})
	assertSame(t, "resource", s.Resource, []string{testEndpointARN})
	assertSame(t, "aws:SourceVpce", s.Condition["StringEquals"]["aws:SourceVpce"], []string{"vpce-0123456789abcdef0"})

	open, err := InvokePolicy(testEndpointARN, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c := stmt(t, open, "InvokeEndpoint").Condition; c != nil {
		t.Errorf("conditions without VPC endpoints: %v", c)
	}

	mixed, err := InvokePolicy("arn:aws:sagemaker:us-east-1:111122223333:endpoint/Fraud-Detector", nil)
	if err != nil {
		t.Fatal(err)
	}
	assertSame(t, "lower-cased resource", stmt(t, mixed, "InvokeEndpoint").Resource, []string{testEndpointARN})
}

func TestInvokePolicyRefusals(t *testing.T) {
	for _, tc := range []struct {
		arn      string
		vpces    []string
		sentinel error
		field    string
		index    int
		control  string
	}{
		{"arn:aws:sagemaker:us-east-1:111122223333:endpoint/*", nil, ErrWildcard, "EndpointARN", -1, "SS-IAM-2"},
		{"*", nil, ErrWildcard, "EndpointARN", -1, "SS-IAM-2"},
		{"fraud-detector", nil, ErrInvalidARN, "EndpointARN", -1, ""},
		{"arn:aws:sagemaker:us-east-1:111122223333:model/fraud-detector", nil, ErrInvalidARN, "EndpointARN", -1, ""},
		{"arn:aws:sagemaker:us-east-1:111122223333:endpoint/bad_name", nil, ErrInvalidARN, "EndpointARN", -1, ""},
		{testEndpointARN, []string{"vpce-0123456789abcdef0", "vpce-*"}, ErrWildcard, "VPCEndpointIDs", 1, "SS-IAM-2"},
		{testEndpointARN, []string{"vpc-0123456789abcdef0"}, ErrInvalidARN, "VPCEndpointIDs", 0, ""},
	} {
		_, err := InvokePolicy(tc.arn, tc.vpces)
		assertRefused(t, err, tc.sentinel, tc.field, tc.index, tc.control)
	}
}
