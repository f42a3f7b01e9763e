package iampolicy

import (
	"regexp"
	"strings"
)

var endpointARNRE = regexp.MustCompile(`^arn:(aws|aws-us-gov):sagemaker:([a-z]{2}(-[a-z]+)+-[0-9]+):([0-9]{12}):endpoint/(.+)$`)

// InvokePolicy builds an identity policy that lets its holder invoke one
// SageMaker endpoint (sagemaker:InvokeEndpoint and
// sagemaker:InvokeEndpointWithResponseStream) and nothing else. When VPC
// endpoint IDs are given, calls are allowed only through them
// (aws:SourceVpce), so the endpoint cannot be invoked from the internet with
// leaked credentials.
//
// SageMaker evaluates endpoint ARNs in lower case, so the endpoint name in
// the ARN is lower-cased (an ARN with "MyEndpoint" would otherwise never
// match). Wildcards and malformed ARNs or IDs are refused.
func InvokePolicy(endpointARN string, vpceIDs []string) (Document, error) {
	if err := checkExact(endpointARN); err != nil {
		return Document{}, at(err, "EndpointARN", -1)
	}
	m := endpointARNRE.FindStringSubmatch(endpointARN)
	if m == nil || !endpointNameRE.MatchString(m[5]) {
		return Document{}, at(newError(ErrInvalidARN, "", endpointARN,
			"expected a SageMaker endpoint ARN (arn:<partition>:sagemaker:<region>:<account>:endpoint/<name>)"),
			"EndpointARN", -1)
	}
	if err := eachAt("VPCEndpointIDs", vpceIDs, checkVPCEndpointID); err != nil {
		return Document{}, err
	}
	s := Statement{
		Sid:      "InvokeEndpoint",
		Effect:   EffectAllow,
		Action:   []string{"sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithResponseStream"},
		Resource: []string{strings.TrimSuffix(endpointARN, m[5]) + strings.ToLower(m[5])},
	}
	if len(vpceIDs) > 0 {
		s.Condition = Condition{"StringEquals": {"aws:SourceVpce": vpceIDs}}
	}
	return Document{Version: PolicyVersion, Statement: []Statement{s}}, nil
}
