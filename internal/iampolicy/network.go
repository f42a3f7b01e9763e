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
	if err := checkExact(logGroupName); err != nil {
		return Document{}, at(err, "LogGroupName", -1)
	}
	if !logGroupNameRE.MatchString(logGroupName) {
		return Document{}, invalidSpec("LogGroupName", logGroupName,
			"log group names are 1-512 letters, digits and . - _ / #")
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
