package facts

// What was observed of a CloudTrail trail, its bucket and its log group
// (posture.AssessTrail), for controls SS-AUD-1..5.

// MetricFilterFact is a metric filter observed on the trail's log group.
type MetricFilterFact struct {
	Name      string
	Pattern   string
	Namespace string
	Metric    string
}

// AlarmFact is an alarm observed on a metric of the trail's log group.
type AlarmFact struct {
	Name           string
	Namespace      string
	Metric         string
	ActionsEnabled bool
	Actions        []string
}

// TrailFact is what was observed of a live trail, its bucket and its
// log group (posture of sagesafe_audit_trail, or of an existing trail the
// preflight is asked about).
type TrailFact struct {
	Trail string // the trail's name, for messages

	// SS-AUD-1 (guardrail.checkTrailRecording)
	MultiRegion bool
	Logging     bool
	// ManagementEvents is the read/write type of the management events the
	// trail records ("All", "ReadOnly", "WriteOnly"), "" when none.
	ManagementEvents string
	ExcludedSources  []string // ExcludeManagementEventSources

	// SS-AUD-2
	KMSKeyARN         string
	LogFileValidation bool

	// SS-AUD-3
	Bucket              string
	BucketOwnerEnforced bool
	PublicAccessBlocked bool // all four settings of the bucket's block
	TLSOnly             bool // the bucket policy denies aws:SecureTransport false
	Versioned           bool

	// SS-AUD-4
	LogGroup              string // "" when the trail delivers to no log group
	LogGroupKMSKeyARN     string
	LogGroupRetentionDays int64 // 0 = never expire

	// SS-AUD-5
	MetricFilters []MetricFilterFact
	Alarms        []AlarmFact
}
