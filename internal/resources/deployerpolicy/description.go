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
	"trail's bucket by its `sagesafe-audit-<account>-` name; key aliases to `alias/<name_prefix>*`; `iam:PassRole` by " +
	"`pass_role_arns`. KMS keys and VPC objects have IDs AWS assigns, so they are narrowed by the tag sagesafe puts on " +
	"everything it creates, at create time (`sagesafe:creation-token`): creates only with that tag in the request " +
	"(`aws:RequestTag`; EC2 tags at create only by the create actions, `ec2:CreateAction`), every other write only on " +
	"objects that carry it (`aws:ResourceTag`: key policy, rotation, deletion, tags; VPC, subnet, route table, " +
	"security group, endpoint and flow-log changes and deletes), and removing the tag is denied. Left without the tag " +
	"condition: revoking the rules of a VPC's default security group and detaching an internet gateway attached " +
	"outside sagesafe (objects AWS or someone else made, which carry no tag; both only close access, and the detach " +
	"still needs the tagged VPC), and `kms:TagResource` with the tag in the request on every key (AWS authorizes a " +
	"new key's tags that way, before the key exists; it also lets the identity put the tag on an existing key whose " +
	"key policy delegates to IAM). The tag marks objects made by sagesafe, not by this stack: the scoped writes reach " +
	"every sagesafe-made key and VPC object of the account. Application Auto Scaling writes stay on `\"*\"` " +
	"(sagesafe registers scalable targets without tags, and their ARNs carry IDs AWS assigns), limited to SageMaker " +
	"variants' instance counts (`application-autoscaling:service-namespace`, `scalable-dimension`). Reads are on `\"*\"`.\n\n" +
	"**Permissions boundary.** An identity that may create IAM roles and give them inline policies (what " +
	"`sagesafe_execution_role`, `sagesafe_persona_role`, the network's flow-log role, the trail's delivery role and the " +
	"monitor's scheduler role need) can make a role under `name_prefix` that trusts itself and grants more than this " +
	"policy: IAM has no condition on a role's trust policy or inline policy content. **Without " +
	"`permissions_boundary_arn` this escalation is open** (the data source warns), and only an SCP " +
	"(`sagesafe_guardrail_policy` is one) or a prefix no other role starts with limits it. With it, every role write " +
	"that IAM can condition on a boundary (`iam:PermissionsBoundary`: CreateRole, PutRolePolicy, " +
	"PutRolePermissionsBoundary, UpdateAssumeRolePolicy, DeleteRolePolicy, DetachRolePolicy, UpdateRole, DeleteRole) " +
	"is granted only for roles that carry that boundary, `iam:DeleteRolePermissionsBoundary` is denied, and so are " +
	"new versions and deletion of the boundary policy itself. `name_prefix` is required for types that make or pass " +
	"roles (`role/*` would include the deployer's own role).\n\n" +
	"**What it does not stop** (red team, issue 15; pair it with `sagesafe_guardrail_policy` as an SCP and with a " +
	"`name_prefix` ending in a separator, such as `churn-`, that no other team's names start with):\n" +
	"- SageMaker creates: the policy denies, as `sagesafe_guardrail_policy` does, a training or processing job, model " +
	"or endpoint configuration without a VPC, network isolation, inter-container encryption or keys (statements " +
	"`SagesafeGuard*`), but it cannot hold every guardrail (private subnets, approved images, alarms): those bind the " +
	"provider, and `sagesafe_guardrail_policy` as an SCP binds every caller.\n" +
	"- `iam:PassRole` cannot be conditioned on a boundary: a role under the prefix made before the boundary, or by " +
	"someone else, can be passed to SageMaker (or to Scheduler, VPC Flow Logs, CloudTrail). SS-IAM-5 refuses such " +
	"a role in sagesafe's own resources; remove or bound the prefix's old roles. A prefix without a separator " +
	"(`churn`) also matches `churnadmin`, and it must not match the deployer's own role.\n" +
	"- Objects narrowed by a shared name or tag are shared between stacks of the account: every team's audit bucket " +
	"(`sagesafe-audit-<account>-*`), alarms named `sagesafe-*`, log groups under `/aws/sagemaker/` and `/sagesafe/`, " +
	"and every sagesafe-made key and VPC object. One deployer per account, or an SCP, keeps stacks apart.\n" +
	"- A trust policy may name any principal: the boundary caps what a role can do, not who may assume it.\n" +
	"- The credentials the identity uses to reach AWS (`sts:AssumeRole` on its own role, OIDC), and reading " +
	"objects of other Terraform providers.\n\n" +
	"Tested by applying and destroying the golden path, and a key, network, execution role and training job, as an " +
	"identity holding only this policy, on an emulator that enforces IAM. That emulator judges actions, not " +
	"resources or conditions, so the name scoping and `iam:PassedToService` are judged by an IAM policy simulator " +
	"instead (keys judged with a key policy that delegates to IAM); real AWS stays the final judge. It makes no AWS calls beyond the account lookup the provider does " +
	"when it is configured."

// boundaryDescription is permissions_boundary_arn's description.
const boundaryDescription = "The customer managed policy (ARN, of this account; an AWS managed policy such as " +
	"`AdministratorAccess` caps nothing and is refused) every IAM role these types make must carry as its permissions " +
	"boundary. The provider's `guardrails.role_permissions_boundary_arn` must name the same policy, so that sagesafe " +
	"sets it on every role it creates; a role without it, or with another, cannot be created or changed by this identity. " +
	"The boundary should allow what sagesafe's roles need and nothing of IAM: SageMaker jobs, endpoints and " +
	"monitoring, reads and writes of the data buckets, use of the KMS keys, CloudWatch Logs and metrics, ECR image " +
	"pulls, VPC network interfaces for workloads in a VPC, and `sagemaker:StartMonitoringSchedule` for the " +
	"monitor's scheduler role; no `iam:*`, `sts:AssumeRole` or `organizations:*`. Without it, the role writes allow " +
	"escalation (see the description above)."
