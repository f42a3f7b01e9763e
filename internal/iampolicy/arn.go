package iampolicy

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/hashicorp/aws-sdk-go-base/v2/endpoints"
)

// supportedPartitions are the partitions whose service principals and
// kms:ViaService names the builders know. China (amazonaws.com.cn) and the
// ISO partitions are refused rather than guessed: their service principal
// names are not simply "<service>.<DNS suffix>" for every service.
var supportedPartitions = []string{endpoints.AwsPartitionID, endpoints.AwsUsGovPartitionID}

// servicePrincipalSuffix ends the global service principal names
// ("sagemaker.amazonaws.com"), which are the same in both supported
// partitions; they are names, not hosts, so they do not follow the
// partition's DNS suffix.
const servicePrincipalSuffix = "amazonaws.com"

// partitionDNSSuffix is the DNS suffix of a partition ("amazonaws.com"), from
// aws-sdk-go-base's endpoints table, the one the AWS provider uses.
func partitionDNSSuffix(partition string) (string, bool) {
	for _, p := range endpoints.DefaultPartitions() {
		if p.ID() == partition {
			return p.DNSSuffix(), true
		}
	}
	return "", false
}

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

// scope is the partition, region and account documents are built for, with
// the partition's DNS suffix.
type scope struct {
	partition, region, account string
	dnsSuffix                  string
}

func newScope(partition, region, account string) (scope, error) {
	dnsSuffix, known := partitionDNSSuffix(partition)
	if !known || !slices.Contains(supportedPartitions, partition) {
		return scope{}, invalidSpec("Partition", partition, "partition must be aws or aws-us-gov")
	}
	if !regionRE.MatchString(region) {
		return scope{}, invalidSpec("Region", region, "region must look like us-east-1")
	}
	if !accountRE.MatchString(account) {
		return scope{}, invalidSpec("AccountID", account, "account ID must be 12 digits")
	}
	return scope{partition: partition, region: region, account: account, dnsSuffix: dnsSuffix}, nil
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
	return fmt.Sprintf("%s.%s.%s", service, s.region, s.dnsSuffix)
}

// servicePrincipal is a global service principal ("sagemaker.amazonaws.com").
func servicePrincipal(service string) string { return service + "." + servicePrincipalSuffix }

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

// splitARN parses an ARN and checks it belongs to this partition and service.
func (s scope) splitARN(value, service, what string) (arn.ARN, error) {
	if err := checkExact(value); err != nil {
		return arn.ARN{}, err
	}
	p, err := arn.Parse(value)
	if err != nil {
		return arn.ARN{}, newError(ErrInvalidARN, "", value, "not an ARN; expected "+what)
	}
	if p.Service != service {
		return arn.ARN{}, newError(ErrInvalidARN, "", value, "expected "+what)
	}
	if p.Partition != s.partition {
		return arn.ARN{}, newError(ErrInvalidARN, "", value,
			fmt.Sprintf("partition %q does not match the provider's partition %q", p.Partition, s.partition))
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
	id, isKey := strings.CutPrefix(p.Resource, "key/")
	switch {
	case strings.HasPrefix(p.Resource, "alias/"):
		return newError(ErrInvalidARN, "", value, "an alias ARN cannot scope key usage; use the key ARN")
	case !isKey || !kmsKeyIDRE.MatchString(id) || !accountRE.MatchString(p.AccountID):
		return newError(ErrInvalidARN, "", value, "expected "+what)
	case p.Region != s.region:
		return newError(ErrInvalidARN, "", value,
			fmt.Sprintf("key is in region %q but the workload runs in %q", p.Region, s.region))
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
	name, ok := strings.CutPrefix(p.Resource, "repository/")
	if !ok || len(name) < 2 || len(name) > 256 || !ecrRepoRE.MatchString(name) ||
		!regionRE.MatchString(p.Region) || !accountRE.MatchString(p.AccountID) {
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
	p, err := arn.Parse(value)
	if err != nil || p.Service != "iam" || p.Region != "" || !accountRE.MatchString(p.AccountID) {
		return newError(ErrInvalidPrincipal, "", value, "expected "+what)
	}
	if p.Partition != s.partition {
		return newError(ErrInvalidPrincipal, "", value,
			fmt.Sprintf("partition %q does not match the provider's partition %q", p.Partition, s.partition))
	}
	if p.Resource == "root" {
		return newError(ErrInvalidPrincipal, "", value,
			"the account root already administers the key through IAM; name roles or users")
	}
	if !iamPathNameRE.MatchString(p.Resource) {
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
