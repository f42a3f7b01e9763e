package awsclient

import (
	"os"
	"sort"
	"strings"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

// Services are the AWS services the provider calls, by the key used in the
// provider's `endpoints` block. EnvSuffix is the service's part of
// AWS_ENDPOINT_URL_<SERVICE> as the AWS SDKs define it (the SDK service ID,
// upper-cased, spaces to underscores).
var Services = []struct {
	Key       string
	EnvSuffix string
}{
	{"budgets", "BUDGETS"},
	{"application_autoscaling", "APPLICATION_AUTO_SCALING"},
	{"cloudtrail", "CLOUDTRAIL"},
	{"cloudwatch", "CLOUDWATCH"},
	{"ec2", "EC2"},
	{"iam", "IAM"},
	{"kms", "KMS"},
	{"logs", "CLOUDWATCH_LOGS"},
	{"resourcegroupstaggingapi", "RESOURCE_GROUPS_TAGGING_API"},
	{"s3", "S3"},
	{"sagemaker", "SAGEMAKER"},
	{"scheduler", "SCHEDULER"},
	{"sns", "SNS"},
	{"sts", "STS"},
}

// ServiceKeys lists the keys of Services, sorted.
func ServiceKeys() []string {
	keys := make([]string, 0, len(Services))
	for _, s := range Services {
		keys = append(keys, s.Key)
	}
	sort.Strings(keys)
	return keys
}

// ResolveEndpoints returns the custom endpoint of every service that has one,
// in the order of precedence hashicorp/aws users know: the provider's
// `endpoints` block, then AWS_ENDPOINT_URL_<SERVICE>, then the provider's
// `endpoint_url`, then AWS_ENDPOINT_URL. Services without one use AWS's
// default (always https) endpoints. lookupEnv is os.LookupEnv outside tests.
func ResolveEndpoints(endpointURL string, perService map[string]string, lookupEnv func(string) (string, bool)) map[string]facts.Endpoint {
	if lookupEnv == nil {
		lookupEnv = os.LookupEnv
	}
	if v, ok := lookupEnv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"); ok && strings.EqualFold(v, "true") {
		lookupEnv = func(string) (string, bool) { return "", false }
	}
	out := map[string]facts.Endpoint{}
	for _, s := range Services {
		candidates := []facts.Endpoint{
			{Service: s.Key, URL: perService[s.Key], Source: "endpoints." + s.Key},
			{Service: s.Key, URL: env(lookupEnv, "AWS_ENDPOINT_URL_"+s.EnvSuffix), Source: "AWS_ENDPOINT_URL_" + s.EnvSuffix},
			{Service: s.Key, URL: endpointURL, Source: "endpoint_url"},
			{Service: s.Key, URL: env(lookupEnv, "AWS_ENDPOINT_URL"), Source: "AWS_ENDPOINT_URL"},
		}
		for _, c := range candidates {
			if strings.TrimSpace(c.URL) != "" {
				c.URL = strings.TrimSpace(c.URL)
				out[s.Key] = c
				break
			}
		}
	}
	return out
}

func env(lookupEnv func(string) (string, bool), name string) string {
	v, _ := lookupEnv(name)
	return v
}
