package iampolicy

import (
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/validators"
)

// The descriptions and validators of RoleInputs, written once for the
// schemas of sagesafe_execution_role and sagesafe_execution_role_policy.

// PurposeDescription documents the purpose attribute.
var PurposeDescription = "What the role is for: `" + strings.Join(PurposeValues(), "`, `") + "`. " +
	"It selects the trust policy's `aws:SourceArn` (`training-job/*` for `training`, `processing-job/*` for `processing`; " +
	"AWS requires `...:<account>:*` for hosting, so `inference` and `training_and_inference` get that) and the permission " +
	"sections: CloudWatch Logs under `/aws/sagemaker/TrainingJobs`, `/aws/sagemaker/ProcessingJobs` and/or " +
	"`/aws/sagemaker/Endpoints/*`, metrics in SageMaker's namespaces, and " +
	"`cloudwatch:DescribeAlarms` for inference (blue/green auto-rollback reads the alarms)."

// PurposeValidators validate the purpose attribute; an unknown value is
// refused with the list of allowed values.
func PurposeValidators() []validator.String {
	return []validator.String{stringvalidator.OneOf(PurposeValues()...)}
}

// SetInput describes one set-of-strings input for both schemas.
type SetInput struct {
	Name        string
	Description string
	Validators  []validator.Set
}

// RoleSetInputs are the set-valued inputs, in documentation order.
func RoleSetInputs() []SetInput {
	elems := func(extra ...validator.String) []validator.Set {
		if len(extra) == 0 {
			return nil
		}
		return []validator.Set{setvalidator.ValueStringsAre(extra...)}
	}
	return []SetInput{
		{
			Name: "s3_read_uris",
			Description: "`s3://bucket/prefix` locations the role may read. Each gives bucket-level `s3:ListBucket` with an " +
				"`s3:prefix` condition and `s3:GetObject` on `bucket/prefix/*` only (a prefix is always a folder, so " +
				"`s3://b/data` never reaches `b/data2/`). Wildcards are refused (SS-IAM-2); so are `https://` or other " +
				"non-`s3://` URLs (SS-TLS-2).",
			Validators: elems(),
		},
		{
			Name: "s3_write_uris",
			Description: "`s3://bucket/prefix` locations the role may read, list and write (`s3:PutObject`, " +
				"`s3:AbortMultipartUpload`; never `s3:DeleteObject`): model artifacts, checkpoints, data capture. Same rules as `s3_read_uris`.",
			Validators: elems(),
		},
		{
			Name: "kms_key_arns",
			Description: "KMS key ARNs (not aliases) in the provider's region the role may use, only through SageMaker and S3 " +
				"(`kms:ViaService`), with grants only for AWS resources (`kms:GrantIsForAWSResource`): the same statements " +
				"as `sagesafe_kms_key`'s key policy. Leave a key out here when the role is one of that key's `users` " +
				"(the key policy already grants it, and listing both is a dependency cycle).",
			Validators: elems(validators.ARN("kms")),
		},
		{
			Name: "ecr_repository_arns",
			Description: "ECR repository ARNs the role may pull images from (`ecr:BatchGetImage`, " +
				"`ecr:GetDownloadUrlForLayer`, `ecr:BatchCheckLayerAvailability`), plus `ecr:GetAuthorizationToken`, which " +
				"accepts only `*`.",
			Validators: elems(validators.ARN("ecr")),
		},
		{
			Name: "vpc_subnet_ids",
			Description: "Subnets SageMaker may create the workload's network interfaces in. `ec2:CreateNetworkInterface` is " +
				"granted only on these subnets' and security groups' ARNs; deleting interfaces and managing their " +
				"permissions only on interfaces in these subnets (`ec2:Subnet`). Give `vpc_security_group_ids` too.",
			Validators: elems(stringvalidator.RegexMatches(validators.SubnetIDRegexp, "must be a subnet ID (subnet-...)")),
		},
		{
			Name:        "vpc_security_group_ids",
			Description: "Security groups of the workload's network interfaces. Give `vpc_subnet_ids` too.",
			Validators:  elems(stringvalidator.RegexMatches(validators.SecurityGroupIDRegexp, "must be a security group ID (sg-...)")),
		},
	}
}
