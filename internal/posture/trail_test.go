package posture

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

const trailTLSOnlyPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*",` +
	`"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`

func TestAssessTrail(t *testing.T) {
	all := &cloudtrail.GetEventSelectorsOutput{EventSelectors: []cttypes.EventSelector{
		{IncludeManagementEvents: aws.Bool(true), ReadWriteType: cttypes.ReadWriteTypeAll},
	}}
	on := true
	o := TrailObservation{
		Trail: cttypes.Trail{Name: aws.String("t"), IsMultiRegionTrail: &on, LogFileValidationEnabled: &on,
			KmsKeyId: aws.String("k"), S3BucketName: aws.String("b")},
		Status:    &cloudtrail.GetTrailStatusOutput{IsLogging: &on},
		Selectors: all,
		Ownership: &s3types.OwnershipControls{Rules: []s3types.OwnershipControlsRule{{ObjectOwnership: s3types.ObjectOwnershipBucketOwnerEnforced}}},
		PublicAccessBlock: &s3types.PublicAccessBlockConfiguration{BlockPublicAcls: &on, IgnorePublicAcls: &on,
			BlockPublicPolicy: &on, RestrictPublicBuckets: &on},
		BucketPolicy: trailTLSOnlyPolicy,
		Versioning:   s3types.BucketVersioningStatusEnabled,
	}
	f := AssessTrail(o)
	if !f.MultiRegion || !f.Logging || f.ManagementEvents != "All" || !f.LogFileValidation || !f.BucketOwnerEnforced ||
		!f.PublicAccessBlocked || !f.TLSOnly || !f.Versioned || f.LogGroup != "" {
		t.Errorf("compliant trail assessed as %+v", f)
	}

	off := false
	o.Status.IsLogging = &off
	o.PublicAccessBlock.RestrictPublicBuckets = &off
	o.BucketPolicy = ""
	o.Versioning = s3types.BucketVersioningStatusSuspended
	o.Selectors = &cloudtrail.GetEventSelectorsOutput{EventSelectors: []cttypes.EventSelector{
		{IncludeManagementEvents: aws.Bool(true), ReadWriteType: cttypes.ReadWriteTypeWriteOnly,
			ExcludeManagementEventSources: []string{"kms.amazonaws.com"}},
	}}
	f = AssessTrail(o)
	if f.Logging || f.PublicAccessBlocked || f.TLSOnly || f.Versioned || f.ManagementEvents != "WriteOnly" ||
		len(f.ExcludedSources) != 1 {
		t.Errorf("weakened trail assessed as %+v", f)
	}

	// Advanced selectors: management events, read-only.
	o.Selectors = &cloudtrail.GetEventSelectorsOutput{AdvancedEventSelectors: []cttypes.AdvancedEventSelector{{
		FieldSelectors: []cttypes.AdvancedFieldSelector{
			{Field: aws.String("eventCategory"), Equals: []string{"Management"}},
			{Field: aws.String("readOnly"), Equals: []string{"true"}},
		},
	}}}
	if f = AssessTrail(o); f.ManagementEvents != "ReadOnly" {
		t.Errorf("advanced read-only selector assessed as %q", f.ManagementEvents)
	}
	// No custom selectors: every management event, whatever
	// GetEventSelectors answered.
	o.Trail.HasCustomEventSelectors = &off
	o.Selectors = &cloudtrail.GetEventSelectorsOutput{}
	if f = AssessTrail(o); f.ManagementEvents != "All" {
		t.Errorf("default selectors assessed as %q", f.ManagementEvents)
	}
}
