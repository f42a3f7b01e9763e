package posture

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func encryption(alg s3types.ServerSideEncryption) *s3.GetBucketEncryptionOutput {
	return &s3.GetBucketEncryptionOutput{ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{
		Rules: []s3types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: alg}}},
	}}
}

const tlsOnlyPolicy = `{
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "DenyInsecureTransport",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": ["arn:aws:s3:::data-bucket", "arn:aws:s3:::data-bucket/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}}
  }]
}`

func TestAssessBucket(t *testing.T) {
	tests := []struct {
		name    string
		enc     *s3.GetBucketEncryptionOutput
		policy  string
		wantKMS bool
		wantTLS bool
	}{
		{name: "no configuration, no policy"},
		{name: "SSE-S3", enc: encryption(s3types.ServerSideEncryptionAes256)},
		{name: "SSE-KMS", enc: encryption(s3types.ServerSideEncryptionAwsKms), wantKMS: true},
		{name: "DSSE-KMS", enc: encryption(s3types.ServerSideEncryptionAwsKmsDsse), wantKMS: true},
		{name: "TLS-only policy", policy: tlsOnlyPolicy, wantTLS: true},
		{
			name:    "boolean condition value, AWS * principal, object actions",
			policy:  `{"Statement":{"Effect":"Deny","Principal":{"AWS":"*"},"Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":false}}}}`,
			wantTLS: true,
		},
		{
			name:   "deny only for one principal",
			policy: `{"Statement":{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:*","Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}}`,
		},
		{
			name:   "deny covers the bucket but not its objects",
			policy: `{"Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b","Condition":{"Bool":{"aws:SecureTransport":"false"}}}}`,
		},
		{
			name:   "deny of reads only",
			policy: `{"Statement":{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}}`,
		},
		{
			name:   "allow with SecureTransport true is not a deny",
			policy: `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}}`,
		},
		{name: "unparsable policy", policy: `{"Statement": [`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AssessBucket(tt.enc, tt.policy)
			if got.DefaultSSEKMS != tt.wantKMS || got.DeniesInsecureTransport != tt.wantTLS {
				t.Errorf("got SSE-KMS=%v TLS=%v, want %v %v", got.DefaultSSEKMS, got.DeniesInsecureTransport, tt.wantKMS, tt.wantTLS)
			}
		})
	}
}

func TestBucketFromS3URI(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"s3://data-bucket/train/x.csv", "data-bucket", true},
		{"s3://data-bucket", "data-bucket", true},
		{"https://data-bucket.s3.amazonaws.com/x", "", false},
		{"s3://Upper/x", "", false},
		{"s3://", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if got, ok := BucketFromS3URI(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("BucketFromS3URI(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
