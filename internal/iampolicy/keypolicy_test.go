package iampolicy

import (
	"slices"
	"strings"
	"testing"
)

func keySpec() KeySpec {
	return KeySpec{
		Partition: testPartition, Region: testRegion, AccountID: testAccount,
		Administrators:      []string{testAdminRole, "arn:aws:iam::111122223333:user/alice"},
		Users:               []string{testExecRole, "arn:aws:iam::444455556666:role/cross-account-exec"},
		AllowCloudWatchLogs: true,
	}
}

func TestKeyPolicyGolden(t *testing.T) {
	for name, mutate := range map[string]func(*KeySpec){
		"keypolicy_full":          func(*KeySpec) {},
		"keypolicy_minimal":       func(s *KeySpec) { *s = KeySpec{Partition: s.Partition, Region: s.Region, AccountID: s.AccountID} },
		"keypolicy_users_no_logs": func(s *KeySpec) { s.Administrators, s.AllowCloudWatchLogs = nil, false },
		"keypolicy_cloudtrail": func(s *KeySpec) {
			s.Administrators, s.Users, s.AllowCloudTrail = nil, nil, true
		},
		"keypolicy_flow_logs_only": func(s *KeySpec) {
			s.Administrators, s.Users, s.AllowCloudWatchLogs, s.AllowFlowLogsDelivery = nil, nil, false, true
		},
	} {
		t.Run(name, func(t *testing.T) {
			spec := keySpec()
			mutate(&spec)
			d, err := KeyPolicy(spec)
			if err != nil {
				t.Fatal(err)
			}
			assertWellFormed(t, d)
			assertGolden(t, name, d)
		})
	}
}

func TestKeyPolicyStatements(t *testing.T) {
	d, err := KeyPolicy(keySpec())
	if err != nil {
		t.Fatal(err)
	}
	assertSame(t, "Sids", sids(d), []string{
		"EnableIAMPolicies", "AllowKeyAdministration", "AllowUseViaSageMakerAndS3", "AllowGrantsForAWSResources", "AllowCloudWatchLogs",
	})

	root := stmt(t, d, "EnableIAMPolicies")
	assertSame(t, "root principal", root.Principal["AWS"], []string{"arn:aws:iam::111122223333:root"})
	assertSame(t, "root actions", root.Action, []string{"kms:*"})

	admin := stmt(t, d, "AllowKeyAdministration")
	assertSame(t, "admin principals", admin.Principal["AWS"], keySpec().Administrators)
	for _, forbidden := range []string{
		"kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey",
		"kms:GenerateDataKeyWithoutPlaintext", "kms:CreateGrant", "kms:*",
	} {
		if slices.Contains(admin.Action, forbidden) {
			t.Errorf("administrators may use the key: %s", forbidden)
		}
	}
	for _, a := range admin.Action {
		if strings.Contains(a, "*") {
			t.Errorf("administrator action %s is a wildcard (Create* would include CreateGrant)", a)
		}
	}
	if admin.Condition != nil {
		t.Errorf("admin conditions %v", admin.Condition)
	}

	use := stmt(t, d, "AllowUseViaSageMakerAndS3")
	assertSame(t, "user principals", use.Principal["AWS"], keySpec().Users)
	assertSame(t, "use resource", use.Resource, []string{"*"})
	assertSame(t, "use actions", use.Action, []string{"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"})
	assertSame(t, "kms:ViaService", use.Condition["StringEquals"]["kms:ViaService"],
		[]string{"sagemaker.us-east-1.amazonaws.com", "s3.us-east-1.amazonaws.com"})

	grant := stmt(t, d, "AllowGrantsForAWSResources")
	assertSame(t, "grant principals", grant.Principal["AWS"], keySpec().Users)
	assertSame(t, "grant actions", grant.Action, []string{"kms:CreateGrant"})
	assertSame(t, "kms:GrantIsForAWSResource", grant.Condition["Bool"]["kms:GrantIsForAWSResource"], []string{"true"})
	assertSame(t, "grant kms:ViaService", grant.Condition["StringEquals"]["kms:ViaService"], []string{"sagemaker.us-east-1.amazonaws.com"})

	logs := stmt(t, d, "AllowCloudWatchLogs")
	assertSame(t, "logs principal", logs.Principal["Service"], []string{"logs.us-east-1.amazonaws.com"})
	if len(logs.Principal) != 1 {
		t.Errorf("logs principal %v", logs.Principal)
	}
	assertSame(t, "logs encryption context", logs.Condition["ArnLike"]["kms:EncryptionContext:aws:logs:arn"],
		[]string{"arn:aws:logs:us-east-1:111122223333:*"})
	if slices.Contains(logs.Action, "kms:CreateGrant") {
		t.Error("CloudWatch Logs must not create grants")
	}
	if strings.Contains(d.JSON(), "sagemaker.amazonaws.com") || strings.Contains(d.JSON(), "delivery.logs") {
		t.Errorf("the key policy must not name the SageMaker or log-delivery service principals: %s", d.JSON())
	}
}

func TestKeyPolicyOptionalStatements(t *testing.T) {
	for name, tc := range map[string]struct {
		mutate func(*KeySpec)
		want   []string
	}{
		"no administrators": {func(s *KeySpec) { s.Administrators = nil },
			[]string{"EnableIAMPolicies", "AllowUseViaSageMakerAndS3", "AllowGrantsForAWSResources", "AllowCloudWatchLogs"}},
		"no users": {func(s *KeySpec) { s.Users = nil },
			[]string{"EnableIAMPolicies", "AllowKeyAdministration", "AllowCloudWatchLogs"}},
		"no logs": {func(s *KeySpec) { s.AllowCloudWatchLogs = false },
			[]string{"EnableIAMPolicies", "AllowKeyAdministration", "AllowUseViaSageMakerAndS3", "AllowGrantsForAWSResources"}},
		"flow logs imply the logs statement": {func(s *KeySpec) { s.AllowCloudWatchLogs, s.AllowFlowLogsDelivery = false, true },
			[]string{"EnableIAMPolicies", "AllowKeyAdministration", "AllowUseViaSageMakerAndS3", "AllowGrantsForAWSResources", "AllowCloudWatchLogs"}},
	} {
		t.Run(name, func(t *testing.T) {
			spec := keySpec()
			tc.mutate(&spec)
			d, err := KeyPolicy(spec)
			if err != nil {
				t.Fatal(err)
			}
			assertSame(t, "Sids", sids(d), tc.want)
		})
	}
}

func TestKeyPolicyRefusals(t *testing.T) {
	for name, tc := range map[string]struct {
		mutate   func(*KeySpec)
		sentinel error
		field    string
		index    int
		control  string
	}{
		"star user":           {func(s *KeySpec) { s.Users[1] = "*" }, ErrWildcard, "Users", 1, "SS-IAM-2"},
		"star administrator":  {func(s *KeySpec) { s.Administrators[0] = "*" }, ErrWildcard, "Administrators", 0, "SS-IAM-2"},
		"wildcard account":    {func(s *KeySpec) { s.Users[0] = "arn:aws:iam::*:role/exec" }, ErrWildcard, "Users", 0, "SS-IAM-2"},
		"wildcard role":       {func(s *KeySpec) { s.Users[0] = "arn:aws:iam::111122223333:role/exec-*" }, ErrWildcard, "Users", 0, "SS-IAM-2"},
		"root":                {func(s *KeySpec) { s.Users[0] = "arn:aws:iam::111122223333:root" }, ErrInvalidPrincipal, "Users", 0, ""},
		"bare account":        {func(s *KeySpec) { s.Users[0] = "111122223333" }, ErrInvalidPrincipal, "Users", 0, ""},
		"assumed role":        {func(s *KeySpec) { s.Users[0] = "arn:aws:sts::111122223333:assumed-role/exec/session" }, ErrInvalidPrincipal, "Users", 0, ""},
		"service principal":   {func(s *KeySpec) { s.Users[0] = "sagemaker.amazonaws.com" }, ErrInvalidPrincipal, "Users", 0, ""},
		"group":               {func(s *KeySpec) { s.Administrators[1] = "arn:aws:iam::111122223333:group/admins" }, ErrInvalidPrincipal, "Administrators", 1, ""},
		"other partition":     {func(s *KeySpec) { s.Users[0] = "arn:aws-us-gov:iam::111122223333:role/exec" }, ErrInvalidPrincipal, "Users", 0, ""},
		"admin is also user":  {func(s *KeySpec) { s.Users[1] = testAdminRole }, ErrInvalidPrincipal, "Users", 1, ""},
		"unsupported partion": {func(s *KeySpec) { s.Partition = "aws-cn" }, ErrInvalidSpec, "Partition", -1, ""},
	} {
		t.Run(name, func(t *testing.T) {
			spec := keySpec()
			tc.mutate(&spec)
			_, err := KeyPolicy(spec)
			assertRefused(t, err, tc.sentinel, tc.field, tc.index, tc.control)
		})
	}
}

func TestKeyPolicyAcceptsRolePaths(t *testing.T) {
	spec := keySpec()
	spec.Users = []string{"arn:aws:iam::111122223333:role/service-role/team/exec+role=1,x.y@z"}
	if _, err := KeyPolicy(spec); err != nil {
		t.Error(err)
	}
}
