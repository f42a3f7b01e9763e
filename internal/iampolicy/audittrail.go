package iampolicy

import "regexp"

var (
	// trailNameRE: CloudTrail trail names are 3-128 letters, digits, periods,
	// underscores and dashes, starting and ending with a letter or digit.
	trailNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$`)
	// bucketNameRE: S3 general purpose bucket names (no dots, so virtual-host
	// TLS certificates match them).
	bucketNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`)
)

// TrailARN is the ARN of a trail in its home region.
func TrailARN(partition, region, accountID, trailName string) (string, error) {
	sc, err := newScope(partition, region, accountID)
	if err != nil {
		return "", err
	}
	if err := checkTrailName(trailName); err != nil {
		return "", err
	}
	return sc.arn("cloudtrail", "trail/"+trailName), nil
}

func checkTrailName(name string) error {
	if !trailNameRE.MatchString(name) {
		return invalidSpec("TrailName", name,
			"trail names are 3-128 letters, digits, . _ and -, starting and ending with a letter or digit")
	}
	return nil
}

// TrailBucketPolicy builds the policy of sagesafe_audit_trail's log bucket
// (AWS CloudTrail User Guide, "Amazon S3 bucket policy for CloudTrail"):
//
//   - DenyInsecureTransport: every request without TLS is denied
//     (aws:SecureTransport false), for every principal (SS-AUD-3, SS-TLS-2).
//   - CloudTrailAclCheck and CloudTrailWrite: cloudtrail.amazonaws.com may
//     read the bucket ACL and write objects under AWSLogs/<account>/, only
//     for this trail (aws:SourceArn equals its ARN), so another account's
//     trail cannot use the bucket (confused deputy). The object write keeps
//     AWS's s3:x-amz-acl bucket-owner-full-control condition, which
//     CloudTrail always sends and BucketOwnerEnforced accepts.
//
// No one else is granted anything: the account reads logs through IAM.
func TrailBucketPolicy(partition, region, accountID, bucket, trailName string) (Document, error) {
	sc, err := newScope(partition, region, accountID)
	if err != nil {
		return Document{}, err
	}
	if !bucketNameRE.MatchString(bucket) {
		return Document{}, invalidSpec("Bucket", bucket,
			"bucket names are 3-63 lowercase letters, digits and -, starting and ending with a letter or digit")
	}
	trail, err := TrailARN(partition, region, accountID, trailName)
	if err != nil {
		return Document{}, err
	}
	cloudtrail := Principal{"Service": {servicePrincipal("cloudtrail")}}
	fromTrail := Condition{"StringEquals": {"aws:SourceArn": {trail}}}
	return Document{Version: PolicyVersion, Statement: []Statement{
		{
			Sid:       "DenyInsecureTransport",
			Effect:    EffectDeny,
			Principal: Principal{"*": {"*"}},
			Action:    []string{"s3:*"},
			Resource:  []string{sc.s3ARN(bucket), sc.s3ARN(bucket + "/*")},
			Condition: Condition{"Bool": {"aws:SecureTransport": {"false"}}},
		},
		{
			Sid:       "CloudTrailAclCheck",
			Effect:    EffectAllow,
			Principal: cloudtrail,
			Action:    []string{"s3:GetBucketAcl"},
			Resource:  []string{sc.s3ARN(bucket)},
			Condition: fromTrail,
		},
		{
			Sid:       "CloudTrailWrite",
			Effect:    EffectAllow,
			Principal: cloudtrail,
			Action:    []string{"s3:PutObject"},
			Resource:  []string{sc.s3ARN(bucket + "/AWSLogs/" + sc.account + "/*")},
			Condition: Condition{"StringEquals": {
				"aws:SourceArn": {trail},
				"s3:x-amz-acl":  {"bucket-owner-full-control"},
			}},
		},
	}}, nil
}

// TrailLogsTrustPolicy builds the trust policy of the role CloudTrail uses
// to write to the trail's log group: only cloudtrail.amazonaws.com, only for
// this account (aws:SourceAccount) and only for this trail (aws:SourceArn).
func TrailLogsTrustPolicy(partition, region, accountID, trailName string) (Document, error) {
	sc, err := newScope(partition, region, accountID)
	if err != nil {
		return Document{}, err
	}
	trail, err := TrailARN(partition, region, accountID, trailName)
	if err != nil {
		return Document{}, err
	}
	return Document{Version: PolicyVersion, Statement: []Statement{
		serviceTrustStatement("CloudTrailAssumeRole", "cloudtrail", sc.account, trail),
	}}, nil
}

// TrailLogsPolicy builds that role's inline policy: create streams in and
// put events to one log group's streams (AWS CloudTrail User Guide, "Role
// policy document for CloudTrail to use CloudWatch Logs for monitoring").
// It cannot create or change log groups: sagesafe_audit_trail creates the
// group with its key and retention first.
func TrailLogsPolicy(partition, region, accountID, logGroupName string) (Document, error) {
	sc, err := newScope(partition, region, accountID)
	if err != nil {
		return Document{}, err
	}
	if err := checkLogGroupName(logGroupName); err != nil {
		return Document{}, err
	}
	return Document{Version: PolicyVersion, Statement: []Statement{{
		Sid:      "DeliverTrailEvents",
		Effect:   EffectAllow,
		Action:   []string{"logs:CreateLogStream", "logs:PutLogEvents"},
		Resource: []string{sc.arn("logs", "log-group:"+logGroupName+":log-stream:*")},
	}}}, nil
}

// cloudTrailKeyStatements let CloudTrail encrypt the log files of this
// account's trails in this region (AWS CloudTrail User Guide, "Configure
// AWS KMS key policies for CloudTrail"). AWS's example names one trail in
// aws:SourceArn; a sagesafe_kms_key is made before the trail and does not
// know its name, so the statements are scoped to this account's trails of
// this region instead (aws:SourceArn ArnLike …:trail/*, and the encryption
// context names a trail of this account). Decrypting the logs is left to
// IAM policies (EnableIAMPolicies), so no one reads them by the key
// policy alone.
func cloudTrailKeyStatements(sc scope) []Statement {
	cloudtrail := Principal{"Service": {servicePrincipal("cloudtrail")}}
	trails := sc.arn("cloudtrail", "trail/*")
	return []Statement{
		{
			Sid:       "AllowCloudTrailEncrypt",
			Effect:    EffectAllow,
			Principal: cloudtrail,
			Action:    []string{"kms:GenerateDataKey*"},
			Resource:  []string{"*"},
			Condition: Condition{
				"ArnLike":    {"aws:SourceArn": {trails}},
				"StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": {"arn:" + sc.partition + ":cloudtrail:*:" + sc.account + ":trail/*"}},
			},
		},
		{
			Sid:       "AllowCloudTrailDescribeKey",
			Effect:    EffectAllow,
			Principal: cloudtrail,
			Action:    []string{"kms:DescribeKey"},
			Resource:  []string{"*"},
			Condition: Condition{"ArnLike": {"aws:SourceArn": {trails}}},
		},
	}
}

// checkLogGroupName refuses a log group name with a wildcard or characters
// CloudWatch Logs does not allow, so a delivery role never reaches more than
// its one group.
func checkLogGroupName(name string) error {
	if err := checkExact(name); err != nil {
		return at(err, "LogGroupName", -1)
	}
	if !logGroupNameRE.MatchString(name) {
		return invalidSpec("LogGroupName", name, "log group names are 1-512 letters, digits and . - _ / #")
	}
	return nil
}
