package deployerpolicy

import "regexp"

// roleARN is an IAM role ARN without wildcards.
var roleARN = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]+$`)

const description = "The least-privilege IAM policy for the identity that runs `terraform plan`, `apply` and " +
	"`destroy` of the given sagesafe types (a CI/CD role): every AWS call the provider makes for them, the " +
	"plan-time lookups (`Describe*`, `Get*`, `List*`) included, under the IAM action names AWS authorizes them with, " +
	"and the permissions AWS checks besides (`iam:PassRole`, limited by `iam:PassedToService`; for endpoints, the " +
	"Application Auto Scaling service-linked role). It is rendered from the provider's one inventory of AWS calls, " +
	"which the provider's tests keep equal to the calls its code makes, so it grants no action the provider never calls.\n\n" +
	"Writes are narrowed where IAM allows: IAM roles, SageMaker objects, budgets, schedules and trails by `name_prefix`; " +
	"alarms to `sagesafe-*` and `<name_prefix>*`; log groups to `/aws/sagemaker/*` and `/sagesafe/*`; the audit " +
	"trail's bucket by its `sagesafe-audit-<account>-` name; `iam:PassRole` by `pass_role_arns`. Reads, and the " +
	"writes of keys, VPC objects and Application Auto Scaling (whose objects have IDs AWS assigns), are on `\"*\"`.\n\n" +
	"**What it cannot prevent.** An identity that may create IAM roles and give them inline policies (what " +
	"`sagesafe_execution_role`, `sagesafe_persona_role`, the network's flow-log role, the trail's delivery role and the " +
	"monitor's scheduler role need) can make a role under `name_prefix` that trusts itself and grants more than this " +
	"policy; IAM has no condition on a role's trust policy or inline policy content. So `name_prefix` is required " +
	"for types that make or pass roles (`role/*` would include the deployer's own role), choose a prefix no other " +
	"role of the account starts with, and cap what the deployer's roles can do with a permissions boundary or an " +
	"SCP (`sagesafe_guardrail_policy` is one). The writes on `\"*\"` above (keys, VPC objects, scaling targets) " +
	"reach the account's objects of those services, not only sagesafe's.\n\n" +
	"Not covered: the credentials the identity uses to reach AWS (`sts:AssumeRole` on its own role, OIDC), and " +
	"reading objects of other Terraform providers.\n\n" +
	"Tested by applying and destroying the golden path, and a key, network, execution role and training job, as an " +
	"identity holding only this policy, on an emulator that enforces IAM. That emulator judges actions, not " +
	"resources or conditions, so the name scoping and `iam:PassedToService` are judged by an IAM policy simulator " +
	"instead; real AWS stays the final judge. It makes no AWS calls beyond the account lookup the provider does " +
	"when it is configured."
