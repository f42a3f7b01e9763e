package iampolicy

import (
	"errors"
	"strings"
	"testing"
)

const (
	testTrail       = "ml-audit"
	testTrailBucket = "ml-audit-logs-111122223333"
	testTrailGroup  = "/sagesafe/ml-audit/trail"
	testTrailARN    = "arn:aws:cloudtrail:us-east-1:111122223333:trail/ml-audit"
)

func TestAuditTrailGolden(t *testing.T) {
	for name, build := range map[string]func() (Document, error){
		"trail_bucket_policy": func() (Document, error) {
			return TrailBucketPolicy(testPartition, testRegion, testAccount, testTrailBucket, testTrail)
		},
		"trail_logs_trust": func() (Document, error) {
			return TrailLogsTrustPolicy(testPartition, testRegion, testAccount, testTrail)
		},
		"trail_logs_policy": func() (Document, error) {
			return TrailLogsPolicy(testPartition, testRegion, testAccount, testTrailGroup)
		},
	} {
		t.Run(name, func(t *testing.T) {
			d, err := build()
			if err != nil {
				t.Fatal(err)
			}
			if name != "trail_bucket_policy" { // its Deny names every principal, "*"
				assertWellFormed(t, d)
			}
			assertGolden(t, name, d)
		})
	}
}

// The bucket admits CloudTrail only for this trail, and nothing without TLS.
func TestTrailBucketPolicyScope(t *testing.T) {
	d, err := TrailBucketPolicy(testPartition, testRegion, testAccount, testTrailBucket, testTrail)
	if err != nil {
		t.Fatal(err)
	}
	deny := stmt(t, d, "DenyInsecureTransport")
	assertSame(t, "deny effect", []string{deny.Effect}, []string{EffectDeny})
	assertSame(t, "secure transport", deny.Condition["Bool"]["aws:SecureTransport"], []string{"false"})
	assertSame(t, "deny resources", deny.Resource, []string{"arn:aws:s3:::" + testTrailBucket, "arn:aws:s3:::" + testTrailBucket + "/*"})
	for _, sid := range []string{"CloudTrailAclCheck", "CloudTrailWrite"} {
		s := stmt(t, d, sid)
		assertSame(t, sid+" principal", s.Principal["Service"], []string{"cloudtrail.amazonaws.com"})
		assertSame(t, sid+" source", s.Condition["StringEquals"]["aws:SourceArn"], []string{testTrailARN})
	}
	for _, st := range d.Statement {
		if st.Effect == EffectAllow && st.Principal["*"] != nil {
			t.Errorf("%s allows every principal", st.Sid)
		}
	}
	assertSame(t, "write resource", stmt(t, d, "CloudTrailWrite").Resource,
		[]string{"arn:aws:s3:::" + testTrailBucket + "/AWSLogs/111122223333/*"})
}

func TestTrailLogsRoleScope(t *testing.T) {
	trust, err := TrailLogsTrustPolicy(testPartition, testRegion, testAccount, testTrail)
	if err != nil {
		t.Fatal(err)
	}
	s := stmt(t, trust, "CloudTrailAssumeRole")
	assertSame(t, "principal", s.Principal["Service"], []string{"cloudtrail.amazonaws.com"})
	assertSame(t, "source account", s.Condition["StringEquals"]["aws:SourceAccount"], []string{testAccount})
	assertSame(t, "source arn", s.Condition["ArnLike"]["aws:SourceArn"], []string{testTrailARN})
	policy, err := TrailLogsPolicy(testPartition, testRegion, testAccount, testTrailGroup)
	if err != nil {
		t.Fatal(err)
	}
	if j := policy.JSON(); strings.Contains(j, "CreateLogGroup") || strings.Contains(j, `"*"`) || len(policy.Statement) != 1 {
		t.Errorf("policy too broad: %s", j)
	}
}

func TestAuditTrailRefusals(t *testing.T) {
	for _, tc := range []struct {
		name  string
		build func() error
		field string
	}{
		{"bucket with dots", func() error {
			_, err := TrailBucketPolicy(testPartition, testRegion, testAccount, "logs.example", testTrail)
			return err
		}, "Bucket"},
		{"wildcard trail", func() error {
			_, err := TrailLogsTrustPolicy(testPartition, testRegion, testAccount, "ml-*")
			return err
		}, "TrailName"},
		{"wildcard log group", func() error {
			_, err := TrailLogsPolicy(testPartition, testRegion, testAccount, "/sagesafe/*")
			return err
		}, "LogGroupName"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e *Error
			if err := tc.build(); !errors.As(err, &e) || e.Field != tc.field {
				t.Errorf("got %v, want an error on %s", err, tc.field)
			}
		})
	}
}

func TestKeyPolicyCloudTrail(t *testing.T) {
	spec := keySpec()
	spec.AllowCloudTrail = true
	d, err := KeyPolicy(spec)
	if err != nil {
		t.Fatal(err)
	}
	enc := stmt(t, d, "AllowCloudTrailEncrypt")
	assertSame(t, "principal", enc.Principal["Service"], []string{"cloudtrail.amazonaws.com"})
	assertSame(t, "source", enc.Condition["ArnLike"]["aws:SourceArn"], []string{"arn:aws:cloudtrail:us-east-1:111122223333:trail/*"})
	assertSame(t, "context", enc.Condition["StringLike"]["kms:EncryptionContext:aws:cloudtrail:arn"], []string{"arn:aws:cloudtrail:*:111122223333:trail/*"})
	spec.AllowCloudTrail = false
	if d, _ := KeyPolicy(spec); strings.Contains(d.JSON(), "cloudtrail") {
		t.Errorf("CloudTrail granted without AllowCloudTrail: %s", d.JSON())
	}
}
