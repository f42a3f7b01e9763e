package posture

import (
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

const (
	testRoleARN = "arn:aws:iam::123456789012:role/service-role/sagemaker-exec"

	goodTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Principal":{"Service":"sagemaker.amazonaws.com"},
		"Action":["sts:AssumeRole","sts:SetSourceIdentity"],
		"Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"},
		             "ArnLike":{"aws:SourceArn":"arn:aws:sagemaker:us-east-1:123456789012:*"}}}]}`

	// noConditionTrust is the trust document SageMaker Role Manager writes.
	noConditionTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
)

func TestAssessRoleTrust(t *testing.T) {
	tests := []struct {
		name        string
		trust       string
		wantProblem []string // substrings, one per TrustProblem
		wantMissing []string // substrings, one per MissingCondition
	}{
		{name: "good trust with conditions", trust: goodTrust},
		{name: "good trust, URL-encoded as IAM returns it", trust: url.QueryEscape(goodTrust)},
		{
			name: "condition operators and keys are case-insensitive",
			trust: `{"Statement":{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole",
				"Condition":{"stringlike":{"AWS:SourceAccount":"123456789012"},"ArnEquals":{"aws:sourcearn":"arn:aws:sagemaker:us-east-1:123456789012:training-job/x"}}}}`,
		},
		{
			name:        "missing conditions",
			trust:       noConditionTrust,
			wantMissing: []string{"without an aws:SourceAccount condition", "without an aws:SourceArn condition"},
		},
		{
			name: "wildcard condition value counts as missing; other operators do not count",
			trust: `{"Statement":{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole",
				"Condition":{"StringLike":{"aws:SourceAccount":"*"},"StringNotEquals":{"aws:SourceArn":"arn:aws:sagemaker:us-east-1:1:x"}}}}`,
			wantMissing: []string{"aws:SourceAccount", "aws:SourceArn"},
		},
		{
			name:        "wildcard principal",
			trust:       `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}`,
			wantProblem: []string{`statement 0 trusts every principal ("*")`, "no trust statement allows sagemaker.amazonaws.com"},
		},
		{
			name: "AWS account and other service next to SageMaker",
			trust: `{"Statement":[{"Sid":"Mixed","Effect":"Allow",
				"Principal":{"Service":["sagemaker.amazonaws.com","ec2.amazonaws.com"],"AWS":"arn:aws:iam::999999999999:root"},
				"Action":"sts:AssumeRole",
				"Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"},"ArnLike":{"aws:SourceArn":"arn:aws:sagemaker:us-east-1:123456789012:*"}}}]}`,
			wantProblem: []string{
				`statement "Mixed" trusts AWS principal arn:aws:iam::999999999999:root`,
				`statement "Mixed" trusts service principal ec2.amazonaws.com`,
			},
		},
		{
			name: "AWS wildcard principal and extra action",
			trust: `{"Statement":[
				{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":["sts:AssumeRole","sts:*"],
				 "Condition":{"StringEquals":{"aws:SourceAccount":"1"},"ArnLike":{"aws:SourceArn":"arn:aws:sagemaker:us-east-1:1:*"}}},
				{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`,
			wantProblem: []string{"statement 0 allows sts:*", `statement 1 trusts every AWS principal ("*")`},
		},
		{
			name:        "NotAction and NotPrincipal",
			trust:       `{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::1:root"},"NotAction":"iam:*"}]}`,
			wantProblem: []string{"uses NotPrincipal", "uses NotAction", "no trust statement allows"},
		},
		{
			name: "Deny statements are not problems",
			trust: `{"Statement":[
				{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole",
				 "Condition":{"StringEquals":{"aws:SourceAccount":"1"},"ArnLike":{"aws:SourceArn":"arn:aws:sagemaker:us-east-1:1:*"}}},
				{"Effect":"Deny","Principal":"*","Action":"*"}]}`,
		},
		{
			name:        "unparsable trust policy",
			trust:       `{"Statement":[`,
			wantProblem: []string{"the trust policy could not be parsed"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AssessRole(RoleDocuments{Ref: testRoleARN, ARN: testRoleARN, Name: "sagemaker-exec", TrustPolicy: tt.trust})
			if !got.Found || got.Ref != testRoleARN || got.ARN != testRoleARN || got.Name != "sagemaker-exec" {
				t.Errorf("identity = %+v", got)
			}
			assertContainsEach(t, "TrustProblems", got.TrustProblems, tt.wantProblem)
			assertContainsEach(t, "MissingConditions", got.MissingConditions, tt.wantMissing)
			if len(got.BroadPermissions) != 0 {
				t.Errorf("BroadPermissions = %q, want none", got.BroadPermissions)
			}
		})
	}
}

// The values of present confused-deputy conditions are kept for the
// guardrail check, which compares them with the caller's account.
func TestAssessRoleSourceConditions(t *testing.T) {
	foreign := `{"Statement":[{"Sid":"SageMaker","Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole",
		"Condition":{"StringEquals":{"aws:SourceAccount":["999999999999","123456789012"]},"ArnLike":{"aws:SourceArn":"arn:aws:sagemaker:us-east-1:999999999999:*"}}}]}`
	excluding := `{"Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole",
		"Condition":{"StringEquals":{"aws:SourceAccount":"123456789012","aws:SourceArn":"arn:aws:sagemaker:us-east-1:123456789012:*"},
		"ArnNotLike":{"aws:SourceArn":"arn:aws:sagemaker:us-east-1:123456789012:training-job/*"}}}]}`
	for _, tt := range []struct {
		name, trust string
		want        []facts.TrustCondition
	}{
		{name: "this account", trust: goodTrust, want: []facts.TrustCondition{
			{Statement: "statement 0", Key: "aws:SourceAccount", Operator: "StringEquals", Values: []string{"123456789012"}},
			{Statement: "statement 0", Key: "aws:SourceArn", Operator: "ArnLike", Values: []string{"arn:aws:sagemaker:us-east-1:123456789012:*"}},
		}},
		{name: "another account", trust: foreign, want: []facts.TrustCondition{
			{Statement: `statement "SageMaker"`, Key: "aws:SourceAccount", Operator: "StringEquals", Values: []string{"123456789012", "999999999999"}},
			{Statement: `statement "SageMaker"`, Key: "aws:SourceArn", Operator: "ArnLike", Values: []string{"arn:aws:sagemaker:us-east-1:999999999999:*"}},
		}},
		// The operator is kept (StringEquals takes * literally), and an
		// excluding condition is kept beside the allowing ones.
		{name: "operators and exclusions", trust: excluding, want: []facts.TrustCondition{
			{Statement: "statement 0", Key: "aws:SourceAccount", Operator: "StringEquals", Values: []string{"123456789012"}},
			{Statement: "statement 0", Key: "aws:SourceArn", Operator: "ArnNotLike", Values: []string{"arn:aws:sagemaker:us-east-1:123456789012:training-job/*"}},
			{Statement: "statement 0", Key: "aws:SourceArn", Operator: "StringEquals", Values: []string{"arn:aws:sagemaker:us-east-1:123456789012:*"}},
		}},
		{name: "missing conditions have no values", trust: noConditionTrust},
	} {
		got := AssessRole(RoleDocuments{Ref: testRoleARN, ARN: testRoleARN, TrustPolicy: tt.trust})
		if !reflect.DeepEqual(got.SourceConditions, tt.want) {
			t.Errorf("%s: SourceConditions = %+v, want %+v", tt.name, got.SourceConditions, tt.want)
		}
	}
}

func TestAssessRolePermissions(t *testing.T) {
	tests := []struct {
		name     string
		attached []string
		managed  map[string]string
		inline   map[string]string
		want     []string // substrings, one per BroadPermission
	}{
		{
			name:     "scoped policies",
			attached: []string{"arn:aws:iam::123456789012:policy/sagemaker-exec-scoped", "arn:aws:iam::aws:policy/CloudWatchLogsReadOnlyAccess"},
			inline: map[string]string{"s3": `{"Statement":[
				{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::data/*"},
				{"Effect":"Allow","Action":"kms:Decrypt","Resource":"arn:aws:kms:us-east-1:123456789012:key/k"},
				{"Effect":"Allow","Action":"ecr:GetAuthorizationToken","Resource":"*"},
				{"Effect":"Deny","Action":"*","Resource":"*"}]}`},
		},
		{
			name:     "AmazonSageMakerFullAccess attached",
			attached: []string{"arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"},
			want:     []string{"attached managed policy AmazonSageMakerFullAccess (arn:aws:iam::aws:policy/AmazonSageMakerFullAccess)"},
		},
		{
			name: "other broad managed policies, any partition or path",
			attached: []string{
				"arn:aws-us-gov:iam::aws:policy/AdministratorAccess",
				"arn:aws:iam::aws:policy/PowerUserAccess",
				"arn:aws:iam::aws:policy/AmazonS3FullAccess",
				"arn:aws:iam::aws:policy/IAMFullAccess",
				"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
			},
			want: []string{"AdministratorAccess", "PowerUserAccess", "AmazonS3FullAccess", "IAMFullAccess"},
		},
		{
			name:   "inline *:*",
			inline: map[string]string{"admin": `{"Statement":{"Sid":"All","Effect":"Allow","Action":"*","Resource":"*"}}`},
			want:   []string{`inline policy "admin" statement "All" allows * on every resource`},
		},
		{
			name:   "inline service:* on * (list form)",
			inline: map[string]string{"s3": `{"Statement":[{"Effect":"Allow","Action":["s3:*","logs:CreateLogStream"],"Resource":["*"]}]}`},
			want:   []string{`inline policy "s3" statement 0 allows s3:* on every resource`},
		},
		{
			name:   "kms:Decrypt on *",
			inline: map[string]string{"kms": `{"Statement":[{"Effect":"Allow","Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":"*"}]}`},
			want:   []string{`inline policy "kms" statement 0 allows kms:Decrypt, kms:GenerateDataKey on every resource`},
		},
		{
			name:   "kms wildcard on *",
			inline: map[string]string{"kms": `{"Statement":[{"Effect":"Allow","Action":"kms:Decrypt*","Resource":"*"}]}`},
			want:   []string{"allows kms:Decrypt* on every resource"},
		},
		{
			name:   "NotAction and NotResource",
			inline: map[string]string{"na": `{"Statement":[{"Effect":"Allow","NotAction":"iam:*","NotResource":"arn:aws:s3:::x"}]}`},
			want:   []string{`allows every action except iam:* on every resource except arn:aws:s3:::x`},
		},
		{
			name:   "NotResource alone",
			inline: map[string]string{"nr": `{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::secret/*"}]}`},
			want:   []string{`allows s3:GetObject on every resource except arn:aws:s3:::secret/*`},
		},
		{
			name: "service-wide actions on named resources",
			inline: map[string]string{"svc": `{"Statement":[
				{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::data/*"},
				{"Effect":"Allow","Action":"*:GetObject","Resource":"arn:aws:s3:::data/*"}]}`},
			want: []string{"statement 0 allows s3:* on arn:aws:s3:::data/*", "statement 1 allows *:GetObject on arn:aws:s3:::data/*"},
		},
		{
			name: "resources that cover a whole service",
			inline: map[string]string{"wide": `{"Statement":[
				{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::*/*"},
				{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::*"},
				{"Effect":"Allow","Action":"kms:Decrypt","Resource":"arn:aws:kms:*:*:key/*"},
				{"Effect":"Allow","Action":"iam:GetRole","Resource":"arn:aws:iam::*:role/*"},
				{"Effect":"Allow","Action":"logs:PutLogEvents","Resource":"arn:*"},
				{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"arn:aws:*:us-east-1:123456789012:q"},
				{"Effect":"Allow","Action":"kms:Encrypt","Resource":"arn:aws:kms:us-east-1:*:key/*"},
				{"Effect":"Allow","Action":"logs:GetLogEvents","Resource":"arn:aws:logs:*:*:log-group:*:log-stream:*"}]}`},
			want: []string{
				"statement 0 allows s3:GetObject on arn:aws:s3:::*/*, which covers every resource of the service",
				"statement 1 allows s3:ListBucket on arn:aws:s3:::*,",
				"statement 2 allows kms:Decrypt on arn:aws:kms:*:*:key/*,",
				"statement 3 allows iam:GetRole on arn:aws:iam::*:role/*,",
				"statement 4 allows logs:PutLogEvents on arn:*,",
				"statement 5 allows sqs:SendMessage on arn:aws:*:us-east-1:123456789012:q,",
				"statement 6 allows kms:Encrypt on arn:aws:kms:us-east-1:*:key/*,",
				"statement 7 allows logs:GetLogEvents on arn:aws:logs:*:*:log-group:*:log-stream:*,",
			},
		},
		{
			name: "resources of one account, bucket or path are not a whole service",
			inline: map[string]string{"narrow": `{"Statement":[
				{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::data/*","arn:aws:s3:::data-*/train/*"]},
				{"Effect":"Allow","Action":"kms:Decrypt","Resource":"arn:aws:kms:*:123456789012:key/*"},
				{"Effect":"Allow","Action":"ec2:CreateNetworkInterface","Resource":"arn:aws:ec2:us-east-1:123456789012:network-interface/*"},
				{"Effect":"Allow","Action":"logs:PutLogEvents","Resource":"arn:aws:logs:*:*:log-group:/aws/sagemaker/*"},
				{"Effect":"Allow","Action":["ec2:DescribeVpcs","ec2:Describe*","ecr:GetAuthorizationToken","cloudwatch:PutMetricData"],"Resource":"*"}]}`},
		},
		{
			name: "iam:PassRole",
			inline: map[string]string{"pass": `{"Statement":[
				{"Sid":"Scoped","Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/exec",
				 "Condition":{"StringEquals":{"iam:PassedToService":"sagemaker.amazonaws.com"}}},
				{"Sid":"NoCondition","Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/exec"},
				{"Sid":"AnyRole","Effect":"Allow","Action":"iam:Pass*","Resource":"arn:aws:iam::123456789012:role/*",
				 "Condition":{"StringEquals":{"iam:PassedToService":"sagemaker.amazonaws.com"}}},
				{"Sid":"AnyService","Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::123456789012:role/exec",
				 "Condition":{"StringLike":{"iam:PassedToService":"*"}}},
				{"Sid":"Everything","Effect":"Allow","Action":"iam:PassRole","Resource":"*",
				 "Condition":{"StringEquals":{"iam:PassedToService":"sagemaker.amazonaws.com"}}}]}`},
			want: []string{
				`statement "NoCondition" allows iam:PassRole on arn:aws:iam::123456789012:role/exec without naming each role`,
				`statement "AnyRole" allows iam:PassRole on arn:aws:iam::123456789012:role/* without`,
				`statement "AnyService" allows iam:PassRole on arn:aws:iam::123456789012:role/exec without`,
				`statement "Everything" allows iam:PassRole on every resource`,
			},
		},
		{
			name:     "documents of attached managed policies, customer and AWS managed",
			attached: []string{"arn:aws:iam::123456789012:policy/read-all", "arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/AWSLambdaFullAccess", "arn:aws:iam::123456789012:policy/fine"},
			managed: map[string]string{
				"arn:aws:iam::123456789012:policy/read-all": url.QueryEscape(`{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::*/*"}}`),
				"arn:aws:iam::aws:policy/ReadOnlyAccess":    `{"Statement":{"Effect":"Allow","Action":["s3:Get*","kms:Describe*"],"Resource":"*"}}`,
				"arn:aws:iam::123456789012:policy/fine":     `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}}`,
			},
			want: []string{
				"managed policy arn:aws:iam::123456789012:policy/read-all statement 0 allows s3:GetObject on arn:aws:s3:::*/*",
				"managed policy arn:aws:iam::aws:policy/ReadOnlyAccess statement 0 allows s3:Get*, kms:Describe* on every resource",
				"attached managed policy AWSLambdaFullAccess (arn:aws:iam::aws:policy/AWSLambdaFullAccess) grants broad access",
			},
		},
		{
			name:     "unparsable managed policy",
			attached: []string{"arn:aws:iam::123456789012:policy/bad"},
			managed:  map[string]string{"arn:aws:iam::123456789012:policy/bad": `{"Statement":`},
			want:     []string{"managed policy arn:aws:iam::123456789012:policy/bad could not be parsed"},
		},
		{
			name:   "unparsable inline policy",
			inline: map[string]string{"bad": `{"Statement":`},
			want:   []string{`inline policy "bad" could not be parsed`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AssessRole(RoleDocuments{
				Ref: testRoleARN, ARN: testRoleARN, Name: "sagemaker-exec", TrustPolicy: goodTrust,
				AttachedPolicyARNs: tt.attached, ManagedPolicies: tt.managed, InlinePolicies: tt.inline,
			})
			assertContainsEach(t, "BroadPermissions", got.BroadPermissions, tt.want)
			if len(got.TrustProblems)+len(got.MissingConditions) != 0 {
				t.Errorf("trust verdict = %q %q, want none", got.TrustProblems, got.MissingConditions)
			}
		})
	}
}

func TestAssessRoleKeepsParsedDocuments(t *testing.T) {
	got := AssessRole(RoleDocuments{
		TrustPolicy:        noConditionTrust,
		AttachedPolicyARNs: []string{"arn:aws:iam::aws:policy/AdministratorAccess"},
		InlinePolicies:     map[string]string{"p": `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`},
	})
	wantTrust := []facts.PolicyStatement{{
		Effect: "Allow", Principals: map[string][]string{"Service": {"sagemaker.amazonaws.com"}}, Actions: []string{"sts:AssumeRole"},
	}}
	wantInline := map[string][]facts.PolicyStatement{"p": {{Effect: "Allow", Actions: []string{"s3:GetObject"}, Resources: []string{"arn:aws:s3:::b/*"}}}}
	if !reflect.DeepEqual(got.Trust, wantTrust) || !reflect.DeepEqual(got.Inline, wantInline) {
		t.Errorf("Trust = %+v, Inline = %+v", got.Trust, got.Inline)
	}
	if !reflect.DeepEqual(got.AttachedPolicyARNs, []string{"arn:aws:iam::aws:policy/AdministratorAccess"}) {
		t.Errorf("AttachedPolicyARNs = %q", got.AttachedPolicyARNs)
	}

	// AssessParsedRole recomputes the verdict from scratch.
	got.Trust = wantTrust[:0]
	again := AssessParsedRole(got)
	assertContainsEach(t, "TrustProblems", again.TrustProblems, []string{"no trust statement allows"})
	if len(again.MissingConditions) != 0 || len(again.BroadPermissions) != 1 {
		t.Errorf("AssessParsedRole = %q %q", again.MissingConditions, again.BroadPermissions)
	}
}

// assertContainsEach checks that got has exactly len(want) entries and that
// entry i contains want[i].
func assertContainsEach(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s = %q, want %d entries matching %q", what, got, len(want), want)
		return
	}
	for i := range want {
		if !strings.Contains(got[i], want[i]) {
			t.Errorf("%s[%d] = %q, want it to contain %q", what, i, got[i], want[i])
		}
	}
}
