package acctest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest/emulator"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/awsclient"
)

// TestAccFaults_throttledKMSKeyApplies runs a key's whole life with half
// of the KMS calls and the first CreateKey throttled: the apply, the refresh
// and the destroy must
// still succeed, with exactly one key made. It fails when the faults never
// reach the provider's requests (no hits), so it also checks the harness.
func TestAccFaults_throttledKMSKeyApplies(t *testing.T) {
	acctest.PreCheck(t)
	f := acctest.InjectFaults(t,
		// Half at random: "every 2" would throttle every attempt of the
		// provider's own create loop (CreateKey, then ListKeys to look for
		// the key, then CreateKey again).
		emulator.FaultRule{Action: "kms:*", Fault: emulator.FaultThrottle, Share: 0.5},
		// The create is sent with the SDK's retries off (idem.Create) and
		// retried by the provider itself.
		emulator.FaultRule{Action: "kms:CreateKey", Fault: emulator.FaultThrottle, First: 1},
	)
	description := acctest.RandomName("faults")
	var keyID string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(f.Options()),
		CheckDestroy: func(*terraform.State) error {
			return checkKeyPendingDeletion(t, keyID)
		},
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig("") + fmt.Sprintf(`
resource "sagesafe_kms_key" "test" {
  description          = %[1]q
  deletion_window_days = 7
}
`, description),
			Check: resource.ComposeAggregateTestCheckFunc(
				func(s *terraform.State) error {
					keyID = s.RootModule().Resources["sagesafe_kms_key.test"].Primary.ID
					return nil
				},
				func(*terraform.State) error { return checkThrottled(t, f) },
				func(*terraform.State) error { return checkOneKey(t, description, keyID) },
			),
		}},
	})
}

// checkThrottled fails unless each rule throttled some of the provider's
// calls and the throttled create was sent again.
func checkThrottled(t *testing.T, f *acctest.Faults) error {
	ctx := context.Background()
	rules, err := f.Rules(ctx)
	if err != nil {
		return err
	}
	calls, err := f.Calls(ctx)
	if err != nil {
		return err
	}
	t.Logf("scope %s: rules %+v; calls %v", f.Scope, rules, calls)
	if len(rules) == 0 {
		return fmt.Errorf("no rules registered in scope %s", f.Scope)
	}
	for _, r := range rules {
		if r.Hits == 0 {
			return fmt.Errorf("rule %+v throttled nothing (calls %v): the faults did not reach the provider", r.FaultRule, calls)
		}
	}
	if calls["kms:CreateKey"] < 2 {
		return fmt.Errorf("kms:CreateKey sent %d times, want a retry after the throttle", calls["kms:CreateKey"])
	}
	return nil
}

// checkOneKey fails unless keyID is the only key with this description
// (a throttled create retried must not leave a second key).
func checkOneKey(t *testing.T, description, keyID string) error {
	ctx := context.Background()
	kc := acctest.AWS(t).KMS
	var found []string
	pages := kms.NewListKeysPaginator(kc, &kms.ListKeysInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			d, err := kc.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.KeyId})
			if err != nil {
				return err
			}
			if d.KeyMetadata != nil && aws.ToString(d.KeyMetadata.Description) == description {
				found = append(found, aws.ToString(k.KeyId))
			}
		}
	}
	if len(found) != 1 || found[0] != keyID {
		return fmt.Errorf("keys with description %q: %v, want only %s", description, found, keyID)
	}
	return nil
}

func checkKeyPendingDeletion(t *testing.T, keyID string) error {
	if keyID == "" {
		return errors.New("no key was created")
	}
	d, err := acctest.AWS(t).KMS.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String(keyID)})
	var nf *kmstypes.NotFoundException
	if errors.As(err, &nf) {
		return nil
	}
	if err != nil {
		return err
	}
	if d.KeyMetadata.KeyState != kmstypes.KeyStatePendingDeletion {
		return fmt.Errorf("key %s is %s after destroy, want PendingDeletion", keyID, d.KeyMetadata.KeyState)
	}
	return nil
}

// TestAccFaults_goSDKSeesAWSErrors checks the emulator's faults through the
// provider's own SDK clients: each injected throttle is a throttle to
// aws-sdk-go-v2's retryer (whatever the service's protocol: EC2 XML, query
// XML, JSON 1.1, REST XML, RPC v2 CBOR), each injected error is retryable,
// and a lost answer is a connection error (not an HTTP answer) after the
// request took effect.
func TestAccFaults_goSDKSeesAWSErrors(t *testing.T) {
	acctest.PreCheck(t)
	ctx := context.Background()
	f := acctest.InjectFaults(t) // rules are set below, after the clients asked STS who they are
	c, diags := awsclient.New(ctx, awsclient.Config{
		Region: acctest.Region, EndpointURL: acctest.Endpoint(), AccessKey: "testing", SecretKey: "testing",
		WrapTransport: f.Wrap,
	})
	if diags.HasError() {
		t.Fatalf("clients: %v", diags)
	}
	rules := []emulator.FaultRule{{Action: "sagemaker:ListModels", Fault: emulator.FaultError}}
	calls := map[string]func() error{}
	add := func(action string, call func() error) {
		rules = append(rules, emulator.FaultRule{Action: action, Fault: emulator.FaultThrottle})
		calls[action] = call
	}
	add("ec2:DescribeVpcs", func() error {
		_, err := c.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{}, func(o *ec2.Options) { o.RetryMaxAttempts = 1 })
		return err
	})
	add("iam:ListRoles", func() error {
		_, err := c.IAM.ListRoles(ctx, &iam.ListRolesInput{}, func(o *iam.Options) { o.RetryMaxAttempts = 1 })
		return err
	})
	add("sts:GetCallerIdentity", func() error {
		_, err := c.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}, func(o *sts.Options) { o.RetryMaxAttempts = 1 })
		return err
	})
	add("cloudwatch:DescribeAlarms", func() error {
		_, err := c.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{}, func(o *cloudwatch.Options) { o.RetryMaxAttempts = 1 })
		return err
	})
	add("kms:ListKeys", func() error {
		_, err := c.KMS.ListKeys(ctx, &kms.ListKeysInput{}, func(o *kms.Options) { o.RetryMaxAttempts = 1 })
		return err
	})
	add("logs:DescribeLogGroups", func() error {
		_, err := c.Logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{}, func(o *cloudwatchlogs.Options) { o.RetryMaxAttempts = 1 })
		return err
	})
	add("sagemaker:ListEndpoints", func() error {
		_, err := c.SageMaker.ListEndpoints(ctx, &sagemaker.ListEndpointsInput{}, func(o *sagemaker.Options) { o.RetryMaxAttempts = 1 })
		return err
	})
	add("s3:ListBuckets", func() error {
		_, err := c.S3.ListBuckets(ctx, &s3.ListBucketsInput{}, func(o *s3.Options) { o.RetryMaxAttempts = 1 })
		return err
	})
	rules = append(rules, emulator.FaultRule{Action: "kms:CreateKey", Fault: emulator.FaultLose})
	if err := acctest.Emulator(t).SetFaults(ctx, f.Scope, rules); err != nil {
		t.Fatal(err)
	}

	retryer := retry.NewStandard()
	throttles := retry.IsErrorThrottles(retry.DefaultThrottles)
	for action, call := range calls {
		err := call()
		if err == nil {
			t.Errorf("%s: no error under a throttle rule", action)
			continue
		}
		if throttles.IsErrorThrottle(err) != aws.TrueTernary {
			t.Errorf("%s: %v is not a throttle to the SDK", action, err)
		}
		if err := call(); err != nil { // the rule is spent
			t.Errorf("%s after the throttle: %v", action, err)
		}
	}

	_, err := c.SageMaker.ListModels(ctx, &sagemaker.ListModelsInput{}, func(o *sagemaker.Options) { o.RetryMaxAttempts = 1 })
	var re *smithyhttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != 500 || !retryer.IsErrorRetryable(err) {
		t.Errorf("sagemaker:ListModels under an error rule: %v, want a retryable HTTP 500", err)
	}

	description := acctest.RandomName("lost")
	_, err = c.KMS.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String(description)}, func(o *kms.Options) { o.RetryMaxAttempts = 1 })
	var send *smithyhttp.RequestSendError
	if !errors.As(err, &send) || (errors.As(err, &re) && re.HTTPStatusCode() != 0) {
		t.Errorf("kms:CreateKey under a lose rule: %v (%T), want a connection error and no HTTP answer", err, err)
	}
	var keyID string
	pages := kms.NewListKeysPaginator(c.KMS, &kms.ListKeysInput{})
	for pages.HasMorePages() && keyID == "" {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range page.Keys {
			d, err := c.KMS.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.KeyId})
			if err == nil && d.KeyMetadata != nil && aws.ToString(d.KeyMetadata.Description) == description {
				keyID = aws.ToString(k.KeyId)
			}
		}
	}
	if keyID == "" {
		t.Fatalf("the lost CreateKey did not take effect: no key with description %q", description)
	}
	_, _ = c.KMS.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(keyID), PendingWindowInDays: aws.Int32(7)})

	hits, err := f.Hits(ctx)
	if err != nil || hits != len(rules) {
		t.Errorf("hits = %d, %v; want one per rule (%d)", hits, err, len(rules))
	}
}
