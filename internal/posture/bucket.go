package posture

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

// AssessBucket derives a bucket's encryption and transport posture from
// GetBucketEncryption's output (nil when the bucket has no encryption
// configuration) and its bucket policy ("" when it has none). Name and
// Found are left for the caller.
//
// DefaultSSEKMS is true when a default-encryption rule uses aws:kms or
// aws:kms:dsse. DeniesInsecureTransport is true when a Deny statement for
// every principal covers s3:GetObject and s3:PutObject on the bucket's
// objects under Bool (or BoolIfExists) aws:SecureTransport = false. A policy
// that cannot be parsed denies nothing.
func AssessBucket(enc *s3.GetBucketEncryptionOutput, policyJSON string) facts.BucketFact {
	var fact facts.BucketFact
	if enc != nil && enc.ServerSideEncryptionConfiguration != nil {
		for _, rule := range enc.ServerSideEncryptionConfiguration.Rules {
			if d := rule.ApplyServerSideEncryptionByDefault; d != nil &&
				(d.SSEAlgorithm == s3types.ServerSideEncryptionAwsKms || d.SSEAlgorithm == s3types.ServerSideEncryptionAwsKmsDsse) {
				fact.DefaultSSEKMS = true
			}
		}
	}
	statements, err := ParsePolicyDocument(policyJSON)
	if err != nil {
		return fact
	}
	for _, st := range statements {
		if deniesInsecureTransport(st) {
			fact.DeniesInsecureTransport = true
		}
	}
	return fact
}

// deniesInsecureTransport reports whether st is the standard
// "deny aws:SecureTransport=false" statement, or something at least as
// strong.
func deniesInsecureTransport(st facts.PolicyStatement) bool {
	if !isDeny(st) || !appliesToEveryone(st) {
		return false
	}
	if !allowsAction(st, "s3:GetObject") || !allowsAction(st, "s3:PutObject") {
		return false
	}
	coversObjects := len(st.NotResources) > 0
	for _, r := range st.Resources {
		if r == "*" || strings.HasSuffix(r, "/*") {
			coversObjects = true
		}
	}
	if !coversObjects {
		return false
	}
	values, _ := conditionValues(st, "aws:SecureTransport", "Bool", "BoolIfExists")
	return containsFold(values, "false")
}

// appliesToEveryone reports whether a statement's principal is "*" or
// {"AWS": "*"}.
func appliesToEveryone(st facts.PolicyStatement) bool {
	for kind, values := range st.Principals {
		if (kind == "*" || strings.EqualFold(kind, "AWS")) && containsFold(values, "*") {
			return true
		}
	}
	return false
}

// BucketFromS3URI returns the bucket of an "s3://bucket/key" URI
// (facts.S3Bucket), provided it is a valid bucket name.
func BucketFromS3URI(uri string) (string, bool) {
	bucket, ok := facts.S3Bucket(uri)
	if !ok || !facts.ValidBucketName(bucket) {
		return "", false
	}
	return bucket, true
}
