package iampolicy

// SchedulerRoleSpec describes the role EventBridge Scheduler assumes to
// start a sagesafe_model_monitor's runs (its scheduled_processing_job
// engine): the schedule it serves, the name prefix of the runs, the
// execution role each run is given, and the settings every run must carry.
type SchedulerRoleSpec struct {
	Partition, Region, AccountID string
	// ScheduleName is the schedule (in the default group) that may assume
	// the role.
	ScheduleName string
	// JobNamePrefix is the start of every run's processing-job name
	// ("<monitor name>-").
	JobNamePrefix string
	// ExecutionRoleARN is the only role the schedule may pass, and only to
	// SageMaker.
	ExecutionRoleARN string
	// SubnetIDs, SecurityGroupIDs, KMSKeyARN and InstanceType are what
	// every run must use.
	SubnetIDs, SecurityGroupIDs []string
	KMSKeyARN                   string
	InstanceType                string
	// LocalStorage: the instance type has NVMe instance storage, where
	// SageMaker refuses a volume key; a run then names none (any it names
	// must still be KMSKeyARN).
	LocalStorage bool
}

// SchedulerPolicyName is the name of the scheduler role's one inline policy.
const SchedulerPolicyName = "sagesafe-monitor-scheduler"

// SchedulerTrustPolicy lets only EventBridge Scheduler assume the role, only
// for this account (aws:SourceAccount) and only for the one schedule
// (aws:SourceArn arn:<partition>:scheduler:<region>:<account>:schedule/default/<name>),
// the confused-deputy conditions the Scheduler guide recommends.
func SchedulerTrustPolicy(spec SchedulerRoleSpec) (Document, error) {
	sc, err := spec.scope()
	if err != nil {
		return Document{}, err
	}
	return Document{Version: PolicyVersion, Statement: []Statement{
		serviceTrustStatement("SchedulerAssumeRole", "scheduler", sc.account, sc.arn("scheduler", "schedule/default/"+spec.ScheduleName)),
	}}, nil
}

// SchedulerPolicy is the scheduler role's one inline policy: it may start
// processing jobs named after the monitor, only with the monitor's
// settings, tag them, and pass the execution role to SageMaker. Nothing
// else.
//
//   - StartMonitoringRuns and StartMonitoringRunsDeprecatedKeys:
//     sagemaker:CreateProcessingJob on processing-job/<prefix>*, only with
//     network isolation and inter-container encryption on (Bool, and Null
//     false so that a request without them is not allowed), only in the
//     given subnets and security groups and on the given instance type
//     (ForAllValues:StringEquals, Null false), and only with the given key
//     on the output and (unless the type has local storage) the volume:
//     ArnEquals, which a request without the key fails. A request names the
//     keys in the current (...KmsKeyArn) or the deprecated (...KmsKey)
//     form, and IAM cannot say "either" in one statement, so there are two.
//     If the schedule's target is edited to start something else, SageMaker
//     refuses the run: the target input is not the only guard.
//   - TagMonitoringRuns: sagemaker:AddTags on the same jobs (a create with
//     Tags needs it).
//   - PassExecutionRole: iam:PassRole on the execution role only, only to
//     sagemaker.amazonaws.com.
func SchedulerPolicy(spec SchedulerRoleSpec) (Document, error) {
	sc, err := spec.scope()
	if err != nil {
		return Document{}, err
	}
	runs := []string{sc.arn("sagemaker", "processing-job/"+spec.JobNamePrefix+"*")}
	start := func(sid, volume, output string) Statement {
		keys := map[string][]string{output: {spec.KMSKeyARN}}
		if !spec.LocalStorage {
			keys[volume] = []string{spec.KMSKeyARN}
		}
		c := Condition{
			"Bool": {
				"sagemaker:NetworkIsolation":                {"true"},
				"sagemaker:InterContainerTrafficEncryption": {"true"},
			},
			"Null": {
				"sagemaker:NetworkIsolation":                {"false"},
				"sagemaker:InterContainerTrafficEncryption": {"false"},
				"sagemaker:VpcSubnets":                      {"false"},
				"sagemaker:VpcSecurityGroupIds":             {"false"},
				"sagemaker:InstanceTypes":                   {"false"},
			},
			"ForAllValues:StringEquals": {
				"sagemaker:VpcSubnets":          spec.SubnetIDs,
				"sagemaker:VpcSecurityGroupIds": spec.SecurityGroupIDs,
				"sagemaker:InstanceTypes":       {spec.InstanceType},
			},
			"ArnEquals": keys,
		}
		if spec.LocalStorage {
			c["ArnEqualsIfExists"] = map[string][]string{volume: {spec.KMSKeyARN}}
		}
		return Statement{Sid: sid, Effect: EffectAllow, Action: []string{"sagemaker:CreateProcessingJob"}, Resource: runs, Condition: c}
	}
	pass := passRoleStatement([]string{spec.ExecutionRoleARN})
	pass.Sid = "PassExecutionRole"
	doc := Document{Version: PolicyVersion, Statement: []Statement{
		start("StartMonitoringRuns", "sagemaker:VolumeKmsKeyArn", "sagemaker:OutputKmsKeyArn"),
		start("StartMonitoringRunsDeprecatedKeys", "sagemaker:VolumeKmsKey", "sagemaker:OutputKmsKey"),
		{Sid: "TagMonitoringRuns", Effect: EffectAllow, Action: []string{"sagemaker:AddTags"}, Resource: runs},
		pass,
	}}
	return doc, nil
}

func (spec SchedulerRoleSpec) scope() (scope, error) {
	sc, err := newScope(spec.Partition, spec.Region, spec.AccountID)
	if err != nil {
		return scope{}, err
	}
	for _, f := range []struct{ name, value string }{
		{"ScheduleName", spec.ScheduleName}, {"JobNamePrefix", spec.JobNamePrefix},
		{"ExecutionRoleARN", spec.ExecutionRoleARN}, {"KMSKeyARN", spec.KMSKeyARN}, {"InstanceType", spec.InstanceType},
	} {
		if f.value == "" {
			return scope{}, invalidSpec(f.name, "", f.name+" is required")
		}
		if err := checkExact(f.value); err != nil {
			return scope{}, err
		}
	}
	if len(spec.SubnetIDs) == 0 || len(spec.SecurityGroupIDs) == 0 {
		return scope{}, invalidSpec("SubnetIDs", "", "every run is in the monitor's subnets and security groups: both are required")
	}
	return sc, nil
}
