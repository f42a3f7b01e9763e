package executionrole

import (
	"slices"
	"strings"

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
		trains, hosts := false, false
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
				for _, arn := range s.Condition["ArnEquals"]["ec2:Subnet"] {
					if _, id, ok := strings.Cut(arn, ":subnet/"); ok {
						out.subnets = append(out.subnets, id)
					}
				}
			case "VPCCreateNetworkInterface":
				for _, arn := range s.Resource {
					if _, id, ok := strings.Cut(arn, ":security-group/"); ok {
						out.groups = append(out.groups, id)
					}
				}
			case "CloudWatchLogs":
				for _, arn := range s.Resource {
					trains = trains || strings.Contains(arn, ":log-group:/aws/sagemaker/TrainingJobs")
					hosts = hosts || strings.Contains(arn, ":log-group:/aws/sagemaker/Endpoints/")
				}
			}
		}
		for _, arn := range writeObjects {
			if uri, ok := objectARNToURI(arn); ok {
				out.write = append(out.write, uri)
			}
		}
		for _, arn := range readObjects {
			if uri, ok := objectARNToURI(arn); ok && !slices.Contains(writeObjects, arn) {
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
// ...:training-job/*) from the broad form; "" when the trust is not a
// SageMaker trust at all.
func purposeFromTrust(trust string) string {
	doc, err := iampolicy.Parse(trust)
	if err != nil {
		return ""
	}
	for _, s := range doc.Statement {
		for _, arn := range s.Condition["ArnLike"]["aws:SourceArn"] {
			if strings.HasSuffix(arn, ":training-job/*") {
				return string(iampolicy.PurposeTraining)
			}
			if strings.HasPrefix(arn, "arn:") && strings.Contains(arn, ":sagemaker:") {
				return string(iampolicy.PurposeTrainingAndInference)
			}
		}
	}
	return ""
}

// objectARNToURI turns arn:<partition>:s3:::bucket/prefix* back into
// s3://bucket/prefix (the whole bucket, bucket/*, becomes s3://bucket).
func objectARNToURI(arn string) (string, bool) {
	_, rest, ok := strings.Cut(arn, ":s3:::")
	if !ok || !strings.HasSuffix(rest, "*") {
		return "", false
	}
	bucket, prefix, _ := strings.Cut(strings.TrimSuffix(rest, "*"), "/")
	if prefix == "" {
		return "s3://" + bucket, true
	}
	return "s3://" + bucket + "/" + prefix, true
}
