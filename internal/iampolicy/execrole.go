package iampolicy

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
)

// RolePolicyMaxChars is IAM's limit on the inline policies of one role
// (10,240 characters in total, whitespace not counted).
const RolePolicyMaxChars = 10240

// Purpose is what a sagesafe_execution_role is for.
type Purpose string

// Purposes.
const (
	PurposeTraining             Purpose = "training"
	PurposeInference            Purpose = "inference"
	PurposeTrainingAndInference Purpose = "training_and_inference"
	// PurposeProcessing is a processing job's role (sagesafe_processing_job:
	// baselines, feature engineering, evaluation, drift monitoring).
	PurposeProcessing Purpose = "processing"
)

// PurposeValues lists the valid purposes, for schema validators and docs.
func PurposeValues() []string {
	return []string{string(PurposeTraining), string(PurposeInference), string(PurposeTrainingAndInference), string(PurposeProcessing)}
}

// Validate returns an ErrInvalidSpec *Error for an unknown purpose.
func (p Purpose) Validate() error {
	switch p {
	case PurposeTraining, PurposeInference, PurposeTrainingAndInference, PurposeProcessing:
		return nil
	}
	return invalidSpec("Purpose", string(p), "purpose must be one of "+strings.Join(PurposeValues(), ", "))
}

func (p Purpose) trains() bool    { return p == PurposeTraining || p == PurposeTrainingAndInference }
func (p Purpose) hosts() bool     { return p == PurposeInference || p == PurposeTrainingAndInference }
func (p Purpose) processes() bool { return p == PurposeProcessing }

// RoleSpec describes a sagesafe_execution_role.
type RoleSpec struct {
	Partition, Region, AccountID string
	Purpose                      Purpose
	// S3ReadURIs may be read (and listed); S3WriteURIs may be read, listed
	// and written (SageMaker reads checkpoints back and lists output
	// prefixes). Both are s3://bucket[/prefix] URIs; see ParseS3URI.
	S3ReadURIs, S3WriteURIs []string
	// KMSKeyARNs are keys (in Region) the role may use through SageMaker and S3.
	KMSKeyARNs []string
	// ECRRepositoryARNs are repositories the role may pull images from.
	ECRRepositoryARNs []string
	// SubnetIDs and SecurityGroupIDs are where SageMaker may create the
	// workload's network interfaces; give both or neither.
	SubnetIDs, SecurityGroupIDs []string
}

// SageMaker's CloudWatch names for each kind of workload.
const (
	trainingLogGroup    = "/aws/sagemaker/TrainingJobs"
	endpointLogGroups   = "/aws/sagemaker/Endpoints/" // one group per endpoint, named after it
	trainingNamespace   = "/aws/sagemaker/TrainingJobs"
	processingLogGroup  = "/aws/sagemaker/ProcessingJobs"
	processingNamespace = "/aws/sagemaker/ProcessingJobs"
	endpointNamespace   = "/aws/sagemaker/Endpoints"
)

// TrustPolicy builds the execution role's trust policy: only
// sagemaker.amazonaws.com may assume it, only for this account
// (aws:SourceAccount), and only from training jobs of this account and region
// (aws:SourceArn training-job/*) for PurposeTraining, from processing jobs
// (processing-job/*) for PurposeProcessing. Inference roles get
// aws:SourceArn arn:<partition>:sagemaker:<region>:<account>:*, which AWS
// says must not be narrowed for hosting, and so does a role that does both.
func TrustPolicy(spec RoleSpec) (Document, error) {
	sc, err := spec.scope()
	if err != nil {
		return Document{}, err
	}
	source := sc.arn("sagemaker", "*")
	switch spec.Purpose {
	case PurposeTraining:
		source = sc.arn("sagemaker", "training-job/*")
	case PurposeProcessing:
		source = sc.arn("sagemaker", "processing-job/*")
	}
	return Document{Version: PolicyVersion, Statement: []Statement{
		serviceTrustStatement("SageMakerAssumeRole", "sagemaker", sc.account, source),
	}}, nil
}

// ExecutionPolicy builds the execution role's one inline policy. It mirrors
// SageMaker Role Manager's "Access Required AWS Services" compute role,
// narrowed to exactly the inputs, by purpose:
//
//   - S3ListBucket<Bucket>: s3:ListBucket on each bucket, limited by s3:prefix
//     to the granted folders (no condition when the whole bucket is granted).
//   - S3ReadObjects: s3:GetObject on the read and write folders.
//   - S3WriteObjects: s3:PutObject and s3:AbortMultipartUpload on the write
//     folders (no s3:DeleteObject).
//   - Every S3 statement carries StringEquals s3:ResourceAccount = this
//     account, so a bucket of the same name in another account (a typo, a
//     squatted or deleted-and-recreated name) is never read or written
//     (SS-DATA-2; the S3 gateway endpoint of sagesafe_network says the same).
//   - ECRAuthorizationToken (ecr:GetAuthorizationToken, which only accepts
//     "*") and ECRPullImages on the listed repositories, when any are listed.
//   - CloudWatchLogs: create streams and put events in
//     /aws/sagemaker/TrainingJobs (training), /aws/sagemaker/ProcessingJobs
//     (processing) and /aws/sagemaker/Endpoints/* (inference) of this
//     account and region. No logs:CreateLogGroup: the
//     provider creates those groups with a CMK and retention, and SageMaker
//     must not create unencrypted ones.
//   - CloudWatchMetrics: cloudwatch:PutMetricData only in SageMaker's
//     namespaces for the purpose (cloudwatch:namespace).
//   - CloudWatchDescribeAlarms (inference): blue/green deployments read the
//     rollback alarms; limited to alarms of this account and region.
//   - AllowUseViaSageMakerAndS3 and AllowGrantsForAWSResources on the listed
//     keys: the same statements as the key policy (kms:ViaService
//     sagemaker/s3.<region>; CreateGrant only with
//     kms:GrantIsForAWSResource).
//   - VPCDescribe (Describe* calls cannot be scoped, so "*"),
//     VPCCreateNetworkInterface (only in the listed subnets with the listed
//     security groups, by resource ARN) and VPCManageNetworkInterfaces
//     (permission and delete calls only on interfaces in the listed subnets,
//     by ec2:Subnet), when subnets are given.
//
// Nothing else, and never a managed policy.
func ExecutionPolicy(spec RoleSpec) (Document, error) {
	sc, err := spec.scope()
	if err != nil {
		return Document{}, err
	}
	s3, err := s3Statements(sc, spec.S3ReadURIs, spec.S3WriteURIs)
	if err != nil {
		return Document{}, err
	}
	ecr, err := ecrStatements(sc, spec.ECRRepositoryARNs)
	if err != nil {
		return Document{}, err
	}
	kms, err := kmsStatements(sc, spec.KMSKeyARNs)
	if err != nil {
		return Document{}, err
	}
	vpc, err := vpcStatements(sc, spec.SubnetIDs, spec.SecurityGroupIDs)
	if err != nil {
		return Document{}, err
	}
	stmts := append(s3, ecr...)
	stmts = append(stmts, cloudWatchStatements(sc, spec.Purpose)...)
	stmts = append(stmts, kms...)
	stmts = append(stmts, vpc...)
	doc := Document{Version: PolicyVersion, Statement: stmts}
	if err := checkSize(doc, RolePolicyMaxChars, "execution role policy"); err != nil {
		return Document{}, err
	}
	return doc, nil
}

func (spec RoleSpec) scope() (scope, error) {
	sc, err := newScope(spec.Partition, spec.Region, spec.AccountID)
	if err != nil {
		return scope{}, err
	}
	return sc, spec.Purpose.Validate()
}

// folders maps a bucket to the prefixes granted in it ("" = whole bucket).
type folders map[string][]string

func parseFolders(field string, uris []string, into folders) error {
	for i, uri := range uris {
		bucket, prefix, err := ParseS3URI(uri)
		if err != nil {
			return at(err, field, i)
		}
		into[bucket] = append(into[bucket], prefix)
	}
	return nil
}

// minimal returns the bucket's prefixes without those inside another one
// ("data/" covers "data/train/"; "" covers everything).
func (f folders) minimal(bucket string) []string {
	ps := normalize(f[bucket])
	var out []string
	for _, p := range ps { // sorted, so a covering prefix comes first
		if len(out) > 0 && strings.HasPrefix(p, out[len(out)-1]) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// objectARNs are the object ARNs of every granted folder: bucket/prefix*.
func (f folders) objectARNs(sc scope) []string {
	var arns []string
	for _, bucket := range slices.Sorted(maps.Keys(f)) {
		for _, p := range f.minimal(bucket) {
			arns = append(arns, sc.s3ARN(bucket+"/"+p+"*"))
		}
	}
	return arns
}

func s3Statements(sc scope, readURIs, writeURIs []string) ([]Statement, error) {
	read, write := folders{}, folders{}
	if err := parseFolders("S3ReadURIs", readURIs, read); err != nil {
		return nil, err
	}
	if err := parseFolders("S3WriteURIs", writeURIs, write); err != nil {
		return nil, err
	}
	all := folders{}
	for _, f := range []folders{read, write} {
		for b, ps := range f {
			all[b] = append(all[b], ps...)
		}
	}

	var stmts []Statement
	sids := sidSet{}
	for _, bucket := range slices.Sorted(maps.Keys(all)) {
		s := Statement{
			Sid:       sids.unique("S3ListBucket" + sidWord(bucket)),
			Effect:    EffectAllow,
			Action:    []string{"s3:ListBucket"},
			Resource:  []string{sc.s3ARN(bucket)},
			Condition: ownedByAccount(sc),
		}
		prefixes := all.minimal(bucket)
		if prefixes[0] != "" {
			var values []string
			for _, p := range prefixes {
				values = append(values, p, p+"*")
			}
			s.Condition["StringLike"] = map[string][]string{"s3:prefix": values}
		}
		stmts = append(stmts, s)
	}
	if len(all) > 0 {
		stmts = append(stmts, Statement{
			Sid:       "S3ReadObjects",
			Effect:    EffectAllow,
			Action:    []string{"s3:GetObject"},
			Resource:  all.objectARNs(sc),
			Condition: ownedByAccount(sc),
		})
	}
	if len(write) > 0 {
		stmts = append(stmts, Statement{
			Sid:       "S3WriteObjects",
			Effect:    EffectAllow,
			Action:    []string{"s3:AbortMultipartUpload", "s3:PutObject"},
			Resource:  write.objectARNs(sc),
			Condition: ownedByAccount(sc),
		})
	}
	return stmts, nil
}

// ownedByAccount limits an S3 statement to buckets this account owns
// (s3:ResourceAccount, the bucket owner's account ID).
func ownedByAccount(sc scope) Condition {
	return Condition{"StringEquals": {"s3:ResourceAccount": {sc.account}}}
}

func ecrStatements(sc scope, repos []string) ([]Statement, error) {
	if len(repos) == 0 {
		return nil, nil
	}
	if err := eachAt("ECRRepositoryARNs", repos, sc.checkECRRepositoryARN); err != nil {
		return nil, err
	}
	return []Statement{
		{
			Sid:      "ECRAuthorizationToken",
			Effect:   EffectAllow,
			Action:   []string{"ecr:GetAuthorizationToken"},
			Resource: []string{"*"},
		},
		{
			Sid:      "ECRPullImages",
			Effect:   EffectAllow,
			Action:   []string{"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"},
			Resource: repos,
		},
	}, nil
}

func cloudWatchStatements(sc scope, p Purpose) []Statement {
	var logGroups, namespaces []string
	if p.trains() {
		logGroups = append(logGroups,
			sc.arn("logs", "log-group:"+trainingLogGroup),
			sc.arn("logs", "log-group:"+trainingLogGroup+":log-stream:*"))
		namespaces = append(namespaces, trainingNamespace)
	}
	if p.processes() {
		logGroups = append(logGroups,
			sc.arn("logs", "log-group:"+processingLogGroup),
			sc.arn("logs", "log-group:"+processingLogGroup+":log-stream:*"))
		namespaces = append(namespaces, processingNamespace)
	}
	if p.hosts() {
		logGroups = append(logGroups, sc.arn("logs", "log-group:"+endpointLogGroups+"*"))
		namespaces = append(namespaces, endpointNamespace)
	}
	stmts := []Statement{
		{
			Sid:      "CloudWatchLogs",
			Effect:   EffectAllow,
			Action:   []string{"logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"},
			Resource: logGroups,
		},
		{
			Sid:       "CloudWatchMetrics",
			Effect:    EffectAllow,
			Action:    []string{"cloudwatch:PutMetricData"},
			Resource:  []string{"*"},
			Condition: Condition{"StringEquals": {"cloudwatch:namespace": namespaces}},
		},
	}
	if p.hosts() {
		stmts = append(stmts, Statement{
			Sid:      "CloudWatchDescribeAlarms",
			Effect:   EffectAllow,
			Action:   []string{"cloudwatch:DescribeAlarms"},
			Resource: []string{sc.arn("cloudwatch", "alarm:*")},
		})
	}
	return stmts
}

func kmsStatements(sc scope, keys []string) ([]Statement, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	if err := eachAt("KMSKeyARNs", keys, sc.checkKMSKeyARN); err != nil {
		return nil, err
	}
	return []Statement{kmsUseStatement(sc, nil, keys), kmsGrantStatement(sc, nil, keys)}, nil
}

func vpcStatements(sc scope, subnets, groups []string) ([]Statement, error) {
	if len(subnets) == 0 && len(groups) == 0 {
		return nil, nil
	}
	if len(subnets) == 0 || len(groups) == 0 {
		return nil, invalidSpec("SubnetIDs", "", "give both subnet IDs and security group IDs, or neither")
	}
	if err := eachAt("SubnetIDs", subnets, checkSubnetID); err != nil {
		return nil, err
	}
	if err := eachAt("SecurityGroupIDs", groups, checkSecurityGroupID); err != nil {
		return nil, err
	}
	subnetARNs := make([]string, len(subnets))
	for i, s := range subnets {
		subnetARNs[i] = sc.arn("ec2", "subnet/"+s)
	}
	createOn := append([]string{sc.arn("ec2", "network-interface/*")}, subnetARNs...)
	for _, g := range groups {
		createOn = append(createOn, sc.arn("ec2", "security-group/"+g))
	}
	return []Statement{
		{
			Sid:    "VPCDescribe",
			Effect: EffectAllow,
			Action: []string{
				"ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups",
				"ec2:DescribeSubnets", "ec2:DescribeVpcs",
			},
			Resource: []string{"*"},
		},
		{
			// CreateNetworkInterface authorizes the new interface, the subnet
			// and each security group; listing only these subnet and group
			// ARNs confines it (ec2:Subnet does not apply to this action).
			Sid:      "VPCCreateNetworkInterface",
			Effect:   EffectAllow,
			Action:   []string{"ec2:CreateNetworkInterface"},
			Resource: createOn,
		},
		{
			Sid:    "VPCManageNetworkInterfaces",
			Effect: EffectAllow,
			Action: []string{
				"ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface",
				"ec2:DeleteNetworkInterfacePermission",
			},
			Resource:  []string{sc.arn("ec2", "network-interface/*")},
			Condition: Condition{"ArnEquals": {"ec2:Subnet": subnetARNs}},
		},
	}, nil
}

// sidSet hands out unique Sids.
type sidSet map[string]bool

func (s sidSet) unique(base string) string {
	sid := base
	for n := 2; s[sid]; n++ {
		sid = fmt.Sprintf("%s%d", base, n)
	}
	s[sid] = true
	return sid
}

// sidWord turns a name into an alphanumeric CamelCase word for a Sid (IAM
// allows only [A-Za-z0-9] there): "my-data.bucket" becomes "MyDataBucket".
func sidWord(name string) string {
	words := strings.FieldsFunc(name, func(r rune) bool {
		return r >= unicode.MaxASCII || (!unicode.IsLetter(r) && !unicode.IsDigit(r))
	})
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, "")
}
