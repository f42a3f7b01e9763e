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
	// SubnetIDs, SecurityGroupIDs and KMSKeyARN are what every run must use.
	SubnetIDs, SecurityGroupIDs []string
	KMSKeyARN                   string
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
//   - StartMonitoringRuns: sagemaker:CreateProcessingJob on
//     processing-job/<prefix>*, only with network isolation and
//     inter-container encryption on (Bool, and Null false so that a
//     request without them is not allowed), only in the given subnets and
//     security groups (ForAllValues:StringEquals, Null false), and with the
//     given key where a request names one (ArnEqualsIfExists on both the
//     deprecated ...KmsKey and the current ...KmsKeyArn forms). If the
//     schedule's target is edited to start something else, SageMaker
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
	start := Statement{
		Sid:      "StartMonitoringRuns",
		Effect:   EffectAllow,
		Action:   []string{"sagemaker:CreateProcessingJob"},
		Resource: runs,
		Condition: Condition{
			"Bool": {
				"sagemaker:NetworkIsolation":                {"true"},
				"sagemaker:InterContainerTrafficEncryption": {"true"},
			},
			"Null": {
				"sagemaker:NetworkIsolation":                {"false"},
				"sagemaker:InterContainerTrafficEncryption": {"false"},
				"sagemaker:VpcSubnets":                      {"false"},
				"sagemaker:VpcSecurityGroupIds":             {"false"},
			},
			"ForAllValues:StringEquals": {
				"sagemaker:VpcSubnets":          spec.SubnetIDs,
				"sagemaker:VpcSecurityGroupIds": spec.SecurityGroupIDs,
			},
			"ArnEqualsIfExists": {
				"sagemaker:VolumeKmsKey":    {spec.KMSKeyARN},
				"sagemaker:VolumeKmsKeyArn": {spec.KMSKeyARN},
				"sagemaker:OutputKmsKey":    {spec.KMSKeyARN},
				"sagemaker:OutputKmsKeyArn": {spec.KMSKeyARN},
			},
		},
	}
	pass := passRoleStatement([]string{spec.ExecutionRoleARN})
	pass.Sid = "PassExecutionRole"
	doc := Document{Version: PolicyVersion, Statement: []Statement{
		start,
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
		{"ExecutionRoleARN", spec.ExecutionRoleARN}, {"KMSKeyARN", spec.KMSKeyARN},
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
