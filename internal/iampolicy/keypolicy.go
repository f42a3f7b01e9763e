package iampolicy

// KeyPolicyMaxChars is the KMS key policy size limit (32 KB).
const KeyPolicyMaxChars = 32768

// KeySpec describes a sagesafe_kms_key's policy.
type KeySpec struct {
	Partition, Region, AccountID string
	// Administrators (IAM role or user ARNs) may manage the key but not use
	// it for cryptography or grants.
	Administrators []string
	// Users (IAM role or user ARNs, typically execution roles) may use the
	// key only through SageMaker and S3, and create grants only for AWS
	// resources.
	Users []string
	// AllowCloudWatchLogs lets CloudWatch Logs in this region encrypt log
	// groups of this account with the key. The resource's default is true;
	// the Go zero value is false.
	AllowCloudWatchLogs bool
	// AllowFlowLogsDelivery lets the key encrypt the CloudWatch Logs group
	// that sagesafe_network delivers VPC flow logs to.
	//
	// Flow logs reach that group through the delivery role (see
	// FlowLogsPolicy), which only calls logs:PutLogEvents; CloudWatch Logs
	// itself, as logs.<region>.amazonaws.com, does the encryption. So this
	// needs exactly the CloudWatch Logs statement, and setting it includes
	// that statement even when AllowCloudWatchLogs is false. The
	// delivery.logs.amazonaws.com principal is only needed for S3
	// destinations, which sagesafe never uses, so it is never granted.
	AllowFlowLogsDelivery bool
	// AllowCloudTrail lets CloudTrail encrypt the log files of this
	// account's trails in this region with the key (sagesafe_audit_trail;
	// see cloudTrailKeyStatements).
	AllowCloudTrail bool
}

var (
	// kmsAdminActions manage the key without using it: no cryptographic
	// operations and no kms:CreateGrant.
	kmsAdminActions = []string{
		"kms:CancelKeyDeletion", "kms:CreateAlias", "kms:DeleteAlias", "kms:DescribeKey",
		"kms:DisableKey", "kms:DisableKeyRotation", "kms:EnableKey", "kms:EnableKeyRotation",
		"kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListGrants", "kms:ListKeyPolicies",
		"kms:ListKeyRotations", "kms:ListResourceTags", "kms:PutKeyPolicy", "kms:RevokeGrant",
		"kms:RotateKeyOnDemand", "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource",
		"kms:UpdateAlias", "kms:UpdateKeyDescription",
	}

	// kmsLogsActions are what CloudWatch Logs needs for an encrypted log
	// group: the documented Encrypt*, Decrypt*, ReEncrypt*, GenerateDataKey*
	// and Describe*, spelled out (no key pairs: Logs uses symmetric keys).
	kmsLogsActions = []string{
		"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey",
		"kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo",
	}
)

// KeyPolicy builds the policy of a sagesafe-managed KMS key. Its statements:
//
//   - EnableIAMPolicies: the account root may do anything with the key, so
//     the account administers it through IAM and the key can never become
//     unmanageable (AWS's default key policy statement).
//   - AllowKeyAdministration (when Administrators is set): management only;
//     no cryptographic operations and no kms:CreateGrant, so administrators
//     cannot use the key or give themselves use of it (they can still edit
//     the key policy; sagesafe reports that as drift).
//   - AllowUseViaSageMakerAndS3 and AllowGrantsForAWSResources (when Users is
//     set): see the execution role's KMS statements.
//   - AllowCloudWatchLogs (AllowCloudWatchLogs or AllowFlowLogsDelivery):
//     logs.<region>.amazonaws.com, only for log groups of this account and
//     region (kms:EncryptionContext:aws:logs:arn).
//   - AllowCloudTrailEncrypt and AllowCloudTrailDescribeKey (AllowCloudTrail):
//     cloudtrail.amazonaws.com, only for trails of this account and region.
//
// There is deliberately no statement for the sagemaker.amazonaws.com service
// principal: SageMaker uses a key with the credentials of the execution role
// (or the caller) through kms:ViaService, and attaches ML storage volumes
// through grants the role creates with kms:GrantIsForAWSResource. Granting
// the service principal directly would let any account's SageMaker use the
// key (a confused deputy) and is not needed.
//
// A "*" principal, a wildcard, a non-IAM principal, the account root, a
// principal in another partition, and a principal that is both
// administrator and user (separation of duties) are refused.
func KeyPolicy(spec KeySpec) (Document, error) {
	sc, err := newScope(spec.Partition, spec.Region, spec.AccountID)
	if err != nil {
		return Document{}, err
	}
	if err := eachAt("Administrators", spec.Administrators, sc.checkPrincipalARN); err != nil {
		return Document{}, err
	}
	if err := eachAt("Users", spec.Users, sc.checkPrincipalARN); err != nil {
		return Document{}, err
	}
	admins := make(map[string]bool, len(spec.Administrators))
	for _, a := range spec.Administrators {
		admins[a] = true
	}
	for i, u := range spec.Users {
		if admins[u] {
			return Document{}, at(newError(ErrInvalidPrincipal, "", u,
				"a principal may administer the key or use it, not both"), "Users", i)
		}
	}

	stmts := []Statement{{
		Sid:       "EnableIAMPolicies",
		Effect:    EffectAllow,
		Principal: Principal{"AWS": {sc.rootARN()}},
		Action:    []string{"kms:*"},
		Resource:  []string{"*"},
	}}
	if len(spec.Administrators) > 0 {
		stmts = append(stmts, Statement{
			Sid:       "AllowKeyAdministration",
			Effect:    EffectAllow,
			Principal: Principal{"AWS": spec.Administrators},
			Action:    kmsAdminActions,
			Resource:  []string{"*"},
		})
	}
	if len(spec.Users) > 0 {
		users := Principal{"AWS": spec.Users}
		stmts = append(stmts,
			kmsUseStatement(sc, users, []string{"*"}),
			kmsGrantStatement(sc, users, []string{"*"}))
	}
	if spec.AllowCloudWatchLogs || spec.AllowFlowLogsDelivery {
		stmts = append(stmts, Statement{
			Sid:       "AllowCloudWatchLogs",
			Effect:    EffectAllow,
			Principal: Principal{"Service": {sc.regionalHost("logs")}},
			Action:    kmsLogsActions,
			Resource:  []string{"*"},
			Condition: Condition{"ArnLike": {"kms:EncryptionContext:aws:logs:arn": {sc.arn("logs", "*")}}},
		})
	}
	if spec.AllowCloudTrail {
		stmts = append(stmts, cloudTrailKeyStatements(sc)...)
	}
	doc := Document{Version: PolicyVersion, Statement: stmts}
	if err := checkSize(doc, KeyPolicyMaxChars, "key policy"); err != nil {
		return Document{}, err
	}
	return doc, nil
}
