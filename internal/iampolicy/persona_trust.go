package iampolicy

import (
	"fmt"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// samlAudience is the SAML:aud a console sign-in through a SAML provider
// carries, per partition (IAM User Guide, "Configuring SAML assertions for
// the authentication response"; IAM Identity Center uses the same).
var samlAudience = map[string]string{
	"aws":        "https://signin.aws.amazon.com/saml",
	"aws-us-gov": "https://signin.amazonaws-us-gov.com/saml",
}

var samlProviderNameRE = regexp.MustCompile(`^saml-provider/[\w.-]{1,128}$`)

// PersonaTrust builds a persona role's trust policy (SS-IAM-4):
//
//   - AssumeWithMFA: the AccountPrincipals (account IDs become
//     arn:<partition>:iam::<id>:root) may call sts:AssumeRole only with
//     Bool aws:MultiFactorAuthPresent = true. A role session has MFA only
//     when the session it was assumed from had it.
//   - AssumeWithSAML: users of SAMLProviderARN (a provider of this account)
//     may call sts:AssumeRoleWithSAML (and sts:TagSession, which IAM Identity
//     Center sends with session tags) only with SAML:aud = the partition's
//     sign-in endpoint.
//
// At least one of the two is required; a wildcard principal is refused.
func PersonaTrust(spec PersonaSpec) (Document, error) {
	sc, err := newScope(spec.Partition, spec.Region, spec.AccountID)
	if err != nil {
		return Document{}, err
	}
	if len(spec.AccountPrincipals) == 0 && spec.SAMLProviderARN == "" {
		return Document{}, trustRefusal("AccountPrincipals", "",
			"name who may assume the persona: account principals (with MFA) or a SAML provider")
	}
	var stmts []Statement
	if len(spec.AccountPrincipals) > 0 {
		principals := make([]string, len(spec.AccountPrincipals))
		for i, p := range spec.AccountPrincipals {
			a, err := sc.trustPrincipal(p)
			if err != nil {
				return Document{}, at(err, "AccountPrincipals", i)
			}
			principals[i] = a
		}
		stmts = append(stmts, Statement{
			Sid:       "AssumeWithMFA",
			Effect:    EffectAllow,
			Principal: Principal{"AWS": principals},
			Action:    []string{"sts:AssumeRole"},
			Condition: Condition{"Bool": {"aws:MultiFactorAuthPresent": {"true"}}},
		})
	}
	if spec.SAMLProviderARN != "" {
		if err := sc.checkSAMLProviderARN(spec.SAMLProviderARN); err != nil {
			return Document{}, at(err, "SAMLProviderARN", -1)
		}
		stmts = append(stmts, Statement{
			Sid:       "AssumeWithSAML",
			Effect:    EffectAllow,
			Principal: Principal{"Federated": {spec.SAMLProviderARN}},
			Action:    []string{"sts:AssumeRoleWithSAML", "sts:TagSession"},
			Condition: Condition{"StringEquals": {"SAML:aud": {samlAudience[sc.partition]}}},
		})
	}
	return Document{Version: PolicyVersion, Statement: stmts}, nil
}

// trustPrincipal accepts an account ID or an IAM root, role or user ARN of
// this partition, and returns the ARN the trust policy names.
func (s scope) trustPrincipal(value string) (string, error) {
	if value == "*" {
		return "", newError(ErrWildcard, controlPersonaTrust, value, "a wildcard principal is never allowed")
	}
	if err := checkExact(value); err != nil {
		e := newError(ErrWildcard, controlPersonaTrust, value, "wildcards and policy variables are not allowed in a principal")
		return "", e
	}
	if accountRE.MatchString(value) {
		return fmt.Sprintf("arn:%s:iam::%s:root", s.partition, value), nil
	}
	p, err := arn.Parse(value)
	if err != nil || p.Service != "iam" || p.Region != "" || !accountRE.MatchString(p.AccountID) ||
		(p.Resource != "root" && !iamPathNameRE.MatchString(p.Resource)) {
		return "", newError(ErrInvalidPrincipal, "", value,
			"expected an account ID or an IAM ARN (arn:<partition>:iam::<account>:root, role/<name> or user/<name>)")
	}
	if p.Partition != s.partition {
		return "", newError(ErrInvalidPrincipal, "", value,
			fmt.Sprintf("partition %q does not match the provider's partition %q", p.Partition, s.partition))
	}
	return value, nil
}

// checkSAMLProviderARN accepts an IAM SAML provider of this partition and
// account: a provider of another account would let that account's IdP
// decide who becomes this persona.
func (s scope) checkSAMLProviderARN(value string) error {
	if err := checkExact(value); err != nil {
		return newError(ErrWildcard, controlPersonaTrust, value, "wildcards and policy variables are not allowed in a SAML provider ARN")
	}
	const what = "an IAM SAML provider ARN (arn:<partition>:iam::<account>:saml-provider/<name>)"
	p, err := arn.Parse(value)
	if err != nil || p.Service != "iam" || p.Region != "" || !samlProviderNameRE.MatchString(p.Resource) {
		return newError(ErrInvalidPrincipal, "", value, "expected "+what)
	}
	if p.Partition != s.partition {
		return newError(ErrInvalidPrincipal, "", value,
			fmt.Sprintf("partition %q does not match the provider's partition %q", p.Partition, s.partition))
	}
	if p.AccountID != s.account {
		return newError(ErrInvalidPrincipal, controlPersonaTrust, value,
			fmt.Sprintf("the SAML provider is in account %s; a persona trusts only a provider of account %s", p.AccountID, s.account))
	}
	return nil
}

func trustRefusal(field, value, reason string) error {
	return at(newError(ErrInvalidSpec, controlPersonaTrust, value, reason), field, -1)
}
