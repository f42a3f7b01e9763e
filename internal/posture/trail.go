package posture

import (
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

// TrailObservation is what was read of a trail, its bucket and its log
// group. A nil pointer or empty value means the object or setting is not
// there (GetPublicAccessBlock answered NoSuchPublicAccessBlockConfiguration,
// the trail delivers to no log group, ...).
type TrailObservation struct {
	Trail     cttypes.Trail
	Status    *cloudtrail.GetTrailStatusOutput
	Selectors *cloudtrail.GetEventSelectorsOutput

	Ownership         *s3types.OwnershipControls
	PublicAccessBlock *s3types.PublicAccessBlockConfiguration
	BucketPolicy      string
	Versioning        s3types.BucketVersioningStatus

	LogGroup      *logstypes.LogGroup
	MetricFilters []logstypes.MetricFilter
	Alarms        []cwtypes.MetricAlarm
}

// AssessTrail derives the facts of SS-AUD-1..5 from what was read: one
// place for sagesafe_audit_trail's refresh and the preflight's report on an
// existing trail.
func AssessTrail(o TrailObservation) facts.TrailFact {
	t := o.Trail
	f := facts.TrailFact{
		Trail:             aws.ToString(t.Name),
		MultiRegion:       aws.ToBool(t.IsMultiRegionTrail),
		Logging:           o.Status != nil && aws.ToBool(o.Status.IsLogging),
		KMSKeyARN:         aws.ToString(t.KmsKeyId),
		LogFileValidation: aws.ToBool(t.LogFileValidationEnabled),
		Bucket:            aws.ToString(t.S3BucketName),
		BucketOwnerEnforced: o.Ownership != nil && slices.ContainsFunc(o.Ownership.Rules, func(r s3types.OwnershipControlsRule) bool {
			return r.ObjectOwnership == s3types.ObjectOwnershipBucketOwnerEnforced
		}),
		PublicAccessBlocked: publicAccessBlocked(o.PublicAccessBlock),
		TLSOnly:             AssessBucket(nil, o.BucketPolicy).DeniesInsecureTransport,
		Versioned:           o.Versioning == s3types.BucketVersioningStatusEnabled,
	}
	f.ManagementEvents, f.ExcludedSources = managementEvents(t, o.Selectors)
	if o.LogGroup != nil {
		f.LogGroup = aws.ToString(o.LogGroup.LogGroupName)
		f.LogGroupKMSKeyARN = aws.ToString(o.LogGroup.KmsKeyId)
		f.LogGroupRetentionDays = int64(aws.ToInt32(o.LogGroup.RetentionInDays))
	}
	for _, m := range o.MetricFilters {
		for _, tr := range m.MetricTransformations {
			f.MetricFilters = append(f.MetricFilters, facts.MetricFilterFact{
				Name: aws.ToString(m.FilterName), Pattern: aws.ToString(m.FilterPattern),
				Namespace: aws.ToString(tr.MetricNamespace), Metric: aws.ToString(tr.MetricName),
			})
		}
	}
	for _, a := range o.Alarms {
		f.Alarms = append(f.Alarms, facts.AlarmFact{
			Name: aws.ToString(a.AlarmName), Namespace: aws.ToString(a.Namespace), Metric: aws.ToString(a.MetricName),
			ActionsEnabled: aws.ToBool(a.ActionsEnabled), Actions: a.AlarmActions,
		})
	}
	return f
}

func publicAccessBlocked(c *s3types.PublicAccessBlockConfiguration) bool {
	return c != nil && aws.ToBool(c.BlockPublicAcls) && aws.ToBool(c.IgnorePublicAcls) &&
		aws.ToBool(c.BlockPublicPolicy) && aws.ToBool(c.RestrictPublicBuckets)
}

// managementEvents returns the read/write type of the management events the
// trail records ("All", "ReadOnly", "WriteOnly", "" for none) and the event
// sources it excludes. A trail without custom selectors records all
// management events; with selectors the broadest management selector
// counts. Advanced selectors are read for the eventCategory Management
// selector and its readOnly and eventSource fields.
func managementEvents(t cttypes.Trail, sel *cloudtrail.GetEventSelectorsOutput) (string, []string) {
	switch {
	case t.HasCustomEventSelectors != nil && !*t.HasCustomEventSelectors:
		// CloudTrail's default: every management event (GetEventSelectors
		// may answer with no selectors for such a trail).
		return string(cttypes.ReadWriteTypeAll), nil
	case sel == nil:
		return "", nil // not read: counts as none
	}
	best, excluded := "", []string(nil)
	for _, s := range sel.EventSelectors {
		if !aws.ToBool(s.IncludeManagementEvents) {
			continue
		}
		if best == "" || s.ReadWriteType == cttypes.ReadWriteTypeAll {
			best, excluded = string(s.ReadWriteType), s.ExcludeManagementEventSources
		}
	}
	for _, a := range sel.AdvancedEventSelectors {
		rw, ex, ok := advancedManagement(a)
		if ok && (best == "" || rw == string(cttypes.ReadWriteTypeAll)) {
			best, excluded = rw, ex
		}
	}
	return best, excluded
}

// advancedManagement reads an advanced selector of management events.
func advancedManagement(a cttypes.AdvancedEventSelector) (rw string, excluded []string, ok bool) {
	rw = string(cttypes.ReadWriteTypeAll)
	for _, f := range a.FieldSelectors {
		switch aws.ToString(f.Field) {
		case "eventCategory":
			ok = slices.Contains(f.Equals, "Management")
		case "readOnly":
			if slices.Contains(f.Equals, "true") {
				rw = string(cttypes.ReadWriteTypeReadOnly)
			} else if slices.Contains(f.Equals, "false") {
				rw = string(cttypes.ReadWriteTypeWriteOnly)
			}
		case "eventSource":
			excluded = append(excluded, f.NotEquals...)
			if len(f.Equals) > 0 {
				excluded = append(excluded, "every source but "+strings.Join(f.Equals, ", "))
			}
		}
	}
	return rw, excluded, ok
}
