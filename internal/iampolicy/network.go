package iampolicy

// FlowLogsTrustPolicy builds the trust policy of sagesafe_network's VPC flow
// logs delivery role: only vpc-flow-logs.amazonaws.com may assume it, only
// for this account (aws:SourceAccount) and only for flow logs in this account
// and region (aws:SourceArn arn:<partition>:ec2:<region>:<account>:vpc-flow-log/*).
func FlowLogsTrustPolicy(partition, region, accountID string) (Document, error) {
	sc, err := newScope(partition, region, accountID)
	if err != nil {
		return Document{}, err
	}
	return Document{Version: PolicyVersion, Statement: []Statement{
		serviceTrustStatement("VPCFlowLogsAssumeRole", "vpc-flow-logs", sc.account, sc.arn("ec2", "vpc-flow-log/*")),
	}}, nil
}

// FlowLogsPolicy builds the delivery role's inline policy: write flow-log
// streams to exactly one log group (arn ...:log-group:<name> and
// ...:log-group:<name>:*). It cannot create log groups: sagesafe_network
// creates the group with its CMK and retention first.
//
// logs:DescribeLogGroups is a list call that is not made on one group, so it
// is granted on the log groups of this account and region
// (log-group:*); it reveals group names only.
func FlowLogsPolicy(partition, region, accountID, logGroupName string) (Document, error) {
	sc, err := newScope(partition, region, accountID)
	if err != nil {
		return Document{}, err
	}
	if err := checkLogGroupName(logGroupName); err != nil {
		return Document{}, err
	}
	group := sc.arn("logs", "log-group:"+logGroupName)
	return Document{Version: PolicyVersion, Statement: []Statement{
		{
			Sid:      "DeliverFlowLogs",
			Effect:   EffectAllow,
			Action:   []string{"logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"},
			Resource: []string{group, group + ":*"},
		},
		{
			Sid:      "DescribeLogGroups",
			Effect:   EffectAllow,
			Action:   []string{"logs:DescribeLogGroups"},
			Resource: []string{sc.arn("logs", "log-group:*")},
		},
	}}, nil
}

// S3GatewayEndpointPolicy builds the policy of sagesafe_network's S3 gateway
// endpoint. AWS's default endpoint policy allows every action on every
// bucket of every account, so a workload in the VPC (or code in it) could
// write data to any account's bucket or read anyone's. This policy allows,
// for every principal in the VPC (it bounds them; it grants nothing):
//
//   - BucketsOfThisAccount: every S3 action on buckets owned by this account
//     (aws:ResourceAccount), the only buckets SS-DATA-2 lets a workload use.
//   - ECRImageLayers: s3:GetObject on arn:<partition>:s3:::prod-<region>-starport-layer-bucket/*,
//     the AWS-owned bucket ECR serves image layers from (Amazon ECR User
//     Guide, "Minimum Amazon S3 bucket permissions for Amazon ECR"), which a
//     pull through the VPC needs (private-registry access,
//     RepositoryAccessMode=Vpc, or code pulling images).
//
// Nothing else. The Amazon Linux package repositories
// (packages.<region>.amazonaws.com, repo.<region>.amazonaws.com buckets),
// which SageMaker's VPC guides show denying in a custom endpoint policy,
// are therefore not reachable, nor are public sample or model buckets of
// AWS (SageMaker JumpStart and the like): copy such inputs into a bucket of
// this account. SageMaker's own control plane does not go through the
// endpoint.
func S3GatewayEndpointPolicy(partition, region, accountID string) (Document, error) {
	sc, err := newScope(partition, region, accountID)
	if err != nil {
		return Document{}, err
	}
	everyone := Principal{"*": {"*"}}
	return Document{Version: PolicyVersion, Statement: []Statement{
		{
			Sid:       "BucketsOfThisAccount",
			Effect:    EffectAllow,
			Principal: everyone,
			Action:    []string{"s3:*"},
			Resource:  []string{"*"},
			Condition: Condition{"StringEquals": {"aws:ResourceAccount": {sc.account}}},
		},
		{
			Sid:       "ECRImageLayers",
			Effect:    EffectAllow,
			Principal: everyone,
			Action:    []string{"s3:GetObject"},
			Resource:  []string{sc.s3ARN("prod-" + sc.region + "-starport-layer-bucket/*")},
		},
	}}, nil
}
