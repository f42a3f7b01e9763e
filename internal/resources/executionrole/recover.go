package executionrole

import (
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
)

// recoveredInputs are the inputs read back from documents sagesafe
// generated, for import.
type recoveredInputs struct {
	purpose                                   string
	read, write, keys, repos, subnets, groups []string
}

// recoverInputs reads the inputs back from a role's trust policy and its
// generated inline policy, by the Sids iampolicy.ExecutionPolicy writes.
// S3 locations come back in normalized form (s3://bucket/prefix/, or
// s3://bucket for a whole bucket), and a read location inside a write
// location is not distinguishable from it; both render the same policy.
// Documents sagesafe did not generate yield what matches (often nothing).
func recoverInputs(trust, policy string) recoveredInputs {
	var out recoveredInputs
	if doc, err := iampolicy.Parse(policy); err == nil {
		var readObjects, writeObjects []string
		trains, hosts, processes := false, false, false
		for _, s := range doc.Statement {
			switch s.Sid {
			case "S3ReadObjects":
				readObjects = s.Resource
			case "S3WriteObjects":
				writeObjects = s.Resource
			case "AllowUseViaSageMakerAndS3":
				out.keys = append(out.keys, s.Resource...)
			case "ECRPullImages":
				out.repos = append(out.repos, s.Resource...)
			case "VPCManageNetworkInterfaces":
				out.subnets = append(out.subnets, resourceIDs(s.Condition["ArnEquals"]["ec2:Subnet"], "ec2", "subnet/")...)
			case "VPCCreateNetworkInterface":
				out.groups = append(out.groups, resourceIDs(s.Resource, "ec2", "security-group/")...)
			case "CloudWatchLogs":
				trains = trains || len(resourceIDs(s.Resource, "logs", "log-group:/aws/sagemaker/TrainingJobs")) > 0
				hosts = hosts || len(resourceIDs(s.Resource, "logs", "log-group:/aws/sagemaker/Endpoints/")) > 0
				processes = processes || len(resourceIDs(s.Resource, "logs", "log-group:/aws/sagemaker/ProcessingJobs")) > 0
			}
		}
		for _, a := range writeObjects {
			if uri, ok := iampolicy.ObjectARNToURI(a); ok {
				out.write = append(out.write, uri)
			}
		}
		for _, a := range readObjects {
			if uri, ok := iampolicy.ObjectARNToURI(a); ok && !slices.Contains(writeObjects, a) {
				out.read = append(out.read, uri)
			}
		}
		switch {
		case trains && hosts:
			out.purpose = string(iampolicy.PurposeTrainingAndInference)
		case trains:
			out.purpose = string(iampolicy.PurposeTraining)
		case hosts:
			out.purpose = string(iampolicy.PurposeInference)
		case processes:
			out.purpose = string(iampolicy.PurposeProcessing)
		}
	}
	if out.purpose == "" {
		out.purpose = purposeFromTrust(trust)
	}
	for _, l := range []*[]string{&out.read, &out.write, &out.keys, &out.repos, &out.subnets, &out.groups} {
		slices.Sort(*l)
		*l = slices.Compact(*l)
	}
	return out
}

// purposeFromTrust tells training-only trust (aws:SourceArn
// ...:training-job/*) and processing-only trust (...:processing-job/*) from
// the broad form; "" when the trust is not a
// SageMaker trust at all.
func purposeFromTrust(trust string) string {
	doc, err := iampolicy.Parse(trust)
	if err != nil {
		return ""
	}
	for _, s := range doc.Statement {
		for _, source := range s.Condition["ArnLike"]["aws:SourceArn"] {
			a, err := arn.Parse(source)
			switch {
			case err != nil || a.Service != "sagemaker":
			case a.Resource == "training-job/*":
				return string(iampolicy.PurposeTraining)
			case a.Resource == "processing-job/*":
				return string(iampolicy.PurposeProcessing)
			default:
				return string(iampolicy.PurposeTrainingAndInference)
			}
		}
	}
	return ""
}

// resourceIDs returns, for each ARN of service whose resource starts with
// prefix, the rest of the resource (the subnet or group ID after
// "subnet/"); other values are skipped.
func resourceIDs(arns []string, service, prefix string) []string {
	var ids []string
	for _, s := range arns {
		a, err := arn.Parse(s)
		if err != nil || a.Service != service {
			continue
		}
		if id, ok := strings.CutPrefix(a.Resource, prefix); ok {
			ids = append(ids, id)
		}
	}
	return ids
}
