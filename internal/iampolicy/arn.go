package iampolicy

import (
	"fmt"
	"regexp"
	"strings"
)

// supportedPartitions are the partitions whose service principals and
// kms:ViaService names the builders know: both use the amazonaws.com DNS
// suffix. China (amazonaws.com.cn) and the ISO partitions are refused rather
// than guessed.
var supportedPartitions = map[string]bool{"aws": true, "aws-us-gov": true}

const dnsSuffix = "amazonaws.com"

var (
	regionRE  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)

	subnetIDRE        = regexp.MustCompile(`^subnet-([0-9a-f]{8}|[0-9a-f]{17})$`)
	securityGroupIDRE = regexp.MustCompile(`^sg-([0-9a-f]{8}|[0-9a-f]{17})$`)
	vpceIDRE          = regexp.MustCompile(`^vpce-([0-9a-f]{8}|[0-9a-f]{17})$`)

	kmsKeyIDRE     = regexp.MustCompile(`^(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`)
	ecrRepoRE      = regexp.MustCompile(`^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$`)
	iamPathNameRE  = regexp.MustCompile(`^(role|user)/([\x21-\x7e]*/)?[\w+=,.@-]{1,128}$`)
	endpointNameRE = regexp.MustCompile(`^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$`)
	logGroupNameRE = regexp.MustCompile(`^[.\-_/#A-Za-z0-9]{1,512}$`)
)

// scope is the partition, region and account documents are built for.
type scope struct {
	partition, region, account string
}

func newScope(partition, region, account string) (scope, error) {
	if !supportedPartitions[partition] {
		return scope{}, invalidSpec("Partition", partition, "partition must be aws or aws-us-gov")
	}
	if !regionRE.MatchString(region) {
		return scope{}, invalidSpec("Region", region, "region must look like us-east-1")
	}
	if !accountRE.MatchString(account) {
		return scope{}, invalidSpec("AccountID", account, "account ID must be 12 digits")
	}
	return scope{partition: partition, region: region, account: account}, nil
}

// arn builds a regional ARN in this account.
func (s scope) arn(service, resource string) string {
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", s.partition, service, s.region, s.account, resource)
}

// s3ARN builds an S3 bucket or object ARN (S3 ARNs carry no region or account).
func (s scope) s3ARN(resource string) string {
	return fmt.Sprintf("arn:%s:s3:::%s", s.partition, resource)
}

// rootARN is the ARN of the account root principal.
func (s scope) rootARN() string {
	return fmt.Sprintf("arn:%s:iam::%s:root", s.partition, s.account)
}

// regionalHost is a regional service name as used by kms:ViaService and by
// regional service principals ("logs.us-east-1.amazonaws.com").
func (s scope) regionalHost(service string) string {
	return fmt.Sprintf("%s.%s.%s", service, s.region, dnsSuffix)
}

// servicePrincipal is a global service principal ("sagemaker.amazonaws.com").
func servicePrincipal(service string) string { return service + "." + dnsSuffix }

// checkExact refuses wildcards and IAM policy variables: IAM would expand
// "*", "?" and "${...}" in a Resource or ArnLike value, turning an exact
// grant into a broad one.
func checkExact(value string) error {
	if strings.ContainsAny(value, "*?") || strings.Contains(value, "${") {
		return newError(ErrWildcard, controlLeastPrivilege, value,
			"wildcards (*, ?) and policy variables (${...}) are not allowed; name the exact resource")
	}
	return nil
}

// arnParts is a split ARN.
type arnParts struct {
	partition, service, region, account, resource string
}

// splitARN splits an ARN and checks it belongs to this partition and service.
func (s scope) splitARN(value, service, what string) (arnParts, error) {
	if err := checkExact(value); err != nil {
		return arnParts{}, err
	}
	f := strings.SplitN(value, ":", 6)
	if len(f) != 6 || f[0] != "arn" {
		return arnParts{}, newError(ErrInvalidARN, "", value, "not an ARN; expected "+what)
	}
	p := arnParts{partition: f[1], service: f[2], region: f[3], account: f[4], resource: f[5]}
	if p.service != service {
		return arnParts{}, newError(ErrInvalidARN, "", value, "expected "+what)
	}
	if p.partition != s.partition {
		return arnParts{}, newError(ErrInvalidARN, "", value,
			fmt.Sprintf("partition %q does not match the provider's partition %q", p.partition, s.partition))
	}
	return p, nil
}

// checkKMSKeyARN accepts a KMS key ARN (not an alias) in this partition and
// region: SageMaker, S3 and CloudWatch Logs use keys in their own region
// only, and IAM matches key usage against the key ARN, never an alias.
func (s scope) checkKMSKeyARN(value string) error {
	const what = "a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<key-id>)"
	p, err := s.splitARN(value, "kms", what)
	if err != nil {
		return err
	}
	id, isKey := strings.CutPrefix(p.resource, "key/")
	switch {
	case strings.HasPrefix(p.resource, "alias/"):
		return newError(ErrInvalidARN, "", value, "an alias ARN cannot scope key usage; use the key ARN")
	case !isKey || !kmsKeyIDRE.MatchString(id) || !accountRE.MatchString(p.account):
		return newError(ErrInvalidARN, "", value, "expected "+what)
	case p.region != s.region:
		return newError(ErrInvalidARN, "", value,
			fmt.Sprintf("key is in region %q but the workload runs in %q", p.region, s.region))
	}
	return nil
}

// checkECRRepositoryARN accepts an ECR repository ARN in this partition.
func (s scope) checkECRRepositoryARN(value string) error {
	const what = "an ECR repository ARN (arn:<partition>:ecr:<region>:<account>:repository/<name>)"
	p, err := s.splitARN(value, "ecr", what)
	if err != nil {
		return err
	}
	name, ok := strings.CutPrefix(p.resource, "repository/")
	if !ok || len(name) < 2 || len(name) > 256 || !ecrRepoRE.MatchString(name) ||
		!regionRE.MatchString(p.region) || !accountRE.MatchString(p.account) {
		return newError(ErrInvalidARN, "", value, "expected "+what)
	}
	return nil
}

// checkPrincipalARN accepts an IAM role or user ARN in this partition. The
// account root is refused: the key policy already lets the account
// administer the key through IAM, and naming root again would grant use.
func (s scope) checkPrincipalARN(value string) error {
	if value == "*" {
		return newError(ErrWildcard, controlLeastPrivilege, value, "a wildcard principal is never allowed")
	}
	if err := checkExact(value); err != nil {
		return err
	}
	const what = "an IAM role or user ARN (arn:<partition>:iam::<account>:role/<name>)"
	f := strings.SplitN(value, ":", 6)
	if len(f) != 6 || f[0] != "arn" || f[2] != "iam" || f[3] != "" || !accountRE.MatchString(f[4]) {
		return newError(ErrInvalidPrincipal, "", value, "expected "+what)
	}
	if f[1] != s.partition {
		return newError(ErrInvalidPrincipal, "", value,
			fmt.Sprintf("partition %q does not match the provider's partition %q", f[1], s.partition))
	}
	if f[5] == "root" {
		return newError(ErrInvalidPrincipal, "", value,
			"the account root already administers the key through IAM; name roles or users")
	}
	if !iamPathNameRE.MatchString(f[5]) {
		return newError(ErrInvalidPrincipal, "", value, "expected "+what)
	}
	return nil
}

// checkID accepts an EC2-style identifier such as a subnet ID.
func checkID(re *regexp.Regexp, what string) func(string) error {
	return func(value string) error {
		if err := checkExact(value); err != nil {
			return err
		}
		if !re.MatchString(value) {
			return newError(ErrInvalidARN, "", value, "expected "+what)
		}
		return nil
	}
}

var (
	checkSubnetID        = checkID(subnetIDRE, "a subnet ID (subnet-0123456789abcdef0)")
	checkSecurityGroupID = checkID(securityGroupIDRE, "a security group ID (sg-0123456789abcdef0)")
	checkVPCEndpointID   = checkID(vpceIDRE, "a VPC endpoint ID (vpce-0123456789abcdef0)")
)
