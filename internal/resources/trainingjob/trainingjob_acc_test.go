package trainingjob_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/awsclient"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/fixtures"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/provider"
)

const (
	addr       = "sagesafe_training_job.test"
	logGroup   = "/aws/sagemaker/TrainingJobs"
	topicARN   = "arn:aws:sns:us-east-1:123456789012:tfacc-training-alerts"
	digest     = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	cpuType    = "ml.m5.xlarge"
	nvmeGPUTyp = "ml.g5.xlarge"
)

// env is what a training job needs, made with the SDK (not with other
// sagesafe resources): a private subnet routed to S3 through a gateway
// endpoint, a closed security group, a rotating CMK, a SageMaker role with
// confused-deputy conditions and an SSE-KMS, TLS-only bucket.
type env struct {
	subnet, sg, key, role, bucket, image string
}

func makeEnv(t *testing.T) env {
	t.Helper()
	skipUnlessAcc(t)
	c := acctest.AWS(t)
	vpc := acctest.VPC(t, "10.60.0.0/16")
	key := acctest.Key(t, true)
	return env{
		subnet: acctest.Subnet(t, vpc, acctest.SubnetOpts{CIDR: "10.60.1.0/24", S3Gateway: true}),
		sg:     acctest.SecurityGroup(t, vpc, false),
		key:    key,
		role:   acctest.Role(t, acctest.SageMakerTrust(c.AccountID, true)),
		bucket: acctest.DataBucket(t, key),
		image:  c.AccountID + ".dkr.ecr." + acctest.Region + ".amazonaws.com/tfacc-train@" + digest,
	}
}

// skipUnlessAcc skips an acceptance test outside TF_ACC=1 before it makes
// fixtures (which need the emulator), as resource.Test itself would.
func skipUnlessAcc(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make test runs it against the emulator)")
	}
}

// jobConfig is one training job configuration; the zero values of the
// optional fields give a compliant job.
type jobConfig struct {
	env
	nameLine     string // `name = "..."` or `name_prefix = "..."`
	instanceType string
	inputURI     string // default s3://<bucket>/train/
	keyLine      string // default kms_key_arn = <key>
	vpcBlock     string // default the env's subnet and security group
	runtimeLine  string // default max_runtime_seconds = 3600
	image        string
	alarmsBlock  string // default actions = [topicARN]; "none" leaves it out
	extra        string
	provider     string // inside the provider block
}

func (c jobConfig) render(providerBlock func(string) string) string {
	it := c.instanceType
	if it == "" {
		it = cpuType
	}
	input := c.inputURI
	if input == "" {
		input = "s3://" + c.bucket + "/train/"
	}
	key := c.keyLine
	if key == "" {
		key = fmt.Sprintf("kms_key_arn = %q", c.key)
	}
	vpc := c.vpcBlock
	if vpc == "" {
		vpc = fmt.Sprintf("vpc = {\n    subnet_ids         = [%q]\n    security_group_ids = [%q]\n  }", c.subnet, c.sg)
	}
	runtime := c.runtimeLine
	if runtime == "" {
		runtime = "max_runtime_seconds = 3600"
	}
	img := c.image
	if img == "" {
		img = c.env.image
	}
	al := c.alarmsBlock
	switch al {
	case "":
		al = fmt.Sprintf("alarms = {\n    actions = [%q]\n  }", topicARN)
	case "none":
		al = "# alarms: the defaults, notifying the provider's alarm_actions"
	}
	return providerBlock(c.provider) + fmt.Sprintf(`
resource "sagesafe_training_job" "test" {
  %[1]s
  role_arn      = %[2]q
  image         = %[3]q
  instance_type = %[4]q
  %[5]s
  %[6]s
  output_s3_uri = "s3://%[7]s/output"

  input_channels = [{
    name         = "train"
    s3_uri       = %[8]q
    content_type = "text/csv"
  }]

  %[9]s

  %[10]s

  %[11]s
}
`, c.nameLine, c.role, img, it, key, runtime, c.bucket, input, vpc, al, c.extra)
}

func testAccTrainingJobConfig_basic(e env, prefix string) string {
	return jobConfig{env: e, nameLine: fmt.Sprintf("name_prefix = %q", prefix), extra: fmt.Sprintf(`
  checkpoint_s3_uri = "s3://%[1]s/checkpoints"
  volume_size_gb    = 50
  hyperparameters   = { epochs = "3", learning_rate = "0.1" }
  environment       = { LOG_LEVEL = "info" }
  tags              = { project = "tfacc" }
`, e.bucket)}.render(acctest.ProviderConfig)
}

func testAccTrainingJobConfig_named(e env, name, extra string) string {
	return jobConfig{env: e, nameLine: fmt.Sprintf("name = %q", name), extra: extra}.render(acctest.ProviderConfig)
}

func testAccTrainingJobConfig_prefixed(e env, prefix, extra string) string {
	return jobConfig{env: e, nameLine: fmt.Sprintf("name_prefix = %q", prefix), extra: extra}.render(acctest.ProviderConfig)
}

func testAccTrainingJobConfig_tags(e env, name, tags, alarms string) string {
	return jobConfig{env: e, nameLine: fmt.Sprintf("name = %q", name), extra: "tags = " + tags,
		alarmsBlock: alarms}.render(acctest.ProviderConfig)
}

// testAccTrainingJobConfig_nvme also leaves the alarms attribute out, so the
// provider's alarm_actions are used.
func testAccTrainingJobConfig_nvme(e env, name string) string {
	return jobConfig{env: e, nameLine: fmt.Sprintf("name = %q", name), instanceType: nvmeGPUTyp, alarmsBlock: "none",
		provider: fmt.Sprintf("  alarm_actions = [%q]", topicARN)}.render(acctest.ProviderConfig)
}

// ---- checks that ask the emulator directly ----

func jobName(s *terraform.State) (string, error) {
	rs, ok := s.RootModule().Resources[addr]
	if !ok {
		return "", fmt.Errorf("%s is not in state", addr)
	}
	return rs.Primary.Attributes["name"], nil
}

func describe(ctx context.Context, c *awsclient.Client, name string) (*sagemaker.DescribeTrainingJobOutput, error) {
	return c.SageMaker.DescribeTrainingJob(ctx, &sagemaker.DescribeTrainingJobInput{TrainingJobName: aws.String(name)})
}

// testAccCheckForcedSettings verifies, on the emulator, every setting
// sagesafe forces: network isolation, inter-container encryption, the CMK on
// the output and (unless NVMe) the volume, the VPC, the runtime bound, the
// encrypted shared log group and one alarm per instance and kind.
func testAccCheckForcedSettings(c *awsclient.Client, e env, volumeKey bool, kinds int) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		ctx := context.Background()
		name, err := jobName(s)
		if err != nil {
			return err
		}
		job, err := describe(ctx, c, name)
		if err != nil {
			return err
		}
		var problems []string
		if !aws.ToBool(job.EnableNetworkIsolation) {
			problems = append(problems, "EnableNetworkIsolation is not true")
		}
		if !aws.ToBool(job.EnableInterContainerTrafficEncryption) {
			problems = append(problems, "EnableInterContainerTrafficEncryption is not true")
		}
		if got := aws.ToString(job.OutputDataConfig.KmsKeyId); got != e.key {
			problems = append(problems, "OutputDataConfig.KmsKeyId is "+got)
		}
		switch got := aws.ToString(job.ResourceConfig.VolumeKmsKeyId); {
		case volumeKey && got != e.key:
			problems = append(problems, "ResourceConfig.VolumeKmsKeyId is "+got)
		case !volumeKey && got != "":
			problems = append(problems, "a volume key was sent for an NVMe instance type: "+got)
		}
		if v := job.VpcConfig; v == nil || len(v.Subnets) != 1 || v.Subnets[0] != e.subnet || len(v.SecurityGroupIds) != 1 || v.SecurityGroupIds[0] != e.sg {
			problems = append(problems, fmt.Sprintf("VpcConfig is %+v", job.VpcConfig))
		}
		if aws.ToInt32(job.StoppingCondition.MaxRuntimeInSeconds) != 3600 {
			problems = append(problems, "MaxRuntimeInSeconds is not 3600")
		}
		lg, err := c.Logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(logGroup)})
		if err != nil {
			return err
		}
		found := false
		for _, g := range lg.LogGroups {
			if aws.ToString(g.LogGroupName) == logGroup {
				found = true
				if aws.ToString(g.KmsKeyId) == "" {
					problems = append(problems, "the shared log group has no KMS key")
				}
				if r := aws.ToInt32(g.RetentionInDays); r != 0 && r < 365 {
					problems = append(problems, fmt.Sprintf("the shared log group keeps logs %d days", r))
				}
			}
		}
		if !found {
			problems = append(problems, "the shared log group does not exist")
		}
		al, err := c.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String("sagesafe-training-" + name + "-")})
		if err != nil {
			return err
		}
		if len(al.MetricAlarms) != kinds {
			problems = append(problems, fmt.Sprintf("%d alarms, want %d", len(al.MetricAlarms), kinds))
		}
		for _, a := range al.MetricAlarms {
			host := ""
			for _, d := range a.Dimensions {
				if aws.ToString(d.Name) == "Host" {
					host = aws.ToString(d.Value)
				}
			}
			if aws.ToString(a.Namespace) != logGroup || host != name+"/algo-1" || !aws.ToBool(a.ActionsEnabled) ||
				len(a.AlarmActions) != 1 || a.AlarmActions[0] != topicARN {
				problems = append(problems, fmt.Sprintf("alarm %s: namespace %s host %s enabled %v actions %v",
					aws.ToString(a.AlarmName), aws.ToString(a.Namespace), host, aws.ToBool(a.ActionsEnabled), a.AlarmActions))
			}
		}
		if len(problems) > 0 {
			return fmt.Errorf("training job %s: %s", name, strings.Join(problems, "; "))
		}
		return nil
	}
}

// testAccCheckTrainingJobDestroy asks the emulator that every job of the
// test has ended (SageMaker keeps job records, so they cannot be gone) and
// that none of their alarms is left.
func testAccCheckTrainingJobDestroy(c *awsclient.Client, wantStatus smtypes.TrainingJobStatus) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		ctx := context.Background()
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "sagesafe_training_job" {
				continue
			}
			name := rs.Primary.Attributes["name"]
			job, err := describe(ctx, c, name)
			if err != nil {
				return fmt.Errorf("training job %s: SageMaker keeps job records, but describing it failed: %w", name, err)
			}
			switch st := job.TrainingJobStatus; {
			case wantStatus != "" && st != wantStatus:
				return fmt.Errorf("training job %s is %s after destroy, want %s", name, st, wantStatus)
			case st != smtypes.TrainingJobStatusCompleted && st != smtypes.TrainingJobStatusFailed && st != smtypes.TrainingJobStatusStopped:
				return fmt.Errorf("training job %s is still %s after destroy", name, st)
			}
			al, err := c.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String("sagesafe-training-" + name + "-")})
			if err != nil {
				return err
			}
			if len(al.MetricAlarms) > 0 {
				return fmt.Errorf("training job %s: %d alarms left after destroy", name, len(al.MetricAlarms))
			}
		}
		return nil
	}
}

// mergeBehaviour changes emulator behaviour keys for this test and restores
// their defaults when it ends. Only training keys are used, with patterns
// that match only this test's random names.
func mergeBehaviour(t *testing.T, changes map[string]any) {
	t.Helper()
	emu := acctest.Emulator(t)
	if err := emu.MergeBehaviour(context.Background(), changes); err != nil {
		t.Fatalf("emulator behaviour: %v", err)
	}
	t.Cleanup(func() {
		restore := map[string]any{}
		for k := range changes {
			restore[k] = nil
		}
		if err := emu.MergeBehaviour(context.Background(), restore); err != nil {
			t.Errorf("restoring emulator behaviour: %v", err)
		}
	})
}

// wrapped matches text as Terraform prints it, wrapped at any space.
func wrapped(text string) string {
	return strings.Join(strings.Fields(regexp.QuoteMeta(text)), `\s+`)
}

// expectPriorState checks attributes of the resource in the prior state of
// a plan (for a resource whose apply failed, which no state check sees).
type expectPriorState struct {
	want map[string]*regexp.Regexp
}

func (e expectPriorState) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	if req.Plan.PriorState == nil || req.Plan.PriorState.Values == nil {
		resp.Error = fmt.Errorf("the plan has no prior state")
		return
	}
	for _, r := range req.Plan.PriorState.Values.RootModule.Resources {
		if r.Address != addr {
			continue
		}
		for k, re := range e.want {
			v, _ := r.AttributeValues[k].(string)
			if !re.MatchString(v) {
				resp.Error = fmt.Errorf("prior state %s.%s = %q, want %s", addr, k, v, re)
				return
			}
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in the prior state", addr)
}

// ---- tests ----

func TestAccTrainingJob_basic(t *testing.T) {
	e := makeEnv(t)
	c := acctest.AWS(t)
	prefix := acctest.RandomName("basic") + "-"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckTrainingJobDestroy(c, smtypes.TrainingJobStatusCompleted),
		Steps: []resource.TestStep{
			{
				Config: testAccTrainingJobConfig_basic(e, prefix),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringRegexp(regexp.MustCompile("^"+prefix+`\d{14}[a-z0-9]{4}$`))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact("Completed")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("arn"), knownvalue.StringRegexp(regexp.MustCompile(`^arn:aws:sagemaker:us-east-1:\d{12}:training-job/`+prefix))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("model_artifacts_s3_uri"), knownvalue.StringRegexp(regexp.MustCompile(`^s3://`+e.bucket+`/output/.+/output/model\.tar\.gz$`))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("log_group_name"), knownvalue.StringExact(logGroup)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("instance_count"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("wait_for_completion"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("input_channels").AtSliceIndex(0).AtMapKey("input_mode"), knownvalue.StringExact("File")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("alarm_names"), knownvalue.MapSizeExact(2)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("alarm_names").AtMapKey("algo-1/disk"), knownvalue.StringRegexp(regexp.MustCompile(`^sagesafe-training-`+prefix+`.*-algo-1-disk-utilization$`))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), knownvalue.SetPartial([]knownvalue.Check{
						knownvalue.StringExact("SS-NET-1"), knownvalue.StringExact("SS-NET-2"), knownvalue.StringExact("SS-NET-3"),
						knownvalue.StringExact("SS-NET-4"), knownvalue.StringExact("SS-ENC-1"), knownvalue.StringExact("SS-ENC-2"),
						knownvalue.StringExact("SS-ENC-3"), knownvalue.StringExact("SS-ENC-5"), knownvalue.StringExact("SS-KMS-1"),
						knownvalue.StringExact("SS-KMS-2"), knownvalue.StringExact("SS-MON-1"), knownvalue.StringExact("SS-MON-3"),
						knownvalue.StringExact("SS-GOV-3"), knownvalue.StringExact("SS-SUP-1"), knownvalue.StringExact("SS-TLS-2"),
						knownvalue.StringExact("SS-DATA-1"), knownvalue.StringExact("SS-IAM-1"), knownvalue.StringExact("SS-IAM-2"),
					})),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccCheckForcedSettings(c, e, true, 2),
					func(s *terraform.State) error {
						name, _ := jobName(s)
						job, err := describe(context.Background(), c, name)
						if err != nil {
							return err
						}
						if got := aws.ToString(job.CheckpointConfig.S3Uri); got != "s3://"+e.bucket+"/checkpoints" {
							return fmt.Errorf("checkpoint %s", got)
						}
						if job.HyperParameters["epochs"] != "3" || aws.ToInt32(job.ResourceConfig.VolumeSizeInGB) != 50 {
							return fmt.Errorf("hyperparameters %v volume %d", job.HyperParameters, aws.ToInt32(job.ResourceConfig.VolumeSizeInGB))
						}
						return nil
					},
				),
			},
			{
				// Drift: an alarm deleted outside Terraform is restored in
				// place, without a new job.
				PreConfig: func() {
					name := ""
					out, err := c.SageMaker.ListTrainingJobs(context.Background(), &sagemaker.ListTrainingJobsInput{NameContains: aws.String(prefix)})
					if err != nil || len(out.TrainingJobSummaries) != 1 {
						t.Fatalf("finding the job: %v %v", err, out)
					}
					name = aws.ToString(out.TrainingJobSummaries[0].TrainingJobName)
					if _, err := c.CloudWatch.DeleteAlarms(context.Background(), &cloudwatch.DeleteAlarmsInput{
						AlarmNames: []string{"sagesafe-training-" + name + "-algo-1-disk-utilization"}}); err != nil {
						t.Fatalf("deleting an alarm: %v", err)
					}
				},
				Config: testAccTrainingJobConfig_basic(e, prefix),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("alarm_names"), knownvalue.MapSizeExact(2)),
				},
				Check: testAccCheckForcedSettings(c, e, true, 2),
			},
			{
				// The emulator does not return the environment and an
				// imported job has no name_prefix; everything else matches.
				ResourceName:                         addr,
				ImportState:                          true,
				ImportStateIdFunc:                    func(s *terraform.State) (string, error) { return jobName(s) },
				ImportStateVerify:                    true,
				ImportStateVerifyIdentifierAttribute: "name",
				ImportStateVerifyIgnore:              []string{"environment", "name_prefix"},
			},
		},
	})
}

func TestAccTrainingJob_import(t *testing.T) {
	e := makeEnv(t)
	c := acctest.AWS(t)
	name := acctest.RandomName("import")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckTrainingJobDestroy(c, ""),
		Steps: []resource.TestStep{
			{
				Config: testAccTrainingJobConfig_named(e, name, `hyperparameters = { depth = "6" }`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact(name)),
				},
			},
			{
				ResourceName:                         addr,
				ImportState:                          true,
				ImportStateId:                        name,
				ImportStateVerify:                    true,
				ImportStateVerifyIdentifierAttribute: "name",
			},
			{
				// A changed input needs a new job, which cannot have the
				// same name: refused at plan time, not half-way through apply.
				Config:      testAccTrainingJobConfig_named(e, name, `hyperparameters = { depth = "7" }`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Training job name cannot be reused`),
			},
			{
				Config: testAccTrainingJobConfig_named(e, name, `hyperparameters = { depth = "6" }`),
			},
		},
	})
}

func TestAccTrainingJob_waitForCompletion(t *testing.T) {
	e := makeEnv(t)
	c := acctest.AWS(t)
	name := acctest.RandomName("wait")
	const hold = 6
	mergeBehaviour(t, map[string]any{"training_in_progress_by_name": map[string]any{name: hold}})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckTrainingJobDestroy(c, smtypes.TrainingJobStatusCompleted),
		Steps: []resource.TestStep{{
			Config: testAccTrainingJobConfig_named(e, name, ""),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact("Completed")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("secondary_status"), knownvalue.StringExact("Completed")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("model_artifacts_s3_uri"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("training_seconds"), knownvalue.Int64Func(func(v int64) error {
					if v < hold {
						return fmt.Errorf("training_seconds %d, want at least the %ds the job was InProgress", v, hold)
					}
					return nil
				})),
				statecheck.CompareValuePairs(addr, tfjsonpath.New("billable_seconds"), addr, tfjsonpath.New("training_seconds"), compare.ValuesSame()),
			},
			Check: func(s *terraform.State) error {
				// The emulator held the job InProgress for `hold` seconds;
				// it ends only when described after that, so the waiter
				// must have polled through the whole period.
				job, err := describe(context.Background(), c, name)
				if err != nil {
					return err
				}
				if job.TrainingEndTime == nil || job.CreationTime == nil {
					return fmt.Errorf("job has no end time: %+v", job)
				}
				if d := job.TrainingEndTime.Sub(*job.CreationTime); d < hold*time.Second {
					return fmt.Errorf("job ended %s after creation, before the %ds InProgress period", d, hold)
				}
				return nil
			},
		}},
	})
}

func TestAccTrainingJob_failed(t *testing.T) {
	e := makeEnv(t)
	c := acctest.AWS(t)
	prefix := acctest.RandomName("failed") + "-"
	const reason = "AlgorithmError: tfacc forced failure, exit code 137"
	mergeBehaviour(t, map[string]any{"fail_training_jobs": map[string]string{prefix + "*": reason}})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckTrainingJobDestroy(c, ""),
		Steps: []resource.TestStep{
			{
				Config:      testAccTrainingJobConfig_prefixed(e, prefix, ""),
				ExpectError: regexp.MustCompile(`FailureReason: ` + wrapped(reason)),
			},
			{
				// The failed job stayed in state, truthfully: Failed with
				// SageMaker's reason. The next apply replaces it.
				PreConfig: func() {
					out, err := c.SageMaker.ListTrainingJobs(context.Background(), &sagemaker.ListTrainingJobsInput{NameContains: aws.String(prefix)})
					if err != nil || len(out.TrainingJobSummaries) != 1 || out.TrainingJobSummaries[0].TrainingJobStatus != smtypes.TrainingJobStatusFailed {
						t.Fatalf("want one Failed job on the emulator: %v %+v", err, out)
					}
					if err := acctest.Emulator(t).MergeBehaviour(context.Background(), map[string]any{"fail_training_jobs": nil}); err != nil {
						t.Fatal(err)
					}
				},
				Config: testAccTrainingJobConfig_prefixed(e, prefix, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
						expectPriorState{want: map[string]*regexp.Regexp{
							"status":         regexp.MustCompile(`^Failed$`),
							"failure_reason": regexp.MustCompile("^" + regexp.QuoteMeta(reason) + "$"),
						}},
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact("Completed")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("failure_reason"), knownvalue.Null()),
				},
			},
		},
	})
}

func TestAccTrainingJob_stopOnDestroy(t *testing.T) {
	e := makeEnv(t)
	c := acctest.AWS(t)
	name := acctest.RandomName("stop")
	mergeBehaviour(t, map[string]any{"training_in_progress_by_name": map[string]any{name: 600}, "training_stopping_seconds": 2})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckTrainingJobDestroy(c, smtypes.TrainingJobStatusStopped),
		Steps: []resource.TestStep{{
			Config: testAccTrainingJobConfig_named(e, name, "wait_for_completion = false"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact("InProgress")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("model_artifacts_s3_uri"), knownvalue.Null()),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("alarm_names"), knownvalue.MapSizeExact(2)),
			},
			Check: func(*terraform.State) error {
				job, err := describe(context.Background(), c, name)
				if err != nil {
					return err
				}
				if job.TrainingJobStatus != smtypes.TrainingJobStatusInProgress {
					return fmt.Errorf("job is %s, want InProgress until destroy", job.TrainingJobStatus)
				}
				return nil
			},
		}},
	})
}

func TestAccTrainingJob_tagsInPlace(t *testing.T) {
	e := makeEnv(t)
	c := acctest.AWS(t)
	name := acctest.RandomName("tags")
	alarms80 := fmt.Sprintf("alarms = {\n    actions      = [%q]\n    disk_percent = 80\n  }", topicARN)
	checkTags := func(want map[string]string, disk float64) resource.TestCheckFunc {
		return func(*terraform.State) error {
			ctx := context.Background()
			job, err := describe(ctx, c, name)
			if err != nil {
				return err
			}
			tags, err := c.SageMaker.ListTags(ctx, &sagemaker.ListTagsInput{ResourceArn: job.TrainingJobArn})
			if err != nil {
				return err
			}
			got := map[string]string{}
			for _, tg := range tags.Tags {
				got[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
			}
			// The creation token and the owner tag written at create stay,
			// whatever the tags.
			if got["sagesafe:creation-token"] == "" || got["sagesafe:training-job"] != name {
				return fmt.Errorf("job tags %v have no creation token or owner tag", got)
			}
			delete(got, "sagesafe:creation-token")
			delete(got, "sagesafe:training-job")
			if fmt.Sprint(got) != fmt.Sprint(want) {
				return fmt.Errorf("job tags %v, want %v", got, want)
			}
			alarmName := "sagesafe-training-" + name + "-algo-1-disk-utilization"
			al, err := c.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{alarmName}})
			if err != nil || len(al.MetricAlarms) != 1 {
				return fmt.Errorf("alarm %s: %v", alarmName, err)
			}
			if th := aws.ToFloat64(al.MetricAlarms[0].Threshold); th != disk {
				return fmt.Errorf("disk threshold %v, want %v", th, disk)
			}
			at, err := c.CloudWatch.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: al.MetricAlarms[0].AlarmArn})
			if err != nil {
				return err
			}
			gotAlarm := map[string]string{}
			for _, tg := range at.Tags {
				gotAlarm[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
			}
			if fmt.Sprint(gotAlarm) != fmt.Sprint(want) {
				return fmt.Errorf("alarm tags %v, want %v", gotAlarm, want)
			}
			return nil
		}
	}
	var arn string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckTrainingJobDestroy(c, smtypes.TrainingJobStatusCompleted),
		Steps: []resource.TestStep{
			{
				Config: testAccTrainingJobConfig_tags(e, name, `{ env = "test", owner = "a" }`, ""),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkTags(map[string]string{"env": "test", "owner": "a"}, 90),
					func(s *terraform.State) error {
						arn = s.RootModule().Resources[addr].Primary.Attributes["arn"]
						return nil
					},
				),
			},
			{
				Config: testAccTrainingJobConfig_tags(e, name, `{ env = "prod", team = "ml" }`, alarms80),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("tags"), knownvalue.MapExact(map[string]knownvalue.Check{
						"env": knownvalue.StringExact("prod"), "team": knownvalue.StringExact("ml")})),
					// tags_all: what the job carries, sagesafe's creation tags aside.
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("tags_all"), knownvalue.MapExact(map[string]knownvalue.Check{
						"env": knownvalue.StringExact("prod"), "team": knownvalue.StringExact("ml")})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(name)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("alarms").AtMapKey("disk_percent"), knownvalue.Float64Exact(80)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkTags(map[string]string{"env": "prod", "team": "ml"}, 80),
					func(s *terraform.State) error {
						if got := s.RootModule().Resources[addr].Primary.Attributes["arn"]; got != arn {
							return fmt.Errorf("the job was replaced (%s -> %s); tags and alarms must update in place", arn, got)
						}
						return nil
					},
				),
			},
		},
	})
}

func TestAccTrainingJob_nvmeInstanceType(t *testing.T) {
	e := makeEnv(t)
	c := acctest.AWS(t)
	name := acctest.RandomName("nvme")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckTrainingJobDestroy(c, smtypes.TrainingJobStatusCompleted),
		Steps: []resource.TestStep{{
			Config: testAccTrainingJobConfig_nvme(e, name),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("instance_type"), knownvalue.StringExact(nvmeGPUTyp)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("alarm_names"), knownvalue.MapSizeExact(3)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("alarm_names").AtMapKey("algo-1/gpu_idle"), knownvalue.StringExact("sagesafe-training-"+name+"-algo-1-gpu-idle")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), knownvalue.SetPartial([]knownvalue.Check{knownvalue.StringExact("SS-ENC-2")})),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("alarms"), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"actions": knownvalue.Null(), "disk_percent": knownvalue.Float64Exact(90),
					"memory_percent": knownvalue.Float64Exact(90), "gpu_idle_percent": knownvalue.Float64Exact(5)})),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				testAccCheckForcedSettings(c, e, false, 3),
				func(*terraform.State) error {
					al, err := c.CloudWatch.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"sagesafe-training-" + name + "-algo-1-gpu-idle"}})
					if err != nil || len(al.MetricAlarms) != 1 {
						return fmt.Errorf("gpu idle alarm: %v", err)
					}
					a := al.MetricAlarms[0]
					if aws.ToString(a.MetricName) != "GPUUtilization" || a.ComparisonOperator != "LessThanThreshold" || aws.ToFloat64(a.Threshold) < 5 {
						return fmt.Errorf("gpu idle alarm: %s %s %v", aws.ToString(a.MetricName), a.ComparisonOperator, aws.ToFloat64(a.Threshold))
					}
					return nil
				},
			),
		}},
	})
}

// TestAccTrainingJob_dependencyDrift: the security group and the key the job
// was given are weakened outside sagesafe (as a companion provider that owns
// them might). The refresh shows the drift (the control leaves `controls`);
// a plan that leaves the job unchanged still succeeds, so the plan that
// repairs them can be applied; a change to the job is refused with the
// control's ID.
func TestAccTrainingJob_dependencyDrift(t *testing.T) {
	e := makeEnv(t)
	c := acctest.AWS(t)
	name := acctest.RandomName("drift")
	cfg := testAccTrainingJobConfig_named(e, name, "")
	retagged := testAccTrainingJobConfig_named(e, name, `tags = { team = "ml" }`)
	ctx := context.Background()
	open := []ec2types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
		IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}}
	unchanged := func(want, drop string) resource.TestStep {
		return resource.TestStep{
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionNoop),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), acctest.ControlsWithout(want, drop)),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), acctest.ControlsWithout(want, drop)),
			},
		}
	}
	sgOpened := unchanged("SS-KMS-2", "SS-NET-3")
	sgOpened.PreConfig = func() {
		if _, err := c.EC2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(e.sg), IpPermissions: open}); err != nil {
			t.Fatal(err)
		}
	}
	rotationOff := unchanged("SS-NET-3", "SS-KMS-2")
	rotationOff.PreConfig = func() {
		if _, err := c.EC2.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(e.sg), IpPermissions: open}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.KMS.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: aws.String(e.key)}); err != nil {
			t.Fatal(err)
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckTrainingJobDestroy(c, smtypes.TrainingJobStatusCompleted),
		Steps: []resource.TestStep{
			{Config: cfg},
			sgOpened,
			{
				Config:      retagged,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Error: SS-NET-3: security group ` + e.sg + ` allows ingress from the internet`),
			},
			rotationOff,
			{
				Config:      retagged,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Error: SS-KMS-2: KMS key \S+ does not rotate automatically`),
			},
			{
				// Repaired: the plan is empty and the job was never replaced.
				PreConfig: func() {
					if _, err := c.KMS.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String(e.key)}); err != nil {
						t.Fatal(err)
					}
				},
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact(name)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), knownvalue.SetPartial([]knownvalue.Check{
						knownvalue.StringExact("SS-NET-3"), knownvalue.StringExact("SS-KMS-2")})),
				},
			},
		},
	})
}

// expectReplacePaths checks that a resource is replaced because of the
// given attribute paths (among others).
type expectReplacePaths struct{ paths []string }

func (e expectReplacePaths) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != addr {
			continue
		}
		got := map[string]bool{}
		for _, p := range rc.Change.ReplacePaths {
			if steps, ok := p.([]any); ok && len(steps) > 0 {
				got[fmt.Sprint(steps[0])] = true
			}
		}
		for _, want := range e.paths {
			if !got[want] {
				resp.Error = fmt.Errorf("%s is not replaced because of %s (replace paths %v)", addr, want, rc.Change.ReplacePaths)
				return
			}
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in the plan", addr)
}

// TestAccTrainingJob_importInsecureJob imports a job created outside
// sagesafe without network isolation, inter-container encryption or a
// volume key: refresh reports the controls, and since SageMaker cannot change
// a job, the plan replaces it because of them (under a new name).
func TestAccTrainingJob_importInsecureJob(t *testing.T) {
	e := makeEnv(t)
	c := acctest.AWS(t)
	name := acctest.RandomName("insecure")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckTrainingJobDestroy(c, smtypes.TrainingJobStatusCompleted),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					_, err := c.SageMaker.CreateTrainingJob(context.Background(), &sagemaker.CreateTrainingJobInput{
						TrainingJobName:        aws.String(name),
						RoleArn:                aws.String(e.role),
						AlgorithmSpecification: &smtypes.AlgorithmSpecification{TrainingImage: aws.String(e.image), TrainingInputMode: smtypes.TrainingInputModeFile},
						InputDataConfig: []smtypes.Channel{{ChannelName: aws.String("train"), ContentType: aws.String("text/csv"), InputMode: smtypes.TrainingInputModeFile,
							DataSource: &smtypes.DataSource{S3DataSource: &smtypes.S3DataSource{S3DataType: smtypes.S3DataTypeS3Prefix,
								S3Uri: aws.String("s3://" + e.bucket + "/train/"), S3DataDistributionType: smtypes.S3DataDistributionFullyReplicated}}}},
						OutputDataConfig:  &smtypes.OutputDataConfig{S3OutputPath: aws.String("s3://" + e.bucket + "/output"), KmsKeyId: aws.String(e.key)},
						ResourceConfig:    &smtypes.ResourceConfig{InstanceType: smtypes.TrainingInstanceType(cpuType), InstanceCount: aws.Int32(1), VolumeSizeInGB: aws.Int32(30)},
						VpcConfig:         &smtypes.VpcConfig{Subnets: []string{e.subnet}, SecurityGroupIds: []string{e.sg}},
						StoppingCondition: &smtypes.StoppingCondition{MaxRuntimeInSeconds: aws.Int32(3600)},
					})
					if err != nil {
						t.Fatalf("creating an insecure job outside sagesafe: %v", err)
					}
				},
				Config:             testAccTrainingJobConfig_named(e, name, ""),
				ResourceName:       addr,
				ImportState:        true,
				ImportStateId:      name,
				ImportStatePersist: true,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 {
						return fmt.Errorf("%d states imported", len(states))
					}
					for k, v := range states[0].Attributes {
						if strings.HasPrefix(k, "controls.") && (v == "SS-NET-4" || v == "SS-ENC-2" || v == "SS-ENC-3") {
							return fmt.Errorf("the imported job does not hold %s", v)
						}
					}
					return nil
				},
			},
			{
				// Every input matches the configuration, yet the job must be
				// replaced: under the same name that is refused at plan time.
				Config:      testAccTrainingJobConfig_named(e, name, ""),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Training job name cannot be reused`),
			},
			{
				// With a name prefix the replacement goes ahead, because of
				// the controls the imported job lacks.
				Config: testAccTrainingJobConfig_prefixed(e, name+"-", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
						expectReplacePaths{paths: []string{"controls"}},
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), knownvalue.SetPartial([]knownvalue.Check{
						knownvalue.StringExact("SS-NET-4"), knownvalue.StringExact("SS-ENC-2"), knownvalue.StringExact("SS-ENC-3")})),
				},
				Check: testAccCheckForcedSettings(c, e, true, 2),
			},
		},
	})
}

// TestAccTrainingJob_lostCreateAnswer loses the answer of the first
// CreateTrainingJob after SageMaker applied it: the SDK retries, SageMaker
// says the name is in use, and the provider adopts the job it created
// instead of failing (or creating a second one).
func TestAccTrainingJob_lostCreateAnswer(t *testing.T) {
	e := makeEnv(t)
	c := acctest.AWS(t)
	name := acctest.RandomName("retry")
	var lost atomic.Bool
	wrap := func(next http.RoundTripper) http.RoundTripper {
		// The emulator answers a retry of an answered request with the same
		// answer; this test needs the retry to reach SageMaker as on AWS.
		next = acctest.WithoutRetryReplay(next)
		return acctest.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
			resp, err := next.RoundTrip(r)
			if err == nil && r.Header.Get("X-Amz-Target") == "SageMaker.CreateTrainingJob" && lost.CompareAndSwap(false, true) {
				_ = resp.Body.Close()
				return nil, errors.New("connection reset by peer (injected by the test after the request was applied)")
			}
			return resp, err
		})
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(provider.Options{WrapTransport: wrap}),
		CheckDestroy:             testAccCheckTrainingJobDestroy(c, smtypes.TrainingJobStatusCompleted),
		Steps: []resource.TestStep{{
			Config: testAccTrainingJobConfig_named(e, name, ""),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact("Completed")),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				testAccCheckForcedSettings(c, e, true, 2),
				func(*terraform.State) error {
					if !lost.Load() {
						return fmt.Errorf("the test did not lose a CreateTrainingJob answer")
					}
					return nil
				},
			),
		}},
	})
}

// TestAccTrainingJob_sharedLogGroupAdopted runs on a private emulator: it
// changes /aws/sagemaker/TrainingJobs, which every training job of an
// account shares, so on the shared emulator it could break (or be broken
// by) the other tests.
func TestAccTrainingJob_sharedLogGroupAdopted(t *testing.T) {
	skipUnlessAcc(t)
	emu := acctest.StartPrivateEmulator(t)
	ctx := context.Background()
	b := emu.Fixtures(t)
	mustFix := func(id string, err error) string {
		t.Helper()
		if err != nil {
			t.Fatalf("fixture: %v", err)
		}
		return id
	}
	vpc := mustFix(b.VPC(ctx, "10.61.0.0/16"))
	key := mustFix(b.Key(ctx, "tfacc shared log group", true))
	otherKey := mustFix(b.Key(ctx, "tfacc another team's key", true))
	e := env{
		subnet: mustFix(b.Subnet(ctx, vpc, fixtures.SubnetOpts{CIDR: "10.61.1.0/24", S3Gateway: true})),
		sg:     mustFix(b.SecurityGroup(ctx, vpc, acctest.RandomName("sg"), false)),
		key:    key,
		role:   mustFix(b.Role(ctx, acctest.RandomName("role"), fixtures.SageMakerTrust("aws", acctest.Region, emu.AWS.AccountID, true))),
		bucket: mustFix(b.DataBucket(ctx, acctest.RandomName("data"), key)),
		image:  emu.AWS.AccountID + ".dkr.ecr." + acctest.Region + ".amazonaws.com/tfacc-train@" + digest,
	}
	// The group exists before sagesafe, unencrypted and with a short
	// retention, as SageMaker itself would have created it.
	if err := b.UnencryptedLogGroup(ctx, logGroup, 7); err != nil {
		t.Fatal(err)
	}
	name := acctest.RandomName("shared")
	cfg := jobConfig{env: e, nameLine: fmt.Sprintf("name = %q", name)}.render(emu.ProviderConfig)
	group := func() (key string, retention int32, err error) {
		out, err := emu.AWS.Logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(logGroup)})
		if err != nil {
			return "", 0, err
		}
		for _, g := range out.LogGroups {
			if aws.ToString(g.LogGroupName) == logGroup {
				return aws.ToString(g.KmsKeyId), aws.ToInt32(g.RetentionInDays), nil
			}
		}
		return "", 0, fmt.Errorf("log group %s does not exist", logGroup)
	}
	checkGroup := func(wantKey string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			k, r, err := group()
			if err != nil {
				return err
			}
			if k != wantKey || r != 365 {
				return fmt.Errorf("log group key %q retention %d, want %q and 365", k, r, wantKey)
			}
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy: resource.ComposeAggregateTestCheckFunc(
			testAccCheckTrainingJobDestroy(emu.AWS, smtypes.TrainingJobStatusCompleted),
			func(*terraform.State) error {
				// Shared: never deleted, and left encrypted.
				k, _, err := group()
				if err != nil {
					return fmt.Errorf("destroy must keep the shared log group: %w", err)
				}
				if k == "" {
					return fmt.Errorf("the shared log group lost its key on destroy")
				}
				return nil
			},
		),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check:  checkGroup(key),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), knownvalue.SetPartial([]knownvalue.Check{
						knownvalue.StringExact("SS-ENC-5"), knownvalue.StringExact("SS-MON-3")})),
				},
			},
			{
				// Drift: the key is removed from the group outside Terraform.
				// Refresh reports SS-ENC-5; the update puts the key back
				// without replacing the job.
				PreConfig: func() {
					if _, err := emu.AWS.Logs.DisassociateKmsKey(ctx, &cloudwatchlogs.DisassociateKmsKeyInput{LogGroupName: aws.String(logGroup)}); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				Check: checkGroup(key),
			},
			{
				// Another team encrypts the group with its own rotating CMK:
				// that is compliant, and sagesafe leaves it alone.
				PreConfig: func() {
					if _, err := emu.AWS.Logs.AssociateKmsKey(ctx, &cloudwatchlogs.AssociateKmsKeyInput{LogGroupName: aws.String(logGroup), KmsKeyId: aws.String(otherKey)}); err != nil {
						t.Fatal(err)
					}
				},
				Config:   cfg,
				PlanOnly: true,
			},
			{
				Config: cfg,
				Check:  checkGroup(otherKey),
			},
		},
	})
}

// TestAccTrainingJob_refusals checks that every insecure configuration is
// refused at plan time with an error naming its control, then creates a
// compliant job (the last step, which destroy uses).
func TestAccTrainingJob_refusals(t *testing.T) {
	e := makeEnv(t)
	c := acctest.AWS(t)
	vpc := acctest.VPC(t, "10.62.0.0/16")
	public := acctest.Subnet(t, vpc, acctest.SubnetOpts{CIDR: "10.62.9.0/24", InternetRoute: true, MapPublicIP: true})
	openSG := acctest.SecurityGroup(t, vpc, true)
	otherVPCSG := acctest.SecurityGroup(t, vpc, false) // closed, but not in the VPC of e.subnet
	staticKey := acctest.Key(t, false)
	name := acctest.RandomName("refuse")
	ok := jobConfig{env: e, nameLine: fmt.Sprintf("name = %q", name)}
	with := func(f func(*jobConfig)) string {
		cfg := ok
		f(&cfg)
		return cfg.render(acctest.ProviderConfig)
	}
	step := func(cfg string, control string) resource.TestStep {
		return resource.TestStep{Config: cfg, PlanOnly: true, ExpectError: regexp.MustCompile(control)}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             testAccCheckTrainingJobDestroy(c, smtypes.TrainingJobStatusCompleted),
		Steps: []resource.TestStep{
			step(with(func(j *jobConfig) {
				j.vpcBlock = fmt.Sprintf("vpc = {\n    subnet_ids         = [%q]\n    security_group_ids = [%q]\n  }", public, e.sg)
			}), `SS-NET-2: subnet subnet-[0-9a-f]+ is not private`),
			step(with(func(j *jobConfig) {
				j.vpcBlock = fmt.Sprintf("vpc = {\n    subnet_ids         = [%q]\n    security_group_ids = [%q]\n  }", e.subnet, openSG)
			}), `SS-NET-3: security group sg-[0-9a-f]+ allows ingress from the internet`),
			step(with(func(j *jobConfig) { j.vpcBlock = "# no vpc" }), `SS-NET-1: training job .* has no subnets`),
			step(with(func(j *jobConfig) {
				j.vpcBlock = fmt.Sprintf("vpc = {\n    subnet_ids         = [%q]\n    security_group_ids = [%q]\n  }", e.subnet, otherVPCSG)
			}), `SS-NET-1: security group `+otherVPCSG+` is in `+vpc+`, another VPC than subnet `+e.subnet),
			step(with(func(j *jobConfig) { j.keyLine = "# no kms_key_arn" }), `SS-KMS-1: training job .* has no KMS key`),
			// moto reports alias/aws/* keys as customer managed; the
			// guardrail recognises an alias/aws/ reference as AWS managed.
			step(with(func(j *jobConfig) { j.keyLine = `kms_key_arn = "alias/aws/sagemaker"` }), `SS-ENC-1: training output is not encrypted with the workload's CMK`),
			step(with(func(j *jobConfig) { j.keyLine = fmt.Sprintf("kms_key_arn = %q", staticKey) }), `SS-KMS-2: KMS key .* does not rotate automatically`),
			step(with(func(j *jobConfig) { j.runtimeLine = "max_runtime_seconds = 300000" }), `SS-GOV-3: training job .* may run for 300000 seconds`),
			step(with(func(j *jobConfig) { j.runtimeLine = "# no max_runtime_seconds" }), `SS-GOV-3: training job .* has no maximum runtime`),
			step(with(func(j *jobConfig) { j.provider = `  guardrails { allowed_instance_types = ["ml.c5.*"] }` }), `SS-GOV-2: instance type ml.m5.xlarge is not allowed`),
			step(with(func(j *jobConfig) { j.image = "docker.io/library/python:3.12" }), `SS-SUP-1: image docker.io/library/python:3.12 is not from Amazon ECR`),
			step(with(func(j *jobConfig) { j.inputURI = "https://" + e.bucket + ".s3.amazonaws.com/train/" }), `SS-TLS-2: input location https://\S+ is not an s3:// URI`),
			step(with(func(j *jobConfig) { j.inputURI = "http://" + e.bucket + ".s3.amazonaws.com/train/" }), `SS-TLS-2: input location http://\S+ is not an s3:// URI`),
			step(with(func(j *jobConfig) { j.provider = `  guardrails { required_tags = ["cost-center"] }` }), `SS-GOV-1: training job .* lacks required tags cost-center`),
			{
				// A bucket nobody owns: the plan only warns (this apply could
				// create it); the apply refuses it before the job is created.
				Config: with(func(j *jobConfig) {
					j.inputURI = "s3://" + strings.ToLower(acctest.RandomName("unclaimed")) + "/train/"
				}),
				ExpectError: regexp.MustCompile(`SS-DATA-2: bucket tfacc-unclaimed-\S+ does not exist`),
			},
			{
				// The same job with everything in order, and the required tag.
				Config: with(func(j *jobConfig) {
					j.provider = `  guardrails { required_tags = ["cost-center"] }`
					j.extra = `tags = { cost-center = "ml-1" }`
				}),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), knownvalue.SetPartial([]knownvalue.Check{knownvalue.StringExact("SS-GOV-1")})),
				},
			},
		},
	})
}

// TestAccTrainingJob_squattedName: someone who can create training jobs
// creates one under the configured name a moment before sagesafe does, with
// the very settings sagesafe would send except for what it never compared
// (here the environment, the same way the input data could be swapped).
// SageMaker then answers sagesafe's CreateTrainingJob with ResourceInUse, as
// it does a retry after a lost answer; the job is not adopted, because it
// does not carry this apply's creation token, and the error names it.
func TestAccTrainingJob_squattedName(t *testing.T) {
	e := makeEnv(t)
	c := acctest.AWS(t)
	name := acctest.RandomName("squat")
	var squatted atomic.Bool
	wrap := func(next http.RoundTripper) http.RoundTripper {
		return acctest.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
			if r.Header.Get("X-Amz-Target") == "SageMaker.CreateTrainingJob" && squatted.CompareAndSwap(false, true) {
				body, err := io.ReadAll(r.Body)
				if err != nil {
					return nil, err
				}
				r.Body = io.NopCloser(bytes.NewReader(body))
				var in sagemaker.CreateTrainingJobInput
				if err := json.Unmarshal(body, &in); err != nil {
					return nil, fmt.Errorf("the test could not read CreateTrainingJob: %w", err)
				}
				in.Tags = []smtypes.Tag{{Key: aws.String("owner"), Value: aws.String("squatter")}}
				in.Environment = map[string]string{"EXFILTRATE_TO": "https://example.invalid/"}
				if _, err := c.SageMaker.CreateTrainingJob(context.Background(), &in); err != nil {
					return nil, fmt.Errorf("the test could not squat the job name: %w", err)
				}
			}
			return next.RoundTrip(r)
		})
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(provider.Options{WrapTransport: wrap}),
		Steps: []resource.TestStep{{
			Config:      testAccTrainingJobConfig_named(e, name, ""),
			ExpectError: regexp.MustCompile(`training job ` + regexp.QuoteMeta(name) + ` exists and was not created by this resource`),
		}},
	})
	if !squatted.Load() {
		t.Error("the test did not squat the job name")
	}
}

// TestAccTrainingJob_lostStopAnswer loses the first answer of
// StopTrainingJob during destroy, after SageMaker applied it: the SDK's
// retry finds the job Stopping (SageMaker refuses to stop it again), which
// is success; the destroy must end with the job Stopped.
func TestAccTrainingJob_lostStopAnswer(t *testing.T) {
	e := makeEnv(t)
	c := acctest.AWS(t)
	name := acctest.RandomName("lstop")
	mergeBehaviour(t, map[string]any{"training_in_progress_by_name": map[string]any{name: 600}, "training_stopping_seconds": 1})
	l := acctest.LoseFirstAnswers(t, "sagemaker:StopTrainingJob")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(l.Options()),
		CheckDestroy: resource.ComposeTestCheckFunc(
			testAccCheckTrainingJobDestroy(c, smtypes.TrainingJobStatusStopped),
			func(*terraform.State) error {
				if l.Lost("sagemaker:StopTrainingJob") != 1 {
					return fmt.Errorf("the answer of StopTrainingJob was not lost")
				}
				return nil
			},
		),
		Steps: []resource.TestStep{{
			Config: testAccTrainingJobConfig_named(e, name, "wait_for_completion = false"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact("InProgress")),
			},
		}},
	})
}
