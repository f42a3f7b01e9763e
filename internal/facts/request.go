package facts

// Request lists the objects to look up. Duplicates are looked up once.
type Request struct {
	SubnetIDs        []string
	SecurityGroupIDs []string
	KeyRefs          []string // key ID, key ARN, alias name or alias ARN
	RoleARNs         []string
	InstanceTypes    []string // SageMaker types ("ml.g5.xlarge")
	Buckets          []string // bucket names
	LogGroups        []string // log group names
	Policies         []string // managed policy ARNs (a permissions boundary)
	Topics           []string // SNS topic ARNs of this account and region (alarm actions)
}
