package deployerpolicy

import "testing"

// callerRole finds the role behind the provider's identity, so that a
// name_prefix matching the deployer's own role is warned about.
func TestCallerRole(t *testing.T) {
	for caller, want := range map[string]string{
		"arn:aws:sts::123456789012:assumed-role/churn-deployer/ci-run-42": "churn-deployer",
		"arn:aws:iam::123456789012:role/path/churn-deployer":              "churn-deployer",
		"arn:aws:iam::123456789012:user/alice":                            "",
		"arn:aws:iam::123456789012:root":                                  "",
		"not an arn":                                                      "",
	} {
		if got := callerRole(caller); got != want {
			t.Errorf("callerRole(%q) = %q, want %q", caller, got, want)
		}
	}
}
