package iampolicy

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
)

func guardrailSpec() GuardrailSpec {
	return GuardrailSpec{
		AllowedInstanceTypes:      []string{"ml.m5.*", "ml.g5.2xlarge"},
		MaxTrainingRuntimeSeconds: 86400,
		AllowedKMSKeyARNs:         []string{testKeyARN},
		AllowedSubnetIDs:          []string{testSubnet1, testSubnet2},
	}
}

var baseGuardrailControls = []StatementControl{
	{"DenyMissingVpcSubnets", "SS-NET-1"},
	{"DenyMissingVpcSecurityGroups", "SS-NET-1"},
	{"DenyWithoutNetworkIsolation", "SS-NET-4"},
	{"DenyWithoutInterContainerEncryption", "SS-ENC-3"},
	{"DenyMissingVolumeKmsKey", "SS-ENC-2"},
	{"DenyMissingVolumeKmsKeyNoTypes", "SS-ENC-2"},
	{"DenyMissingOutputKmsKey", "SS-ENC-1"},
}

func TestGuardrailGolden(t *testing.T) {
	for name, spec := range map[string]GuardrailSpec{
		"scp_default":     {},
		"scp_all_options": guardrailSpec(),
	} {
		t.Run(name, func(t *testing.T) {
			d, controls, err := GuardrailPolicy(spec)
			if err != nil {
				t.Fatal(err)
			}
			assertWellFormed(t, d)
			assertGolden(t, name, d)
			if len(controls) != len(d.Statement) {
				t.Fatalf("%d controls for %d statements", len(controls), len(d.Statement))
			}
			for i, s := range d.Statement {
				if controls[i].Sid != s.Sid || controls[i].Control == "" {
					t.Errorf("control %d = %+v for statement %s", i, controls[i], s.Sid)
				}
				if s.Effect != EffectDeny || !slices.Equal(s.Resource, []string{"*"}) || s.Principal != nil || len(s.Condition) == 0 {
					t.Errorf("%s must be an unconditional-resource, conditional Deny without principal: %s", s.Sid, s.json())
				}
			}
			if Size(d) > SCPMaxChars {
				t.Errorf("size %d over the limit", Size(d))
			}
		})
	}
}

func TestGuardrailDefaultStatements(t *testing.T) {
	d, controls, err := GuardrailPolicy(GuardrailSpec{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(controls, baseGuardrailControls) {
		t.Errorf("controls = %v", controls)
	}

	// One key per Null block for VPC settings: keys in one block are ANDed.
	subnets := stmt(t, d, "DenyMissingVpcSubnets")
	assertCondition(t, subnets, Condition{"Null": {"sagemaker:VpcSubnets": {"true"}}})
	sgs := stmt(t, d, "DenyMissingVpcSecurityGroups")
	assertCondition(t, sgs, Condition{"Null": {"sagemaker:VpcSecurityGroupIds": {"true"}}})
	for _, s := range []Statement{subnets, sgs} {
		assertSame(t, s.Sid+" actions", s.Action, []string{
			"sagemaker:CreateTrainingJob", "sagemaker:CreateHyperParameterTuningJob", "sagemaker:CreateModel",
			"sagemaker:CreateEndpointConfig", "sagemaker:CreateProcessingJob",
		})
	}

	// ...IfExists denies "false" and an absent key alike.
	isolation := stmt(t, d, "DenyWithoutNetworkIsolation")
	assertCondition(t, isolation, Condition{"BoolIfExists": {"sagemaker:NetworkIsolation": {"false"}}})
	if !slices.Contains(isolation.Action, "sagemaker:CreateEndpointConfig") || !slices.Contains(isolation.Action, "sagemaker:CreateModel") {
		t.Errorf("network isolation actions %v", isolation.Action)
	}
	ice := stmt(t, d, "DenyWithoutInterContainerEncryption")
	assertCondition(t, ice, Condition{"BoolIfExists": {"sagemaker:InterContainerTrafficEncryption": {"false"}}})
	assertSame(t, "inter-container actions", ice.Action, []string{
		"sagemaker:CreateTrainingJob", "sagemaker:CreateHyperParameterTuningJob", "sagemaker:CreateProcessingJob",
	})

	// Both the deprecated key and its ...Arn replacement, ANDed on purpose.
	volume := stmt(t, d, "DenyMissingVolumeKmsKey")
	assertSame(t, "volume Null keys", slices.Sorted(maps.Keys(volume.Condition["Null"])), []string{"sagemaker:VolumeKmsKey", "sagemaker:VolumeKmsKeyArn"})
	for _, v := range volume.Condition["Null"] {
		assertSame(t, "volume Null value", v, []string{"true"})
	}
	// ForAnyValue: the exemption holds only when every type has local
	// storage; a request without types needs the key too (issue 13).
	nvme := volume.Condition["ForAnyValue:StringNotLike"]["sagemaker:InstanceTypes"]
	for _, family := range []string{"ml.p4d.*", "ml.g5.*", "ml.g4dn.*", "ml.m5d.*"} {
		if !slices.Contains(nvme, family) {
			t.Errorf("local-storage family %s is not exempt from the volume key", family)
		}
	}
	if slices.Contains(nvme, "ml.m5.*") || slices.Contains(nvme, "ml.p3.*") {
		t.Errorf("EBS-only families must need a volume key: %v", nvme)
	}
	assertSame(t, "volume actions", volume.Action, []string{
		"sagemaker:CreateTrainingJob", "sagemaker:CreateHyperParameterTuningJob", "sagemaker:CreateEndpointConfig",
		"sagemaker:CreateProcessingJob", "sagemaker:CreateTransformJob",
	})
	noTypes := stmt(t, d, "DenyMissingVolumeKmsKeyNoTypes")
	assertCondition(t, noTypes, Condition{"Null": {"sagemaker:VolumeKmsKey": {"true"}, "sagemaker:VolumeKmsKeyArn": {"true"},
		"sagemaker:InstanceTypes": {"true"}}})
	assertSame(t, "volume actions without types", noTypes.Action, volume.Action)
	output := stmt(t, d, "DenyMissingOutputKmsKey")
	assertCondition(t, output, Condition{"Null": {"sagemaker:OutputKmsKey": {"true"}, "sagemaker:OutputKmsKeyArn": {"true"}}})
	if slices.Contains(output.Action, "sagemaker:CreateEndpointConfig") {
		t.Error("no output key condition exists for CreateEndpointConfig")
	}
	for _, s := range d.Statement {
		if slices.Contains(s.Action, "sagemaker:CreateEndpoint") {
			t.Errorf("%s: CreateEndpoint has no security condition keys", s.Sid)
		}
	}
}

func TestGuardrailOptions(t *testing.T) {
	d, controls, err := GuardrailPolicy(guardrailSpec())
	if err != nil {
		t.Fatal(err)
	}
	want := append(slices.Clone(baseGuardrailControls),
		StatementControl{"DenyUnapprovedSubnets", "SS-NET-1"},
		StatementControl{"DenyUnapprovedVolumeKmsKey", "SS-KMS-1"},
		StatementControl{"DenyUnapprovedVolumeKmsKeyArn", "SS-KMS-1"},
		StatementControl{"DenyUnapprovedOutputKmsKey", "SS-KMS-1"},
		StatementControl{"DenyUnapprovedOutputKmsKeyArn", "SS-KMS-1"},
		StatementControl{"DenyUnapprovedInstanceTypes", "SS-GOV-2"},
		StatementControl{"DenyExcessiveTrainingRuntime", "SS-GOV-3"},
	)
	if !slices.Equal(controls, want) {
		t.Errorf("controls = %v", controls)
	}
	assertCondition(t, stmt(t, d, "DenyUnapprovedSubnets"),
		Condition{"ForAnyValue:StringNotEquals": {"sagemaker:VpcSubnets": {testSubnet1, testSubnet2}}})
	for _, key := range []string{"VolumeKmsKey", "VolumeKmsKeyArn", "OutputKmsKey", "OutputKmsKeyArn"} {
		k := "sagemaker:" + key
		assertCondition(t, stmt(t, d, "DenyUnapproved"+key),
			Condition{"Null": {k: {"false"}}, "ArnNotLike": {k: {testKeyARN}}})
	}
	types := stmt(t, d, "DenyUnapprovedInstanceTypes")
	assertCondition(t, types, Condition{"ForAnyValue:StringNotLike": {"sagemaker:InstanceTypes": {"ml.m5.*", "ml.g5.2xlarge"}}})
	if !slices.Contains(types.Action, "sagemaker:CreateEndpointConfig") || !slices.Contains(types.Action, "sagemaker:UpdateTrainingJob") {
		t.Errorf("instance type actions %v", types.Action)
	}
	runtime := stmt(t, d, "DenyExcessiveTrainingRuntime")
	assertCondition(t, runtime, Condition{"NumericGreaterThanIfExists": {"sagemaker:MaxRuntimeInSeconds": {"86400"}}})
	assertSame(t, "runtime actions", runtime.Action, []string{"sagemaker:CreateTrainingJob", "sagemaker:CreateHyperParameterTuningJob"})
}

func TestGuardrailSizeLimit(t *testing.T) {
	spec := guardrailSpec()
	for i := range 12 {
		spec.AllowedKMSKeyARNs = append(spec.AllowedKMSKeyARNs,
			fmt.Sprintf("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-%012d", i))
	}
	d, controls, err := GuardrailPolicy(spec)
	if !errors.Is(err, ErrPolicyTooLarge) {
		t.Fatalf("err = %v, want ErrPolicyTooLarge", err)
	}
	var e *Error
	if !errors.As(err, &e) || e.Limit != SCPMaxChars || e.Size != Size(d) || e.Size <= SCPMaxChars {
		t.Errorf("error %+v for a document of %d characters", e, Size(d))
	}
	if len(controls) != len(d.Statement) || len(d.Statement) == 0 {
		t.Error("the oversized document and its controls must still be returned")
	}
}

func TestGuardrailRefusals(t *testing.T) {
	for name, tc := range map[string]struct {
		mutate func(*GuardrailSpec)
		field  string
		index  int
	}{
		"negative runtime":    {func(s *GuardrailSpec) { s.MaxTrainingRuntimeSeconds = -1 }, "MaxTrainingRuntimeSeconds", -1},
		"non-ml type":         {func(s *GuardrailSpec) { s.AllowedInstanceTypes[1] = "m5.large" }, "AllowedInstanceTypes", 1},
		"empty type":          {func(s *GuardrailSpec) { s.AllowedInstanceTypes[0] = "" }, "AllowedInstanceTypes", 0},
		"alias as key":        {func(s *GuardrailSpec) { s.AllowedKMSKeyARNs[0] = "arn:aws:kms:us-east-1:111122223333:alias/x" }, "AllowedKMSKeyARNs", 0},
		"key ID as key":       {func(s *GuardrailSpec) { s.AllowedKMSKeyARNs[0] = "1234abcd-12ab-34cd-56ef-1234567890ab" }, "AllowedKMSKeyARNs", 0},
		"bad subnet":          {func(s *GuardrailSpec) { s.AllowedSubnetIDs[1] = "subnet-1" }, "AllowedSubnetIDs", 1},
		"subnet with newline": {func(s *GuardrailSpec) { s.AllowedSubnetIDs[0] = testSubnet1 + "\n" }, "AllowedSubnetIDs", 0},
	} {
		t.Run(name, func(t *testing.T) {
			spec := guardrailSpec()
			tc.mutate(&spec)
			_, _, err := GuardrailPolicy(spec)
			var e *Error
			if !errors.As(err, &e) || e.Field != tc.field || e.Index != tc.index {
				t.Errorf("err = %v, want a refusal of %s[%d]", err, tc.field, tc.index)
			}
		})
	}
	spec := guardrailSpec()
	spec.AllowedKMSKeyARNs = []string{"arn:aws:kms:*:111122223333:key/*"}
	if _, _, err := GuardrailPolicy(spec); err != nil {
		t.Errorf("a key ARN pattern is a valid allow-list entry: %v", err)
	}
}

// assertCondition compares a statement's whole condition block.
func assertCondition(t *testing.T, s Statement, want Condition) {
	t.Helper()
	if got, w := s.Condition.json(), want.json(); got != w {
		t.Errorf("%s condition = %s, want %s", s.Sid, got, w)
	}
}
