package kmskey

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
)

// TestAuditLeftoverKey: the key a killed apply made is adopted only when it
// is what this create would make (part (c) of the recovery rule).
func TestAuditLeftoverKey(t *testing.T) {
	doc, err := iampolicy.KeyPolicy(iampolicy.KeySpec{Partition: "aws", Region: "us-east-1", AccountID: "123456789012", AllowCloudWatchLogs: true})
	if err != nil {
		t.Fatal(err)
	}
	other, err := iampolicy.KeyPolicy(iampolicy.KeySpec{Partition: "aws", Region: "us-east-1", AccountID: "123456789012"})
	if err != nil {
		t.Fatal(err)
	}
	in := &kms.CreateKeyInput{
		Description: aws.String("ml"),
		Policy:      aws.String(doc.JSON()),
		Tags: []kmstypes.Tag{
			{TagKey: aws.String("team"), TagValue: aws.String("ml")},
			{TagKey: aws.String(idem.TokenTag), TagValue: aws.String("this-create")},
			{TagKey: aws.String(TagAlias), TagValue: aws.String("alias/ml")},
		},
	}
	meta := func(change func(*kmstypes.KeyMetadata)) *kmstypes.KeyMetadata {
		m := &kmstypes.KeyMetadata{KeyId: aws.String("k"), KeyState: kmstypes.KeyStateEnabled, KeyManager: kmstypes.KeyManagerTypeCustomer,
			KeySpec: kmstypes.KeySpecSymmetricDefault, KeyUsage: kmstypes.KeyUsageTypeEncryptDecrypt, Origin: kmstypes.OriginTypeAwsKms,
			Description: aws.String("ml")}
		if change != nil {
			change(m)
		}
		return m
	}
	tags := map[string]string{"team": "ml", idem.TokenTag: "killed-run", TagAlias: "alias/ml"}
	cases := []struct {
		name    string
		meta    *kmstypes.KeyMetadata
		tags    map[string]string
		aliases []string
		policy  string
		wantErr string
	}{
		{name: "killed right after CreateKey", meta: meta(nil), tags: tags, policy: doc.JSON()},
		{name: "killed after CreateAlias", meta: meta(nil), tags: tags, aliases: []string{"alias/ml"}, policy: doc.JSON()},
		{name: "disabled", meta: meta(func(m *kmstypes.KeyMetadata) { m.KeyState = kmstypes.KeyStateDisabled }), tags: tags, policy: doc.JSON(), wantErr: "Disabled, not Enabled"},
		{name: "another key spec", meta: meta(func(m *kmstypes.KeyMetadata) { m.KeySpec = kmstypes.KeySpecRsa2048 }), tags: tags, policy: doc.JSON(), wantErr: "key spec RSA_2048"},
		{name: "multi-Region", meta: meta(func(m *kmstypes.KeyMetadata) { m.MultiRegion = aws.Bool(true) }), tags: tags, policy: doc.JSON(), wantErr: "multi-Region"},
		{name: "another description", meta: meta(func(m *kmstypes.KeyMetadata) { m.Description = aws.String("x") }), tags: tags, policy: doc.JSON(), wantErr: "description"},
		{name: "the policy was edited", meta: meta(nil), tags: tags, policy: other.JSON(), wantErr: "key policy"},
		{name: "a tag was added", meta: meta(nil), tags: map[string]string{"team": "ml", "extra": "1", idem.TokenTag: "t", TagAlias: "alias/ml"}, policy: doc.JSON(), wantErr: "its tags"},
		{name: "another alias too", meta: meta(nil), tags: tags, aliases: []string{"alias/ml", "alias/other"}, policy: doc.JSON(), wantErr: "alias/other"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := auditLeftoverKey(tc.meta, tc.tags, tc.aliases, tc.policy, in, "alias/ml")
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}
