package iampolicy

// Statements shared by several documents, so that, for example, the key
// policy and the execution role can never disagree about how a key is used.

// kmsUseActions cover S3 SSE-KMS reads and writes (Decrypt,
// GenerateDataKey), Encrypt for output and core dumps, and DescribeKey,
// which SageMaker calls to validate a key.
var kmsUseActions = []string{"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"}

// kmsUseStatement lets principal (nil in an identity policy) encrypt and
// decrypt with the keys only when the request comes through SageMaker or S3
// in this region.
func kmsUseStatement(sc scope, principal Principal, keys []string) Statement {
	return Statement{
		Sid:       "AllowUseViaSageMakerAndS3",
		Effect:    EffectAllow,
		Principal: principal,
		Action:    kmsUseActions,
		Resource:  keys,
		Condition: Condition{"StringEquals": {"kms:ViaService": {
			sc.regionalHost("sagemaker"), sc.regionalHost("s3"),
		}}},
	}
}

// kmsGrantStatement lets principal create grants only for AWS resources
// (the ML storage volumes SageMaker attaches) and only through SageMaker.
func kmsGrantStatement(sc scope, principal Principal, keys []string) Statement {
	return Statement{
		Sid:       "AllowGrantsForAWSResources",
		Effect:    EffectAllow,
		Principal: principal,
		Action:    []string{"kms:CreateGrant"},
		Resource:  keys,
		Condition: Condition{
			"Bool":         {"kms:GrantIsForAWSResource": {"true"}},
			"StringEquals": {"kms:ViaService": {sc.regionalHost("sagemaker")}},
		},
	}
}

// serviceTrustStatement lets one AWS service assume a role, only on behalf
// of this account (aws:SourceAccount) and only for sourceARN (aws:SourceArn),
// which prevents the confused-deputy problem.
func serviceTrustStatement(sid, service, account, sourceARN string) Statement {
	return Statement{
		Sid:       sid,
		Effect:    EffectAllow,
		Principal: Principal{"Service": {servicePrincipal(service)}},
		Action:    []string{"sts:AssumeRole"},
		Condition: Condition{
			"StringEquals": {"aws:SourceAccount": {account}},
			"ArnLike":      {"aws:SourceArn": {sourceARN}},
		},
	}
}
