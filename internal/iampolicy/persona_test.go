package iampolicy

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

const (
	testExecRole2    = "arn:aws:iam::111122223333:role/team/sagesafe-exec-2"
	testSAMLARN      = "arn:aws:iam::111122223333:saml-provider/IdentityCenter"
	testPersonaARN   = "arn:aws:iam::444455556666:role/admins/ml-lead"
	testStudioDomain = "d-0123456789ab"
)

// personaSpec uses every input a persona of kind p may take.
func personaSpec(p Persona) PersonaSpec {
	s := PersonaSpec{
		Persona: p, Partition: testPartition, Region: testRegion, AccountID: testAccount,
		S3ReadURIs:        []string{"s3://data-bucket/train", "s3://reports-bucket/metrics/"},
		AccountPrincipals: []string{"444455556666", testPersonaARN},
		SAMLProviderARN:   testSAMLARN,
	}
	if p != PersonaModelReviewer {
		s.SubnetIDs = []string{testSubnet1, testSubnet2}
		s.SecurityGroupIDs = []string{testSG}
		s.KMSKeyARN = testKeyARN
		s.ExecutionRoleARNs = []string{testExecRole, testExecRole2}
		s.S3WriteURIs = []string{"s3://artifacts-bucket/models/"}
		s.StudioDomainID = testStudioDomain
	}
	return s
}

func TestPersonaGolden(t *testing.T) {
	for _, p := range []Persona{PersonaDataScientist, PersonaMLEngineer, PersonaModelReviewer} {
		t.Run(string(p), func(t *testing.T) {
			policy, controls, err := PersonaPolicy(personaSpec(p))
			if err != nil {
				t.Fatal(err)
			}
			assertWellFormed(t, policy)
			assertPersonaPolicyShape(t, policy, controls)
			assertGolden(t, "persona_"+string(p)+"_policy", policy)
			t.Logf("%s policy: %d characters", p, Size(policy))

			trust, err := PersonaTrust(personaSpec(p))
			if err != nil {
				t.Fatal(err)
			}
			assertWellFormed(t, trust)
			assertGolden(t, "persona_"+string(p)+"_trust", trust)
		})
	}
}

// assertPersonaPolicyShape checks what every persona policy must satisfy:
// no "*" action, no NotAction or NotResource, every control known, and
// every Allow resource in this account (or "*" for the calls that take
// nothing else).
func assertPersonaPolicyShape(t *testing.T, d Document, controls []StatementControl) {
	t.Helper()
	for _, s := range d.Statement {
		if len(s.NotAction) > 0 || len(s.NotResource) > 0 {
			t.Errorf("%s uses NotAction or NotResource", s.Sid)
		}
		for _, a := range s.Action {
			if strings.Contains(a, "*") {
				t.Errorf("%s: wildcard action %q", s.Sid, a)
			}
		}
		if s.Effect == EffectAllow {
			for _, r := range s.Resource {
				if r != "*" && !strings.Contains(r, ":"+testAccount+":") && !strings.HasPrefix(r, "arn:aws:s3:::") {
					t.Errorf("%s: resource %q outside the account", s.Sid, r)
				}
			}
		}
	}
	for _, c := range controls {
		if !slices.Contains(sids(d), c.Sid) || !strings.HasPrefix(c.Control, "SS-") {
			t.Errorf("control %+v does not name a statement", c)
		}
	}
}

func TestPersonaActivities(t *testing.T) {
	all := AllPersonaActivities()
	for _, p := range []Persona{PersonaDataScientist, PersonaMLEngineer, PersonaModelReviewer} {
		acts := PersonaActivities(p)
		if len(acts) == 0 {
			t.Errorf("%s has no activities", p)
		}
		for _, a := range acts {
			if !slices.Contains(all, a) {
				t.Errorf("%s: %s is not a supported activity", p, a)
			}
		}
	}
	// Role Manager's presets (personas-audit-monitoring.md section 1).
	assertSame(t, "data_scientist", PersonaActivities(PersonaDataScientist), []string{
		"run_studio_apps", "manage_ml_jobs", "manage_models", "manage_experiments", "search_experiments", "s3_bucket_access"})
	assertSame(t, "ml_engineer", PersonaActivities(PersonaMLEngineer), []string{
		"run_studio_apps", "manage_models", "manage_endpoints", "manage_pipelines", "search_experiments"})
	if PersonaActivities("nobody") != nil {
		t.Error("unknown persona has activities")
	}
}

// Every create action a launching persona's activities allow is covered by
// the deny of each guard key that action carries. data_scientist with
// manage_endpoints allows every guarded create; every activity at once no
// longer fits (TestPersonaPolicySizes).
func TestPersonaDeniesCoverAllowedCreates(t *testing.T) {
	spec := personaSpec(PersonaDataScientist)
	spec.ExtraActivities, spec.StudioDomainID = []string{ActivityManageEndpoints}, ""
	d, controls, err := PersonaPolicy(spec)
	if err != nil {
		t.Fatal(err)
	}
	var allowed []string
	for _, s := range d.Statement {
		if s.Effect == EffectAllow {
			allowed = append(allowed, s.Action...)
		}
	}
	for _, a := range sm("CreateTrainingJob", "CreateProcessingJob", "CreateHyperParameterTuningJob",
		"CreateAutoMLJobV2", "CreateTransformJob", "CreateModel", "CreateEndpointConfig") {
		if !slices.Contains(allowed, a) {
			t.Errorf("%s is not allowed with every activity", a)
		}
	}
	for sid, guarded := range map[string][]string{
		"DenyMissingVpcSubnets":               personaGuarded.vpc,
		"DenyMissingVpcSecurityGroups":        personaGuarded.vpc,
		"DenyUnapprovedSubnets":               personaGuarded.vpc,
		"DenyUnapprovedSecurityGroups":        personaGuarded.vpc,
		"DenyWithoutNetworkIsolation":         personaGuarded.isolation,
		"DenyWithoutInterContainerEncryption": personaGuarded.interContainer,
		"DenyOtherVolumeKmsKey":               personaGuarded.volumeKMS,
		"DenyOtherVolumeKmsKeyNoTypes":        personaGuarded.volumeKMS,
		"DenyOtherOutputKmsKey":               personaGuarded.outputKMS,
	} {
		deny := stmt(t, d, sid)
		for _, a := range guarded {
			if slices.Contains(allowed, a) != slices.Contains(deny.Action, a) {
				t.Errorf("%s: %s allowed %v, denied %v", sid, a, slices.Contains(allowed, a), slices.Contains(deny.Action, a))
			}
		}
	}
	assertSame(t, "DenyUnapprovedSubnets", stmt(t, d, "DenyUnapprovedSubnets").Condition["ForAnyValue:StringNotEquals"]["sagemaker:VpcSubnets"], spec.SubnetIDs)
	assertSame(t, "DenyUnapprovedSecurityGroups", stmt(t, d, "DenyUnapprovedSecurityGroups").Condition["ForAnyValue:StringNotEquals"]["sagemaker:VpcSecurityGroupIds"], spec.SecurityGroupIDs)
	for sid, keys := range map[string][]string{
		"DenyOtherVolumeKmsKey":        {"sagemaker:VolumeKmsKey", "sagemaker:VolumeKmsKeyArn"},
		"DenyOtherVolumeKmsKeyNoTypes": {"sagemaker:VolumeKmsKey", "sagemaker:VolumeKmsKeyArn"},
		"DenyOtherOutputKmsKey":        {"sagemaker:OutputKmsKey", "sagemaker:OutputKmsKeyArn"},
	} {
		c := stmt(t, d, sid).Condition["ArnNotEqualsIfExists"]
		for _, k := range keys {
			assertSame(t, sid+" "+k, c[k], []string{testKeyARN})
		}
	}
	pass := stmt(t, d, "PassExecutionRoles")
	assertSame(t, "PassRole resources", pass.Resource, spec.ExecutionRoleARNs)
	assertSame(t, "iam:PassedToService", pass.Condition["StringEquals"]["iam:PassedToService"], []string{"sagemaker.amazonaws.com"})
	grant := stmt(t, d, "AllowGrantsForAWSResources")
	assertSame(t, "GrantIsForAWSResource", grant.Condition["Bool"]["kms:GrantIsForAWSResource"], []string{"true"})
	for _, c := range controls {
		if s := stmt(t, d, c.Sid); s.Effect == EffectDeny && c.Control == "" {
			t.Errorf("%s has no control", c.Sid)
		}
	}
	// The local-storage exemption: only when every type has local storage
	// (ForAnyValue), and a request without types needs the key.
	assertSame(t, "exempt types", stmt(t, d, "DenyOtherVolumeKmsKey").Condition["ForAnyValue:StringNotLike"]["sagemaker:InstanceTypes"],
		localStorageInstanceTypes)
	assertSame(t, "no types", stmt(t, d, "DenyOtherVolumeKmsKeyNoTypes").Condition["Null"]["sagemaker:InstanceTypes"], []string{"true"})
}

// The sizes the issue-13 denies leave, with a Studio domain, three buckets
// and two roles: every default persona fits, and ml_engineer with
// manage_ml_jobs; data_scientist with manage_endpoints (it fits without
// Studio: TestPersonaDeniesCoverAllowedCreates) and every activity at once
// are refused as too large (a split into managed policies would be needed).
func TestPersonaPolicySizes(t *testing.T) {
	for _, c := range []struct {
		persona Persona
		extra   []string
		fits    bool
	}{
		{PersonaDataScientist, nil, true},
		{PersonaMLEngineer, nil, true},
		{PersonaModelReviewer, nil, true},
		{PersonaMLEngineer, []string{ActivityManageMLJobs}, true},
		{PersonaDataScientist, []string{ActivityManageEndpoints}, false},
		{PersonaDataScientist, AllPersonaActivities(), false},
	} {
		spec := personaSpec(c.persona)
		spec.ExtraActivities = c.extra
		d, _, err := PersonaPolicy(spec)
		var e *Error
		switch {
		case c.fits && err != nil:
			t.Errorf("%s %v: %v", c.persona, c.extra, err)
		case !c.fits && (!errors.As(err, &e) || e.Limit != RolePolicyMaxChars):
			t.Errorf("%s %v: err = %v, want too large", c.persona, c.extra, err)
		case c.fits:
			t.Logf("%s %v: %d characters", c.persona, c.extra, Size(d))
		}
	}
}

// The notebook and monitoring-schedule denies appear once an activity
// allows those actions (none does today; the table is ready for it).
func TestPersonaDeniesNotebooksAndSchedules(t *testing.T) {
	g := guardrailBuilder{}
	g.personaDenies(personaSpec(PersonaDataScientist),
		concat(personaNotebookActions, sm("UpdateNotebookInstance"), personaScheduleActions))
	d := Document{Version: PolicyVersion, Statement: g.stmts}
	assertSame(t, "DIA", stmt(t, d, "DenyNotebookInternetAccess").Condition["StringNotEqualsIfExists"]["sagemaker:DirectInternetAccess"], []string{"Disabled"})
	assertSame(t, "RootAccess", stmt(t, d, "DenyNotebookRootAccess").Condition["StringNotEqualsIfExists"]["sagemaker:RootAccess"], []string{"Disabled"})
	assertSame(t, "RootAccess update", stmt(t, d, "DenyNotebookRootAccessUpdate").Action, sm("UpdateNotebookInstance"))
	assertSame(t, "notebook VPC", stmt(t, d, "DenyMissingVpcSubnets").Action, personaNotebookActions)
	assertSame(t, "schedules subnets", stmt(t, d, "DenyUnapprovedSubnets").Action, concat(personaNotebookActions, personaScheduleActions))
	assertSame(t, "schedules key", stmt(t, d, "DenyUnapprovedOutputKmsKeyArn").Action, personaScheduleActions)
	if slices.ContainsFunc(stmt(t, d, "DenyOtherVolumeKmsKey").Action, func(a string) bool { return slices.Contains(personaScheduleActions, a) }) {
		t.Error("a schedule naming a job definition carries no key; it must not be denied on absence")
	}
}

func TestPersonaModelReviewerLaunchesNothing(t *testing.T) {
	d, controls, err := PersonaPolicy(personaSpec(PersonaModelReviewer))
	if err != nil {
		t.Fatal(err)
	}
	if len(controls) != 0 {
		t.Errorf("controls = %v", controls)
	}
	for _, s := range d.Statement {
		if s.Effect != EffectAllow {
			t.Errorf("unexpected %s", s.Sid)
		}
		for _, a := range s.Action {
			if strings.HasPrefix(a, "sagemaker:Create") || a == "iam:PassRole" {
				t.Errorf("%s allows %s", s.Sid, a)
			}
		}
	}
	approval := stmt(t, d, "ModelApproval")
	assertSame(t, "ModelApproval actions", approval.Action, []string{"sagemaker:UpdateModelPackage"})
	if len(approval.Condition["StringEquals"]["sagemaker:ModelApprovalStatus"]) != 3 {
		t.Errorf("approval condition %v", approval.Condition)
	}
}

func TestPersonaRefusals(t *testing.T) {
	for name, tc := range map[string]struct {
		edit     func(*PersonaSpec)
		sentinel error
		field    string
		index    int
		control  string
		trust    bool
	}{
		"unknown persona":          {func(s *PersonaSpec) { s.Persona = "admin" }, ErrInvalidSpec, "Persona", -1, "", false},
		"unknown activity":         {func(s *PersonaSpec) { s.ExtraActivities = []string{"search_experiments", "s3_full_access"} }, ErrInvalidSpec, "ExtraActivities", 1, "", false},
		"no subnets":               {func(s *PersonaSpec) { s.SubnetIDs = nil }, ErrInvalidSpec, "SubnetIDs", -1, "SS-IAM-3", false},
		"no security groups":       {func(s *PersonaSpec) { s.SecurityGroupIDs = nil }, ErrInvalidSpec, "SecurityGroupIDs", -1, "SS-IAM-3", false},
		"no key":                   {func(s *PersonaSpec) { s.KMSKeyARN = "" }, ErrInvalidSpec, "KMSKeyARN", -1, "SS-IAM-3", false},
		"no execution roles":       {func(s *PersonaSpec) { s.ExecutionRoleARNs = nil }, ErrInvalidSpec, "ExecutionRoleARNs", -1, "SS-IAM-3", false},
		"wildcard role":            {func(s *PersonaSpec) { s.ExecutionRoleARNs = []string{"arn:aws:iam::111122223333:role/*"} }, ErrWildcard, "ExecutionRoleARNs", 0, "SS-IAM-3", false},
		"role of other acct":       {func(s *PersonaSpec) { s.ExecutionRoleARNs = []string{testPersonaARN} }, ErrInvalidPrincipal, "ExecutionRoleARNs", 0, "SS-IAM-3", false},
		"user as exec role":        {func(s *PersonaSpec) { s.ExecutionRoleARNs = []string{"arn:aws:iam::111122223333:user/bob"} }, ErrInvalidPrincipal, "ExecutionRoleARNs", 0, "", false},
		"bad subnet":               {func(s *PersonaSpec) { s.SubnetIDs = []string{testSubnet1, "subnet-xyz"} }, ErrInvalidARN, "SubnetIDs", 1, "", false},
		"alias key":                {func(s *PersonaSpec) { s.KMSKeyARN = "arn:aws:kms:us-east-1:111122223333:alias/ml" }, ErrInvalidARN, "KMSKeyARN", -1, "", false},
		"wildcard S3":              {func(s *PersonaSpec) { s.S3ReadURIs = []string{"s3://data-*"} }, ErrWildcard, "S3ReadURIs", 0, "SS-IAM-3", false},
		"bad region":               {func(s *PersonaSpec) { s.Region = "moon" }, ErrInvalidSpec, "Region", -1, "", false},
		"bad Studio domain":        {func(s *PersonaSpec) { s.StudioDomainID = "d-*" }, ErrInvalidSpec, "StudioDomainID", -1, "", false},
		"Studio domain, no Studio": {func(s *PersonaSpec) { s.Persona = PersonaModelReviewer; s.SubnetIDs, s.SecurityGroupIDs = nil, nil }, ErrInvalidSpec, "StudioDomainID", -1, "", false},
		"no principals":            {func(s *PersonaSpec) { s.AccountPrincipals, s.SAMLProviderARN = nil, "" }, ErrInvalidSpec, "AccountPrincipals", -1, "SS-IAM-4", true},
		"wildcard principal":       {func(s *PersonaSpec) { s.AccountPrincipals = []string{"123456789012", "*"} }, ErrWildcard, "AccountPrincipals", 1, "SS-IAM-4", true},
		"wildcard role principal":  {func(s *PersonaSpec) { s.AccountPrincipals = []string{"arn:aws:iam::123456789012:role/*"} }, ErrWildcard, "AccountPrincipals", 0, "SS-IAM-4", true},
		"service principal":        {func(s *PersonaSpec) { s.AccountPrincipals = []string{"sagemaker.amazonaws.com"} }, ErrInvalidPrincipal, "AccountPrincipals", 0, "", true},
		"gov principal":            {func(s *PersonaSpec) { s.AccountPrincipals = []string{"arn:aws-us-gov:iam::123456789012:root"} }, ErrInvalidPrincipal, "AccountPrincipals", 0, "", true},
		"foreign SAML":             {func(s *PersonaSpec) { s.SAMLProviderARN = "arn:aws:iam::444455556666:saml-provider/Okta" }, ErrInvalidPrincipal, "SAMLProviderARN", -1, "SS-IAM-4", true},
		"SAML not a provider":      {func(s *PersonaSpec) { s.SAMLProviderARN = "arn:aws:iam::111122223333:oidc-provider/x" }, ErrInvalidPrincipal, "SAMLProviderARN", -1, "", true},
		"wildcard SAML":            {func(s *PersonaSpec) { s.SAMLProviderARN = "arn:aws:iam::111122223333:saml-provider/*" }, ErrWildcard, "SAMLProviderARN", -1, "SS-IAM-4", true},
	} {
		t.Run(name, func(t *testing.T) {
			spec := personaSpec(PersonaDataScientist)
			tc.edit(&spec)
			var err error
			if tc.trust {
				_, err = PersonaTrust(spec)
			} else {
				_, _, err = PersonaPolicy(spec)
			}
			assertRefused(t, err, tc.sentinel, tc.field, tc.index, tc.control)
		})
	}
}

func TestPersonaReviewerRefusesNetwork(t *testing.T) {
	spec := personaSpec(PersonaModelReviewer)
	spec.SubnetIDs = []string{testSubnet1}
	_, _, err := PersonaPolicy(spec)
	assertRefused(t, err, ErrInvalidSpec, "SubnetIDs", -1, "")
	// An extra launching activity makes the reviewer need the full guard.
	spec = personaSpec(PersonaModelReviewer)
	spec.ExtraActivities = []string{ActivityManageEndpoints}
	_, _, err = PersonaPolicy(spec)
	assertRefused(t, err, ErrInvalidSpec, "SubnetIDs", -1, "SS-IAM-3")
}

func TestPersonaTrustConditions(t *testing.T) {
	d, err := PersonaTrust(personaSpec(PersonaMLEngineer))
	if err != nil {
		t.Fatal(err)
	}
	mfa := stmt(t, d, "AssumeWithMFA")
	assertSame(t, "AWS", mfa.Principal["AWS"], []string{"arn:aws:iam::444455556666:root", testPersonaARN})
	assertSame(t, "MFA", mfa.Condition["Bool"]["aws:MultiFactorAuthPresent"], []string{"true"})
	saml := stmt(t, d, "AssumeWithSAML")
	assertSame(t, "SAML:aud", saml.Condition["StringEquals"]["SAML:aud"], []string{"https://signin.aws.amazon.com/saml"})
	assertSame(t, "Federated", saml.Principal["Federated"], []string{testSAMLARN})

	gov := personaSpec(PersonaModelReviewer)
	gov.Partition, gov.Region = "aws-us-gov", "us-gov-west-1"
	gov.AccountPrincipals = nil
	gov.SAMLProviderARN = "arn:aws-us-gov:iam::111122223333:saml-provider/IdP"
	d, err = PersonaTrust(gov)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Statement) != 1 {
		t.Fatalf("statements %s", d.JSON())
	}
	assertSame(t, "gov SAML:aud", stmt(t, d, "AssumeWithSAML").Condition["StringEquals"]["SAML:aud"],
		[]string{"https://signin.amazonaws-us-gov.com/saml"})
}

func TestPersonaPolicyTooLarge(t *testing.T) {
	spec := personaSpec(PersonaDataScientist)
	for i := range 200 {
		spec.S3ReadURIs = append(spec.S3ReadURIs, "s3://bucket-"+strings.Repeat("x", 20)+"-"+string(rune('a'+i%26))+"/p"+strings.Repeat("y", i%7)+"/")
	}
	_, _, err := PersonaPolicy(spec)
	var e *Error
	if !errors.As(err, &e) || e.Limit != RolePolicyMaxChars || e.Size <= RolePolicyMaxChars {
		t.Fatalf("err = %v", err)
	}
}

// Import reads the inputs back so that they render the same documents.
func TestRecoverPersonaSpecRoundTrip(t *testing.T) {
	for name, spec := range map[string]PersonaSpec{
		"data scientist": personaSpec(PersonaDataScientist),
		"ml engineer with jobs": func() PersonaSpec {
			s := personaSpec(PersonaMLEngineer)
			s.ExtraActivities = []string{ActivityManageMLJobs}
			return s
		}(),
		"reviewer": personaSpec(PersonaModelReviewer),
		"data scientist without Studio": func() PersonaSpec {
			s := personaSpec(PersonaDataScientist)
			s.StudioDomainID = ""
			return s
		}(),
		"data scientist with endpoints": func() PersonaSpec {
			s := personaSpec(PersonaDataScientist)
			s.ExtraActivities, s.StudioDomainID = []string{ActivityManageEndpoints}, ""
			return s
		}(),
		"data scientist without S3": func() PersonaSpec {
			s := personaSpec(PersonaDataScientist)
			s.S3ReadURIs, s.S3WriteURIs = nil, nil
			return s
		}(),
		"reviewer with SAML only": func() PersonaSpec { s := personaSpec(PersonaModelReviewer); s.AccountPrincipals = nil; return s }(),
	} {
		t.Run(name, func(t *testing.T) {
			policy, _, err := PersonaPolicy(spec)
			if err != nil {
				t.Fatal(err)
			}
			trust, err := PersonaTrust(spec)
			if err != nil {
				t.Fatal(err)
			}
			got := RecoverPersonaSpec(trust.JSON(), policy.JSON())
			got.Partition, got.Region, got.AccountID = spec.Partition, spec.Region, spec.AccountID
			if got.Persona != spec.Persona {
				t.Fatalf("persona %q, want %q", got.Persona, spec.Persona)
			}
			p2, _, err := PersonaPolicy(got)
			if err != nil {
				t.Fatalf("recovered %+v: %v", got, err)
			}
			t2, err := PersonaTrust(got)
			if err != nil {
				t.Fatal(err)
			}
			if p2.JSON() != policy.JSON() || t2.JSON() != trust.JSON() {
				t.Errorf("recovered %+v renders other documents", got)
			}
		})
	}
	if got := RecoverPersonaSpec("garbage", "garbage"); got.Persona != "" || got.ExtraActivities != nil {
		t.Errorf("garbage recovered %+v", got)
	}
}
