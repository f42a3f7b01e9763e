package guardrail

import "slices"

// Control is one guardrail: what must hold, why, how to fix it, and where the
// rule comes from. Catalog holds every control; checks.go holds one check each.
type Control struct {
	ID    string // "SS-NET-2"
	Title string // short name, for tables
	// Rule states precisely what the check enforces.
	Rule string
	// Severity of the control's findings. WarningWhen, when set, names the
	// cases in which a finding is only a warning.
	Severity    Severity
	WarningWhen string
	// TunableBy is the guardrails setting that tunes the control, or "".
	TunableBy string
	// Forced is true when sagesafe always sets the value and no attribute can
	// turn it off; a finding then means the live object was changed outside it.
	Forced     bool
	AppliesTo  []Kind
	Rationale  string // why the rule matters
	Fix        string // what to do, naming the sagesafe attribute or resource
	References []string
}

// Applies reports whether the control is evaluated for objects of kind k.
func (c Control) Applies(k Kind) bool { return slices.Contains(c.AppliesTo, k) }

// Kinds that most controls share.
var (
	workloads    = []Kind{KindTrainingJob, KindProcessingJob, KindEndpoint, KindModelMonitor}
	networkKinds = []Kind{KindTrainingJob, KindProcessingJob, KindEndpoint, KindPreflight, KindNetwork, KindModelMonitor}
	dataKinds    = []Kind{KindTrainingJob, KindProcessingJob, KindEndpoint, KindPreflight, KindModelMonitor}
	keyKinds     = []Kind{KindTrainingJob, KindProcessingJob, KindEndpoint, KindNetwork, KindPreflight, KindKMSKey, KindModelMonitor}
	roleKinds    = []Kind{KindTrainingJob, KindProcessingJob, KindEndpoint, KindPreflight, KindExecutionRole, KindModelMonitor}
	logKinds     = []Kind{KindTrainingJob, KindProcessingJob, KindEndpoint, KindNetwork, KindModelMonitor}
	taggedKinds  = []Kind{KindTrainingJob, KindProcessingJob, KindEndpoint, KindNetwork, KindKMSKey, KindExecutionRole, KindPersonaRole, KindBudget, KindPreflight}
	// jobKinds are the SageMaker jobs sagesafe starts (a model monitor
	// starts one per schedule period).
	jobKinds   = []Kind{KindTrainingJob, KindProcessingJob, KindModelMonitor}
	auditKinds = []Kind{KindAuditTrail, KindPreflight}
)

// Catalog is every control sagesafe enforces, in documentation order.
var Catalog = []Control{
	{
		ID:        "SS-NET-1",
		Title:     "Workload runs in a VPC",
		Rule:      "A training job, processing job or endpoint names at least one subnet and at least one security group, so SageMaker attaches its instances to your VPC, and all of its subnets and security groups are in one VPC.",
		Severity:  SeverityError,
		AppliesTo: []Kind{KindTrainingJob, KindProcessingJob, KindEndpoint, KindPreflight, KindModelMonitor},
		Rationale: "Without a VPC configuration SageMaker runs the containers in a network it manages, where your route tables, security groups, VPC endpoints and flow logs do not apply, so none of the other network controls can hold.",
		Fix:       "Set subnet_ids and security_group_ids, for example to the private subnets and security group of a sagesafe_network, and take them all from one VPC.",
		References: []string{
			"AWS Config sagemaker-model-in-vpc",
			"Prowler sagemaker_training_jobs_vpc_settings_configured",
		},
	},
	{
		ID:        "SS-NET-2",
		Title:     "Subnets are private",
		Rule:      "Every subnet's route table (its explicit association, else the VPC's main route table) sends no default route (0.0.0.0/0 or ::/0) anywhere but local (not to a NAT, egress-only or internet gateway, transit gateway, peering connection, virtual private gateway or network interface), has no route to an internet gateway (igw-), and sends no range that holds a public address, and no prefix list, to an egress-only internet (eigw-), NAT (nat-) or carrier (cagw-) gateway; routes outside the VPC that together cover every address (a default route written in pieces, such as 0.0.0.0/1 and 128.0.0.0/1 to a transit gateway) count as a default route; a prefix list routed to a gateway VPC endpoint (pl- to vpce-) is fine. The subnet does not assign public IPv4 addresses on launch (MapPublicIpOnLaunch is false). Public means outside RFC 1918, 100.64.0.0/10, link-local, loopback and the IPv6 fc00::/7 and fe80::/10 ranges.",
		Severity:  SeverityError,
		AppliesTo: networkKinds,
		Rationale: "A route to an internet gateway or a public address on the network interface makes training containers and model servers reachable from the internet. A default route to a NAT or egress-only gateway, a transit gateway, a peering connection or a VPN lets them send data to any address outside the VPC, which is how a compromised container exfiltrates data; splitting the internet into pieces (0.0.0.0/1 and 128.0.0.0/1) does the same.",
		Fix:       "Remove the route the error names: keep only the local route and gateway endpoint (pl- to vpce-) routes, and reach AWS services through VPC endpoints; turn MapPublicIpOnLaunch off. sagesafe_network creates such subnets. A subnet without an explicit route table association uses the VPC's main route table, so check that one too.",
		References: []string{
			"Security Hub EC2.15",
			"checkov CKV_AWS_130",
			"Amazon VPC User Guide: public and private subnets",
		},
	},
	{
		ID:          "SS-NET-3",
		Title:       "Security groups are closed to the internet",
		Rule:        "No security group allows ingress from a CIDR that holds a public address (anything outside RFC 1918, 100.64.0.0/10, 169.254.0.0/16, loopback, and the IPv6 fc00::/7 and fe80::/10 ranges: 0.0.0.0/1, 8.8.8.0/24 and ::/0 alike) or from a managed prefix list that holds one (its entries are read with GetManagedPrefixListEntries; one that cannot be read counts as public); rules that reference security groups are fine. No outbound rule allows traffic to such a CIDR or prefix list, except to a prefix list every subnet routes to a gateway VPC endpoint (the S3 prefix list of sagesafe_network): an error for the security groups sagesafe_network creates, a warning for the groups a workload or preflight is given.",
		Severity:    SeverityError,
		WarningWhen: "the finding is egress to public addresses from a security group sagesafe did not create",
		AppliesTo:   networkKinds,
		Rationale:   "SageMaker instances need no inbound connections from the internet, so an ingress rule from public addresses, however it is split up, only widens the attack surface of the interfaces SageMaker places in your subnets. Egress to public addresses lets a compromised container send data to any address the routes reach.",
		Fix:         "Remove the ingress and egress rules the finding names. Allow traffic between members of the workload's own security group (distributed training needs it), HTTPS to your interface endpoints' security group, and HTTPS to the S3 prefix list routed to a gateway endpoint; the security group of sagesafe_network is built this way.",
		References: []string{
			"cdk-nag AwsSolutions-EC23",
			"trivy AWS-0104",
		},
	},
	{
		ID:        "SS-NET-4",
		Title:     "Network isolation is on",
		Rule:      "Training jobs run with EnableNetworkIsolation, processing jobs with NetworkConfig.EnableNetworkIsolation, and the models behind endpoints are created with EnableNetworkIsolation.",
		Severity:  SeverityError,
		Forced:    true,
		AppliesTo: workloads,
		Rationale: "With network isolation the container gets no network access at all, not even to the VPC, so code in a training image or model cannot call out or download anything; SageMaker still stages the inputs and artifacts for it.",
		Fix:       "Nothing to configure: sagesafe_training_job, sagesafe_processing_job and sagesafe_endpoint always enable network isolation. A finding means the live job or model was created or changed outside sagesafe; apply again to replace it.",
		References: []string{
			"Security Hub SageMaker.5",
			"checkov CKV_AWS_370",
			"Prowler sagemaker_training_jobs_network_isolation_enabled",
		},
	},
	{
		ID:        "SS-NET-5",
		Title:     "Endpoint spans two Availability Zones",
		Rule:      "An endpoint's subnets are in at least two different Availability Zones.",
		Severity:  SeverityError,
		AppliesTo: []Kind{KindEndpoint},
		Rationale: "SageMaker hosting in a VPC requires subnets in at least two Availability Zones, even for one instance, and spreads the instances across them; in a single zone, one zone outage takes the whole endpoint down.",
		Fix:       "Add a subnet in a second Availability Zone to subnet_ids; sagesafe_network creates one private subnet per zone.",
		References: []string{
			"SageMaker Developer Guide: give hosted endpoints access to resources in your VPC (subnets in at least two Availability Zones)",
		},
	},
	{
		ID:        "SS-NET-6",
		Title:     "S3 is reached through a gateway endpoint",
		Rule:      "Each subnet's route table routes the S3 prefix list (pl-) to a gateway VPC endpoint (vpce-).",
		Severity:  SeverityWarning,
		AppliesTo: networkKinds,
		Rationale: "In private subnets SageMaker and the containers reach S3 (inputs, checkpoints, model artifacts, data capture) through an S3 gateway endpoint; without one the traffic fails or leaves through NAT, outside any endpoint policy.",
		Fix:       "Create a gateway endpoint for com.amazonaws.<region>.s3 and associate it with the subnets' route tables; sagesafe_network does this.",
		References: []string{
			"SageMaker Developer Guide: give training jobs / hosted endpoints access to resources in your VPC (S3 gateway endpoint)",
		},
	},
	{
		ID:        "SS-NET-7",
		Title:     "The VPC's default security group has no rules",
		Rule:      "The default security group of the network's VPC has no inbound and no outbound rules.",
		Severity:  SeverityError,
		AppliesTo: []Kind{KindNetwork},
		Rationale: "Every network interface created in the VPC without an explicit security group lands in the default group, whose out-of-the-box rules allow all traffic between its members and all outbound traffic. With no rules, such an interface can neither be reached nor send anything, so a misconfigured workload fails closed.",
		Fix:       "Let sagesafe_network strip the rules: the next apply removes every rule of the default security group. Give workloads the network's workload security group instead.",
		References: []string{
			"Security Hub EC2.2",
			"checkov CKV2_AWS_12",
		},
	},
	{
		ID:        "SS-NET-8",
		Title:     "Private (PrivateLink) endpoints exist for the services workloads call",
		Rule:      "The network's VPC has an interface VPC endpoint for every service in interface_endpoints (sagemaker.api and sagemaker.runtime always).",
		Severity:  SeverityError,
		AppliesTo: []Kind{KindNetwork},
		Rationale: "Private subnets have no route to the internet, so a workload reaches the SageMaker API and runtime, STS, CloudWatch Logs, ECR or KMS only through their interface endpoints. A deleted endpoint breaks those calls, or sends them out through whatever other path exists, outside the endpoint security group.",
		Fix:       "Apply sagesafe_network again: it recreates the missing interface endpoints listed in interface_endpoints.",
		References: []string{
			"SageMaker Developer Guide: connect to SageMaker through an interface VPC endpoint (AWS PrivateLink)",
			"Security Hub EC2.55",
			"Security Hub EC2.56",
		},
	},
	{
		ID:        "SS-ENC-1",
		Title:     "Training output is encrypted with the CMK",
		Rule:      "A training job's OutputDataConfig.KmsKeyId, and a processing job's ProcessingOutputConfig.KmsKeyId (the key of every output), is the workload's customer-managed key.",
		Severity:  SeverityError,
		AppliesTo: jobKinds,
		Rationale: "Without a key SageMaker writes the model artifacts to S3 under the account's AWS managed aws/s3 key, whose policy you cannot restrict, so anyone with read access to the bucket can decrypt the model.",
		Fix:       "Set kms_key_arn on sagesafe_training_job or sagesafe_processing_job to a sagesafe_kms_key; sagesafe encrypts the output with it. Do not point the output at a different or AWS managed key.",
		References: []string{
			"Whitepaper \"Build a secure enterprise ML platform\": deny when sagemaker:OutputKmsKey is null",
			"Steampipe sagemaker_training_job_volume_and_data_encryption_enabled",
		},
	},
	{
		ID:        "SS-ENC-2",
		Title:     "ML storage volumes are encrypted with the CMK",
		Rule:      "The training job's ResourceConfig.VolumeKmsKeyId, the processing job's ProcessingResources.ClusterConfig.VolumeKmsKeyId and the endpoint configuration's KmsKeyId are the workload's CMK, except for instance types with local NVMe instance storage (InstanceStorageSupported): those are encrypted in hardware, the API rejects a key for them, and the key must be absent.",
		Severity:  SeverityError,
		AppliesTo: workloads,
		Rationale: "The ML storage volume holds copies of the training data, checkpoints and model files; with a customer-managed key you decide who can decrypt it and can revoke access by disabling the key.",
		Fix:       "Set kms_key_arn; sagesafe passes it as the volume key and leaves it out for instance types with NVMe storage (ml.g5, ml.p4d, ml.m5d, ...).",
		References: []string{
			"checkov CKV_AWS_98",
			"KICS 58b35504-0287-4154-bf69-02c0573deab8",
			"AWS Config sagemaker-endpoint-configuration-kms-key-configured",
		},
	},
	{
		ID:        "SS-ENC-3",
		Title:     "Inter-container traffic is encrypted",
		Rule:      "Training jobs run with EnableInterContainerTrafficEncryption, and processing jobs with NetworkConfig.EnableInterContainerTrafficEncryption.",
		Severity:  SeverityError,
		Forced:    true,
		AppliesTo: jobKinds,
		Rationale: "Distributed training exchanges data and model parameters between instances; without this flag that traffic crosses the VPC unencrypted.",
		Fix:       "Nothing to configure: sagesafe_training_job and sagesafe_processing_job always enable it. A finding means the live job was created outside sagesafe; recreate it with sagesafe_training_job or sagesafe_processing_job.",
		References: []string{
			"Prowler sagemaker_training_jobs_intercontainer_encryption_enabled",
			"Whitepaper \"Build a secure enterprise ML platform\": deny when sagemaker:InterContainerTrafficEncryption is false",
		},
	},
	{
		ID:        "SS-ENC-4",
		Title:     "Data capture is encrypted with the CMK",
		Rule:      "When an endpoint captures requests and responses, DataCaptureConfig.KmsKeyId is the workload's CMK.",
		Severity:  SeverityError,
		AppliesTo: []Kind{KindEndpoint},
		Rationale: "Captured payloads are real production inputs and predictions, often personal data. Without a key they are stored under aws/s3, and no IAM condition key covers this field, so only a check like this one enforces it.",
		Fix:       "Set kms_key_arn on sagesafe_endpoint; data capture uses it. Turn data capture off if you do not need it.",
		References: []string{
			"SageMaker API CreateEndpointConfig DataCaptureConfig.KmsKeyId (no public scanner covers it)",
		},
	},
	{
		ID:        "SS-ENC-5",
		Title:     "Log groups are encrypted with the CMK",
		Rule:      "Every CloudWatch Logs group the workload writes to is encrypted with the workload's CMK.",
		Severity:  SeverityError,
		AppliesTo: logKinds,
		Rationale: "Container logs routinely hold stack traces, hyperparameters, sample records and tokens. SageMaker creates its log groups without a key, so they must exist beforehand with one.",
		Fix:       "Let sagesafe create the workload's log groups with kms_key_arn, or encrypt existing groups with aws logs associate-kms-key. The key policy must allow logs.<region>.amazonaws.com to use the key.",
		References: []string{
			"checkov CKV_AWS_158",
			"trivy AWS-0017",
		},
	},
	{
		ID:        "SS-KMS-1",
		Title:     "The key is an enabled customer-managed key",
		Rule:      "The workload's KMS key is customer managed (KeyManager CUSTOMER), symmetric (KeySpec SYMMETRIC_DEFAULT), for ENCRYPT_DECRYPT, in state Enabled, in the workload's region, and owned by the caller's account or an account listed in allowed_key_accounts.",
		Severity:  SeverityError,
		TunableBy: "allowed_key_accounts",
		AppliesTo: keyKinds,
		Rationale: "Only a customer-managed key has a key policy you control and can be audited, rotated and revoked; a key of another account has a policy that account controls, so it can read the data or revoke access to it at any time. SageMaker, S3 and CloudWatch Logs accept only symmetric encryption keys in their own region, and a disabled or pending-deletion key makes jobs fail and data unreadable.",
		Fix:       "Set kms_key_arn to a sagesafe_kms_key in the workload's region and account. If a central key account is intended, the platform team lists it in the provider's guardrails.allowed_key_accounts. If the key is disabled or scheduled for deletion, run aws kms enable-key or aws kms cancel-key-deletion.",
		References: []string{
			"Security Hub KMS.3",
			"checkov CKV_AWS_227",
		},
	},
	{
		ID:        "SS-KMS-2",
		Title:     "The key rotates automatically",
		Rule:      "Automatic key rotation is enabled on the workload's customer-managed key.",
		Severity:  SeverityError,
		AppliesTo: keyKinds,
		Rationale: "Rotation limits how much data one key version protects and is required by CIS and most compliance frameworks; KMS keeps the old versions, so existing data stays readable.",
		Fix:       "Use a sagesafe_kms_key, which enables rotation, or run aws kms enable-key-rotation on the key.",
		References: []string{
			"Security Hub KMS.4",
			"checkov CKV_AWS_7",
			"cdk-nag AwsSolutions-KMS5",
		},
	},
	{
		ID:        "SS-TLS-1",
		Title:     "The provider reaches AWS only over TLS",
		Rule:      "Every AWS endpoint the provider uses (endpoint_url, endpoints, AWS_ENDPOINT_URL*) is https://, with TLS 1.2 or later. The only exception is http:// to a loopback host: localhost, *.localhost, 127.0.0.0/8, ::1 or localhost.localstack.cloud.",
		Severity:  SeverityError,
		AppliesTo: []Kind{KindProvider},
		Rationale: "Requests carry request signatures, data locations, container environment variables and the security settings themselves; plain HTTP to anything but the local machine exposes them and lets a network attacker change them.",
		Fix:       "Use an https:// URL in endpoint_url or endpoints, or point it at a local emulator on a loopback address (for example http://localhost.localstack.cloud:4566).",
		References: []string{
			"AWS Well-Architected Security Pillar SEC09-BP02: enforce encryption in transit",
		},
	},
	{
		ID:          "SS-TLS-2",
		Title:       "S3 locations are s3:// URIs on TLS-only buckets",
		Rule:        "Every S3 location is an s3://bucket/prefix URI, and the bucket's policy denies requests with aws:SecureTransport=false.",
		Severity:    SeverityError,
		WarningWhen: "the bucket policy lacks the deny and strict_data_buckets is false",
		TunableBy:   "strict_data_buckets",
		AppliesTo:   dataKinds,
		Rationale:   "SageMaker accepts only s3:// URIs and reads them over TLS; a bucket policy that denies insecure transport makes sure every other client of the same training data and artifacts (notebooks, pipelines, people) uses TLS too.",
		Fix:         "Write locations as s3://bucket/prefix, and add a bucket policy statement that denies s3:* when aws:SecureTransport is false.",
		References: []string{
			"Amazon S3 User Guide: security best practices (enforce encryption in transit with aws:SecureTransport)",
		},
	},
	{
		ID:          "SS-DATA-1",
		Title:       "Data buckets default to SSE-KMS",
		Rule:        "Every bucket the workload reads or writes exists and has default encryption aws:kms (or aws:kms:dsse).",
		Severity:    SeverityError,
		WarningWhen: "strict_data_buckets is false",
		TunableBy:   "strict_data_buckets",
		AppliesTo:   dataKinds,
		Rationale:   "Training checkpoints (CheckpointConfig) have no KMS setting and input data is written by other tools; only the bucket's default encryption makes sure those objects are encrypted with a KMS key rather than SSE-S3.",
		Fix:         "Set the bucket's default encryption to SSE-KMS with the workload's key (sse_algorithm = \"aws:kms\" in aws_s3_bucket_server_side_encryption_configuration).",
		References: []string{
			"SageMaker API CreateTrainingJob CheckpointConfig (no KMS field)",
			"Amazon S3 User Guide: default bucket encryption",
		},
	},
	{
		ID:    "SS-DATA-2",
		Title: "Buckets belong to this account",
		Rule: "Every bucket the workload reads or writes (input, checkpoint, output, model artifacts, data capture, preflight s3_uris) is owned by the caller's account: S3 is asked with ExpectedBucketOwner set to this account and answers. A bucket of another account is refused, and so is a bucket that does not exist when the workload is created or read (at plan time, when the same apply may still create it, it is a warning), and a name that is not DNS-compliant (its owner cannot be asked). " +
			"The S3 gateway endpoint of sagesafe_network has a policy that allows only buckets of this account (aws:ResourceAccount) and the AWS-owned bucket ECR serves image layers from; any other policy, AWS's default allow-all included, is drift, and so is any other S3 endpoint (gateway or interface) someone adds to its VPC with another policy.",
		Severity:  SeverityError,
		AppliesTo: []Kind{KindTrainingJob, KindProcessingJob, KindEndpoint, KindPreflight, KindNetwork, KindModelMonitor},
		Rationale: "A bucket name says nothing about its owner. Output, checkpoints and captured requests written to a bucket of another account belong to that account, and inputs read from one can be replaced by it; a mistyped or squatted name sends the data there. A name that does not exist can be registered by anyone, in any account, between the check and the write (a job uploads its output when it ends, hours or days later). SageMaker writes wherever the location points.",
		Fix:       "Use a bucket of this account for every S3 location (copy shared inputs into it). The S3 gateway endpoint of sagesafe_network, and every sagesafe_execution_role, allow only buckets of this account as well.",
		References: []string{
			"Amazon S3 User Guide: verifying bucket ownership with bucket owner condition (ExpectedBucketOwner)",
			"AWS data perimeter: resource perimeter (aws:ResourceAccount, s3:ResourceAccount)",
		},
	},
	{
		ID:        "SS-IAM-1",
		Title:     "Execution-role trust is scoped to SageMaker",
		Rule:      "The execution role's trust policy lets only the sagemaker.amazonaws.com service principal assume it, with no wildcard principal, and every statement that does so has aws:SourceAccount and aws:SourceArn conditions (StringEquals, StringLike, ArnEquals or ArnLike) against the confused-deputy problem: every aws:SourceAccount value is this account, and every aws:SourceArn value is an ARN of this partition, region and account (wildcards only in its resource part). This holds for roles sagesafe did not create as well.",
		Severity:  SeverityError,
		AppliesTo: roleKinds,
		Rationale: "Whoever can assume the execution role gets its access to data and keys. Other principals or a wildcard extend that to other accounts or services, and without source conditions, or with conditions that name another account, SageMaker can be made to use the role on behalf of another account.",
		Fix:       "Use a sagesafe_execution_role, whose trust policy is scoped this way, or allow only sagemaker.amazonaws.com with StringEquals aws:SourceAccount = <this account> and ArnLike aws:SourceArn = arn:<partition>:sagemaker:<region>:<this account>:*.",
		References: []string{
			"checkov CKV_AWS_60",
			"checkov CKV_AWS_61",
			"SageMaker Developer Guide: cross-service confused deputy prevention",
		},
	},
	{
		ID:        "SS-IAM-2",
		Title:     "Execution role has no broad permissions",
		Rule:      "The execution role has no AWS-managed *FullAccess, AdministratorAccess or PowerUserAccess policy attached, and no Allow statement in its inline policies or in the default version of any attached managed policy (customer or AWS managed) that: allows * or <service>:*; uses NotAction or NotResource; names a resource covering every resource of a service (*, arn:*, or an ARN whose account is empty or a wildcard and whose resource is a wildcard or a whole type: arn:aws:s3:::*, arn:aws:s3:::*/*, arn:aws:kms:*:*:key/*, arn:aws:iam::*:role/*), unless all its actions are ones IAM authorizes only on * (such as ecr:GetAuthorizationToken, cloudwatch:PutMetricData and ec2:Describe*); or allows iam:PassRole other than on named role ARNs with an iam:PassedToService condition.",
		Severity:  SeverityError,
		AppliesTo: roleKinds,
		Rationale: "Code in a training image or model runs with the execution role, so a broad role turns one compromised container into account-wide access to data, keys and IAM. A policy does not need to say * to be broad: every bucket's objects (arn:aws:s3:::*/*), every key, NotAction, or passing any role to any service grant as much.",
		Fix:       "Use a sagesafe_execution_role, which grants only the workload's buckets, key, log groups and image repositories; otherwise detach the broad managed policies and, in the statements named, replace wildcards, NotAction and NotResource with named actions and resource ARNs of this account (for iam:PassRole, the role ARNs and an iam:PassedToService condition).",
		References: []string{
			"checkov CKV_AWS_62",
			"checkov CKV_AWS_63",
			"cdk-nag AwsSolutions-IAM4",
			"cdk-nag AwsSolutions-IAM5",
			"Security Hub KMS.1",
			"Security Hub KMS.2",
		},
	},
	{
		ID:        "SS-IAM-3",
		Title:     "Persona roles launch only guarded workloads",
		Rule:      "A persona role (for people) has no managed policy attached, and in its inline policies no Allow of *, NotAction or NotResource; for every SageMaker create action an Allow grants (wildcards expanded) that accepts the guard condition keys, a Deny on that action refuses a request without each key the action carries and with any value but the approved, exactly named ones: VPC subnets and security groups, volume and output KMS key (both the deprecated ...KmsKey and the current ...KmsKeyArn form), NetworkIsolation and InterContainerTrafficEncryption false, notebooks' DirectInternetAccess and RootAccess other than Disabled (monitoring schedules, which carry the keys only for inline jobs, need only the unapproved-value denies); iam:PassRole is allowed only on named roles with iam:PassedToService = sagemaker.amazonaws.com.",
		Severity:  SeverityError,
		Forced:    true,
		AppliesTo: []Kind{KindPersonaRole},
		Rationale: "A person with SageMaker create permissions can start a training job, endpoint config or notebook from the console or the CLI outside the private network, without the key and without isolation, however carefully the Terraform-managed workloads are built. The condition keys that forbid this exist, but an Allow alone does not hold when the person has another policy; an explicit Deny does. Passing any role lets a person run code with more access than their own.",
		Fix:       "Use a sagesafe_persona_role, which generates the Allows of the persona's ML activities and the Denies on every create action they allow, with subnet_ids, security_group_ids, kms_key_arn and execution_role_arns; the next apply removes policies attached outside Terraform. Add sagesafe_guardrail_policy as an SCP for the actions no persona is granted.",
		References: []string{
			"SageMaker Developer Guide: Role Manager personas and ML activities",
			"Service Authorization Reference: condition keys for Amazon SageMaker",
			"cdklabs/cdk-aws-sagemaker-role-manager policy templates",
			"IAM User Guide: granting a user permissions to pass a role (iam:PassedToService)",
		},
	},
	{
		ID:        "SS-IAM-4",
		Title:     "Persona roles are assumed only with MFA or through SAML",
		Rule:      "Every Allow statement of a persona role's trust policy names no wildcard principal, no service and no NotPrincipal; account principals (AWS) may assume it only with Bool aws:MultiFactorAuthPresent = true, and federated principals only when they are SAML providers of this account and partition, with sts:AssumeRoleWithSAML (and sts:TagSession) and StringEquals SAML:aud = the partition's sign-in endpoint (https://signin.aws.amazon.com/saml).",
		Severity:  SeverityError,
		Forced:    true,
		AppliesTo: []Kind{KindPersonaRole},
		Rationale: "A persona role opens SageMaker, the training data and the model registry to whoever can assume it. Without MFA a leaked access key is enough; a wildcard or another account's identity provider lets people outside the organization in; a SAML trust without the audience condition accepts assertions meant for something else.",
		Fix:       "Use a sagesafe_persona_role with account_principals (MFA required) or saml_provider_arn (an IAM Identity Center or IdP provider of this account).",
		References: []string{
			"IAM User Guide: configuring MFA-protected API access (aws:MultiFactorAuthPresent)",
			"IAM User Guide: creating a role for SAML 2.0 federation (SAML:aud)",
			"cdk-nag AwsSolutions-IAM5",
		},
	},
	{
		ID:    "SS-IAM-5",
		Title: "Every IAM role sagesafe makes or is given carries the organisation's permissions boundary",
		Rule: "When the provider's guardrails set role_permissions_boundary_arn, every IAM role sagesafe makes has exactly that policy as its permissions boundary: sagesafe_execution_role and sagesafe_persona_role (as planned and as read from IAM), the flow-log delivery role of sagesafe_network, the CloudTrail delivery role of sagesafe_audit_trail and the scheduler role of sagesafe_model_monitor (as read from IAM), the execution role a training job, processing job, endpoint or model monitor is given (role_arn, as read from IAM), a model monitor's given scheduler_role_arn, and the role_arn sagesafe_preflight is asked about. " +
			"A role with no boundary or another one fails. The boundary is read too: it fails when it does not exist, or when its default version allows a role under it to escape it (unless an unconditional Deny on every resource takes the action away): create or change a role, user or group (iam:CreateRole, PutRolePolicy, AttachRolePolicy, UpdateAssumeRolePolicy, CreateUser, Put/AttachUserPolicy, CreateAccessKey, Create/UpdateLoginProfile, CreateServiceSpecificCredential, AddUserToGroup, Put/AttachGroupPolicy; role and user writes allowed only under the condition iam:PermissionsBoundary = this boundary do not count), put or delete a role's or user's permissions boundary, rewrite a managed policy (CreatePolicyVersion, SetDefaultPolicyVersion), change the account's SAML or OIDC identity providers, change IAM Identity Center permission sets, assignments or group memberships, sts:AssumeRoot; or, on resources not limited to a name prefix of at least 3 literal characters (Resource \"*\", a suffix or infix pattern, NotResource, a policy variable, a well-known administrator role, another account's roles for AssumeRole), iam:PassRole, sts:AssumeRole, or run code or open a console as an existing principal (SageMaker presigned notebook and domain URLs, notebook and Studio lifecycle scripts: UpdateNotebookInstance, UpdateNotebookInstanceLifecycleConfig, UpdateDomain, UpdateUserProfile, UpdateSpace; Lambda function code or configuration, SSM SendCommand and StartSession, EC2 Instance Connect, ECS ExecuteCommand, Glue dev endpoints, CodeBuild StartBuild, CloudFormation stack updates). A name prefix does not make a role capped: every existing role that the boundary's iam:PassRole or sts:AssumeRole resources reach must carry the boundary too (read with iam:ListRoles and iam:GetRole; an unconditional Deny naming a role carves it out), or the control fails naming the roles; it is a warning instead when the plan gives the boundary back to a role of its own resource (the others are restored by their own plans) or when IAM refuses to list or read the roles. Likewise every existing notebook instance the boundary's sagemaker:CreatePresignedNotebookInstanceUrl or UpdateNotebookInstance resources reach must run as a role that carries the boundary (read with sagemaker:ListNotebookInstances, DescribeNotebookInstance and iam:GetRole, in the provider's region; a pattern naming other regions is a warning), or the control fails naming them. The other run-code actions allowed on a name prefix (Lambda, SSM, EC2 Instance Connect, ECS, Glue, CodeBuild, CloudFormation, Studio URLs and lifecycle scripts, notebook lifecycle configurations) reach objects whose roles sagesafe does not read: a warning naming them, not held, unless the boundary denies them. Without role_permissions_boundary_arn there is nothing to check: the control is not checked (not_checked), not held.",
		Severity:  SeverityError,
		TunableBy: "role_permissions_boundary_arn",
		AppliesTo: []Kind{KindExecutionRole, KindPersonaRole, KindNetwork, KindAuditTrail, KindModelMonitor, KindTrainingJob, KindProcessingJob, KindEndpoint, KindPreflight},
		Rationale: "IAM has no condition on the content of a trust or inline policy, so an identity allowed to create roles (the deployer of sagesafe_deployer_policy) could make a role that trusts itself and allows everything. " +
			"A permissions boundary caps what any role can do whatever its policies say, and a deployer policy that allows iam:CreateRole and iam:PutRolePolicy only with the iam:PermissionsBoundary condition cannot make a role above the cap. " +
			"That works only if every role sagesafe makes carries the boundary, and keeps it: a role whose boundary was deleted is uncapped again.",
		Fix: "Set guardrails { role_permissions_boundary_arn } in the provider block to the policy the deployer policy's permissions_boundary_arn names. " +
			"Leave permissions_boundary_arn of sagesafe_execution_role and sagesafe_persona_role unset (they take the provider's) or set it to the same ARN; the next apply puts the boundary back on a role whose boundary was removed or changed outside Terraform.",
		References: []string{
			"IAM User Guide: permissions boundaries for IAM entities",
			"IAM User Guide: condition key iam:PermissionsBoundary",
		},
	},
	{
		ID:        "SS-MON-1",
		Title:     "Alarms exist with actions enabled",
		Rule:      "Every workload has its alarms as sagesafe specifies them, each with a threshold its metric can cross and ActionsEnabled = true.",
		Severity:  SeverityError,
		AppliesTo: workloads,
		Rationale: "A missing or muted alarm silently removes detection of failures, error spikes and resource exhaustion; disabled actions are a common leftover of maintenance work. An alarm whose threshold the metric can never cross (an error rate above 1, a utilization above 100 percent) is just as silent, and an endpoint's blue/green rollback wired to it never happens.",
		Fix:       "Apply again so sagesafe_training_job, sagesafe_processing_job or sagesafe_endpoint recreates the missing alarms and restores edited ones; re-enable actions with aws cloudwatch enable-alarm-actions; choose thresholds inside the metric's range, as each threshold attribute's description states.",
		References: []string{
			"Security Hub CloudWatch.17",
			"checkov CKV_AWS_319",
		},
	},
	{
		ID:    "SS-MON-2",
		Title: "Alarms notify someone",
		Rule: "Every alarm has at least one alarm action, and each action is an ARN of this account and region (an action elsewhere is a warning: its owner receives the alarm and may tell no one here). " +
			"Each SNS topic of this account and region that the alarms notify is read (sns:GetTopicAttributes): it must exist (at plan a missing topic is a warning, since the same apply may create it), CloudWatch must be able to publish to it (no Deny of sns:Publish to cloudwatch.amazonaws.com or to everyone in the topic's access policy that is unconditional or certain to apply, i.e. under aws:SourceAccount of this account or a negated aws:PrincipalOrgID; a policy that cannot be parsed is a warning; not encrypted with the AWS managed key alias/aws/sns; a customer managed key must be enabled and its policy must let cloudwatch.amazonaws.com call kms:GenerateDataKey* and kms:Decrypt), and at least one subscription must be confirmed (none is a warning: an email subscription waits for a person).",
		Severity:    SeverityError,
		WarningWhen: "require_alarm_actions is false",
		TunableBy:   "require_alarm_actions",
		AppliesTo:   workloads,
		Rationale:   "An alarm without an action changes state with nobody told, so the failure it detects goes unnoticed.",
		Fix:         "Give the workload's alarms an action, such as an SNS topic ARN, in the alarm settings of sagesafe_training_job, sagesafe_processing_job or sagesafe_endpoint.",
		References: []string{
			"Security Hub CloudWatch.15",
		},
	},
	{
		ID:        "SS-MON-3",
		Title:     "Logs are kept long enough",
		Rule:      "Every log group keeps events for at least min_log_retention_days; never expire (0) complies.",
		Severity:  SeverityError,
		TunableBy: "min_log_retention_days",
		AppliesTo: logKinds,
		Rationale: "Incident investigation and audits need the logs of past jobs and endpoints; short retention deletes the evidence.",
		Fix:       "Raise the log retention of the workload to at least min_log_retention_days, or lower min_log_retention_days in the provider's guardrails block.",
		References: []string{
			"Security Hub CloudWatch.16",
			"checkov CKV_AWS_338",
		},
	},
	{
		ID:        "SS-MON-4",
		Title:     "Endpoint updates roll back automatically",
		Rule:      "Endpoint updates deploy blue/green, and AutoRollbackConfiguration lists at least one alarm, all of them the endpoint's own.",
		Severity:  SeverityError,
		AppliesTo: []Kind{KindEndpoint},
		Rationale: "A faulty model rolled out at once serves errors until someone notices; blue/green with alarm-driven rollback shifts traffic back to the old fleet automatically.",
		Fix:       "Keep the deployment settings of sagesafe_endpoint at their default (blue/green with rollback on the endpoint's own alarms), and do not point rollback at alarms of other resources.",
		References: []string{
			"SageMaker Developer Guide: deployment guardrails (blue/green deployments, auto-rollback)",
		},
	},
	{
		ID:        "SS-MON-5",
		Title:     "VPC flow logs record all traffic to the encrypted log group",
		Rule:      "The network's VPC has a flow log that records ALL traffic (accepted and rejected) into the network's CloudWatch Logs group, delivered through the network's flow-log role.",
		Severity:  SeverityError,
		AppliesTo: []Kind{KindNetwork},
		Rationale: "Flow logs are the only record of which addresses the training containers and model servers talked to; without them, or with only accepted or only rejected traffic, data exfiltration and scanning cannot be investigated. The log group is encrypted with the network's key (SS-ENC-5).",
		Fix:       "Apply sagesafe_network again: it recreates the flow log of all traffic into its log group. Do not delete or replace it outside sagesafe.",
		References: []string{
			"Security Hub EC2.6",
			"checkov CKV2_AWS_11",
		},
	},
	{
		ID:        "SS-MON-6",
		Title:     "Endpoints have anomaly-detection alarms",
		Rule:      "An endpoint has an alarm on Invocations and one on ModelLatency that compare the metric with an ANOMALY_DETECTION_BAND learned from its history: the endpoint's own metric (AWS/SageMaker, its EndpointName and VariantName), a band from 0.5 to 10 standard deviations, and otherwise as sagesafe specifies the alarm, so that it can fire.",
		Severity:  SeverityError,
		AppliesTo: []Kind{KindEndpoint},
		Rationale: "Fixed thresholds catch what is always wrong; traffic that collapses or surges and latency that creeps up stay under them for long. A band learned from the endpoint's own history flags them early. Each anomaly alarm is billed as three metrics.",
		Fix:       "Apply sagesafe_endpoint again: it recreates the anomaly alarms or restores one turned into a fixed-threshold alarm; tune the band with alarms.anomaly_band_width.",
		References: []string{
			"CloudWatch User Guide: Using CloudWatch anomaly detection",
		},
	},
	{
		ID:        "SS-MON-7",
		Title:     "Capture is on when monitoring is on",
		Rule:      "The endpoint a model monitor watches captures its requests (DataCaptureConfig enabled with the Input capture option) to an s3:// destination, encrypted with a KMS key.",
		Severity:  SeverityError,
		AppliesTo: []Kind{KindModelMonitor},
		Rationale: "A monitor compares the endpoint's captured requests with the baseline. Without capture, or without the requests in it, every monitoring run has nothing to compare and publishes no drift metric, so drift goes unnoticed while the monitor looks configured; unencrypted captures hold customer data in the clear.",
		Fix:       "Turn data capture on for the endpoint (sagesafe_endpoint's data_capture block: input captured, an s3:// destination, the customer's key), then apply the monitor again. A monitor whose endpoint stops capturing loses the control on the next refresh.",
		References: []string{
			"SageMaker Developer Guide: Capture data from real-time endpoint",
			"SageMaker Developer Guide: Data and model quality monitoring with Amazon SageMaker Model Monitor",
		},
	},
	{
		ID:        "SS-AVL-1",
		Title:     "Endpoint has enough instances",
		Rule:      "An endpoint's instance count is at least min_endpoint_instances.",
		Severity:  SeverityError,
		TunableBy: "min_endpoint_instances",
		AppliesTo: []Kind{KindEndpoint},
		Rationale: "With one instance, any instance failure, patching or zone outage makes the endpoint unavailable; SageMaker spreads instances across zones only when there are two or more.",
		Fix:       "Set instance_count to at least min_endpoint_instances, or lower min_endpoint_instances in the guardrails block for non-production providers.",
		References: []string{
			"Security Hub SageMaker.4",
			"Prowler sagemaker_endpoint_config_prod_variant_instances",
		},
	},
	{
		ID:        "SS-AVL-2",
		Title:     "Endpoint instance count stays within bounds",
		Rule:      "An endpoint runs at most max_endpoint_instances instances. An autoscaled endpoint variant scales between at least min_endpoint_instances and at most max_endpoint_instances instances, its minimum not above its maximum; every scheduled action on it stays within the same bounds, and its scale-out is not suspended.",
		Severity:  SeverityError,
		TunableBy: "max_endpoint_instances",
		AppliesTo: []Kind{KindEndpoint},
		Rationale: "Scaling in below the availability floor undoes SS-AVL-1 whenever traffic is low; an unbounded maximum turns a traffic surge, a retry storm or abuse into an open-ended bill. Application Auto Scaling itself is free; the instances it adds are not.",
		Fix:       "Set instance_count and autoscaling.max_capacity to at most max_endpoint_instances and autoscaling.min_capacity to at least min_endpoint_instances, or change those in the provider's guardrails block. Apply sagesafe_endpoint again to delete scheduled actions and scaling policies it did not make and to resume a suspended scale-out.",
		References: []string{
			"SageMaker Developer Guide: automatic scaling of models",
		},
	},
	{
		ID:        "SS-GOV-1",
		Title:     "Required tags are present",
		Rule:      "The resource's tags, merged with the provider's default_tags, include every key in required_tags. With no required_tags there is nothing to check: the control is not checked (not_checked), not held.",
		Severity:  SeverityError,
		TunableBy: "required_tags",
		AppliesTo: taggedKinds,
		Rationale: "Cost allocation, ownership and tag-based access control (aws:ResourceTag conditions) work only when every resource carries the agreed tags.",
		Fix:       "Add the missing keys to tags, or to default_tags in the provider block.",
		References: []string{
			"AWS Config required-tags",
		},
	},
	{
		ID:        "SS-GOV-2",
		Title:     "Instance type is allowed",
		Rule:      "The instance type matches one of allowed_instance_types (glob patterns with Go path.Match semantics, such as ml.m5.*). An empty list allows every type: there is nothing to check, so the control is not checked (not_checked), not held.",
		Severity:  SeverityError,
		TunableBy: "allowed_instance_types",
		AppliesTo: dataKinds,
		Rationale: "Platform teams limit instance families to control cost and accelerator capacity, as the sagemaker:InstanceTypes condition key does; checking at plan time reports it before apply fails with AccessDenied.",
		Fix:       "Choose an instance_type that matches allowed_instance_types, or ask the platform team to extend the list.",
		References: []string{
			"IAM condition key sagemaker:InstanceTypes",
		},
	},
	{
		ID:        "SS-GOV-3",
		Title:     "Training runtime is bounded",
		Rule:      "A training or processing job's StoppingCondition.MaxRuntimeInSeconds is set and at most max_training_runtime_seconds.",
		Severity:  SeverityError,
		TunableBy: "max_training_runtime_seconds",
		AppliesTo: jobKinds,
		Rationale: "A hung or runaway job keeps expensive instances running; the same limit can be enforced with the sagemaker:MaxRuntimeInSeconds condition key.",
		Fix:       "Set max_runtime_seconds on sagesafe_training_job or sagesafe_processing_job to at most max_training_runtime_seconds.",
		References: []string{
			"IAM condition key sagemaker:MaxRuntimeInSeconds",
		},
	},
	{
		ID:          "SS-SUP-1",
		Title:       "Images come from trusted ECR registries",
		Rule:        "Container images are Amazon ECR images (<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>), from this account or an account in allowed_image_accounts, and pinned by digest (@sha256:).",
		Severity:    SeverityError,
		WarningWhen: "the image is referenced by tag without a digest",
		TunableBy:   "allowed_image_accounts",
		AppliesTo:   dataKinds,
		Rationale:   "The image runs with the execution role and sees your data. Images from public registries or unknown accounts bypass your review, and a tag can be moved to a different image after review, while a digest cannot.",
		Fix:         "Push the image to an ECR repository in an allowed account and reference it by digest (repository@sha256:...).",
		References: []string{
			"Supply-chain practice: private registry, images pinned by digest",
		},
	},
	{
		ID:        "SS-AUD-1",
		Title:     "A multi-region trail records every management event",
		Rule:      "The audit trail is multi-region, logging (StartLogging), and records all management events, read and write, with no excluded event sources (ExcludeManagementEventSources empty). In a preflight: the account has such a trail.",
		Severity:  SeverityError,
		AppliesTo: auditKinds,
		Rationale: "CloudTrail is the only record of who created, changed, stopped or deleted an endpoint, a training job, a key or a role. A single-region trail misses calls made in other regions, a stopped one records nothing, and excluding KMS or RDS Data events hides key disabling (CIS CloudWatch.7 fails too).",
		Fix:       "Use sagesafe_audit_trail, or set is_multi_region_trail, management events ReadWriteType All without excluded sources and start logging on the existing trail. Apply sagesafe_audit_trail again to restore a trail whose logging was stopped outside sagesafe.",
		References: []string{
			"CIS AWS Foundations 1.2 2.1 / 1.4 3.1",
			"Security Hub CloudTrail.1",
			"Security Hub CloudTrail.3",
		},
	},
	{
		ID:        "SS-AUD-2",
		Title:     "Trail logs are encrypted with the customer's key and validated",
		Rule:      "The trail encrypts its log files with the customer-managed KMS key it was given (a key ARN of this account or of an account in allowed_key_accounts) and has log file validation on.",
		Severity:  SeverityError,
		AppliesTo: auditKinds,
		Rationale: "With SSE-KMS, reading the audit logs needs kms:Decrypt on the key as well as s3:GetObject on the bucket, so the key policy decides who can read them. Log file validation writes signed digest files, the only way to show that a log file was not changed or deleted after delivery.",
		Fix:       "Set kms_key_arn to a sagesafe_kms_key with allow_cloudtrail = true. Apply sagesafe_audit_trail again to restore encryption or validation turned off outside sagesafe.",
		References: []string{
			"CIS AWS Foundations 1.2 2.7 / 1.4 3.7 (SSE-KMS)",
			"CIS AWS Foundations 1.2 2.2 / 1.4 3.2 (log file validation)",
			"Security Hub CloudTrail.2",
			"Security Hub CloudTrail.4",
		},
	},
	{
		ID:        "SS-AUD-3",
		Title:     "The trail's bucket is private, TLS-only and versioned",
		Rule:      "The trail's S3 bucket has object ownership BucketOwnerEnforced (ACLs disabled), all four public access block settings on, a bucket policy that denies every request with aws:SecureTransport false, and versioning enabled.",
		Severity:  SeverityError,
		AppliesTo: auditKinds,
		Rationale: "A public or ACL-shared log bucket discloses every API call of the account; a bucket reachable without TLS lets the logs be read in transit; without versioning an overwritten or deleted log file is gone.",
		Fix:       "Let sagesafe_audit_trail create the bucket; apply it again to restore a policy, block or versioning changed outside sagesafe.",
		References: []string{
			"CIS AWS Foundations 1.2 2.3 / 1.4 3.3",
			"Security Hub CloudTrail.6",
			"Security Hub S3.5 (TLS-only policy)",
		},
	},
	{
		ID:        "SS-AUD-4",
		Title:     "The trail delivers to an encrypted log group with retention",
		Rule:      "The trail delivers its events to a CloudWatch Logs group encrypted with a customer-managed key, whose retention is never-expire or at least min_log_retention_days; the trail's retention_days (bucket expiry and log group retention) is at least min_log_retention_days.",
		Severity:  SeverityError,
		TunableBy: "min_log_retention_days",
		AppliesTo: auditKinds,
		Rationale: "Metric filters and alarms (SS-AUD-5) see only events delivered to CloudWatch Logs; unencrypted, the events are readable with logs:GetLogEvents alone, and kept too briefly they are gone before an investigation starts.",
		Fix:       "Let sagesafe_audit_trail create the log group; set retention_days to at least min_log_retention_days.",
		References: []string{
			"CIS AWS Foundations 1.2 2.4 / 1.4 3.4",
			"Security Hub CloudTrail.5",
		},
	},
	{
		ID:        "SS-AUD-5",
		Title:     "Alarms watch security-relevant changes",
		Rule:      "The trail's log group has, for every audit event class (SageMaker workload changes; SageMaker notebook, Studio domain and presigned URL changes; KMS keys disabled or scheduled for deletion; IAM policy changes; IAM role trust and boundary changes; security group, network gateway, route table, VPC and VPC endpoint changes; CloudTrail changes; unauthorized API calls), a metric filter with exactly the class's pattern (the CIS pattern where CIS has one) and an alarm on its metric with actions enabled and at least one action; the provider's alarm_actions is not empty. Each SNS topic of this account and region the alarms notify is read as SS-MON-2 reads a workload's: a missing topic, or one CloudWatch cannot publish to (a Deny of sns:Publish in its access policy, AWS managed key, missing or disabled key, a key policy without cloudwatch.amazonaws.com), fails; one nobody has confirmed a subscription to is a warning (CIS: \"an SNS topic with a subscriber\").",
		Severity:  SeverityError,
		AppliesTo: auditKinds,
		Rationale: "Without alarms a deleted endpoint, a disabled key, a policy attached to an execution role or a burst of denied calls is found at the next refresh at best, and only on objects sagesafe manages. Security Hub's CloudWatch controls accept only the exact CIS patterns.",
		Fix:       "Let sagesafe_audit_trail create the filters and alarms and set the provider's alarm_actions; apply it again to restore a filter or alarm deleted outside sagesafe.",
		References: []string{
			"CIS AWS Foundations 1.2 3.1, 3.4, 3.5, 3.7, 3.10, 3.12, 3.13, 3.14 (1.4 4.x)",
			"Security Hub CloudWatch.2, .4, .5, .7, .10, .12, .13, .14",
			"SageMaker, IAM role and VPC endpoint patterns: sagesafe-defined",
		},
	},
	{
		ID:        "SS-COST-1",
		Title:     "SageMaker spending is capped by a budget that notifies someone",
		Rule:      "The spending budget is an AWS Budgets monthly cost budget filtered to the Amazon SageMaker service alone, with a limit in USD above 0 and at most 100 million, counting spending gross of credits and refunds, and at least one notification that tells someone in time: spending greater than a percentage of the limit (at most 100 % ACTUAL, 200 % FORECASTED) to an SNS topic of the account and region that exists, whose policy lets budgets.amazonaws.com publish to it, and whose KMS key, if it is encrypted, is a customer managed key that lets budgets.amazonaws.com call kms:GenerateDataKey* and kms:Decrypt.",
		Severity:  SeverityError,
		AppliesTo: []Kind{KindBudget},
		Rationale: "Endpoints bill by the instance-hour whether or not they serve traffic, and a forgotten endpoint, a runaway hyperparameter search or a too-large instance type costs money until someone notices. A budget without a notification, with a limit of zero or beyond reach, with a threshold never reached, telling a topic elsewhere, or netting out credits, tells nobody.",
		Fix:       "Use sagesafe_budget with a positive limit_usd and notifications to the provider's alarm_actions (or topic_arns). Apply it again to restore a limit or a notification changed outside sagesafe.",
		References: []string{
			"AWS Well-Architected Machine Learning Lens: cost optimization pillar (monitor usage and cost)",
			"AWS Budgets User Guide: creating a cost budget",
		},
	},
}

var catalogIndex = func() map[string]int {
	m := make(map[string]int, len(Catalog))
	for i, c := range Catalog {
		m[c.ID] = i
	}
	return m
}()

// Lookup returns the control with the given ID.
func Lookup(id string) (Control, bool) {
	i, ok := catalogIndex[id]
	if !ok {
		return Control{}, false
	}
	return Catalog[i], true
}

// ControlText returns a control's rationale and fix, for code that must not
// import guardrail's types but reports its refusals in the catalog's words
// (iampolicy.RenderRole and the key policy builder take it as a function).
func ControlText(id string) (rationale, fix string, ok bool) {
	c, ok := Lookup(id)
	return c.Rationale, c.Fix, ok
}
