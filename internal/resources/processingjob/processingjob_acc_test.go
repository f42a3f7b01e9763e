package processingjob_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/awsclient"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
)

const (
	addr     = "sagesafe_processing_job.test"
	topicARN = "arn:aws:sns:us-east-1:123456789012:tfacc-processing-alerts"
	digest   = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
)

// env is what a processing job needs, made with the SDK: a private subnet
// routed to S3 through a gateway endpoint, a closed security group, a
// rotating CMK, a SageMaker role with confused-deputy conditions and an
// SSE-KMS, TLS-only bucket.
type env struct {
	vpc, subnet, sg, key, role, bucket, image string
}

func makeEnv(t *testing.T) env {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make test runs it against the emulator)")
	}
	c := acctest.AWS(t)
	vpc := acctest.VPC(t, "10.70.0.0/16")
	key := acctest.Key(t, true)
	return env{
		vpc:    vpc,
		subnet: acctest.Subnet(t, vpc, acctest.SubnetOpts{CIDR: "10.70.1.0/24", S3Gateway: true}),
		sg:     acctest.SecurityGroup(t, vpc, false),
		key:    key,
		role:   acctest.Role(t, acctest.SageMakerTrust(c.AccountID, true)),
		bucket: acctest.DataBucket(t, key),
		image:  c.AccountID + ".dkr.ecr." + acctest.Region + ".amazonaws.com/tfacc-baseline@" + digest,
	}
}

// jobConfig is one processing job configuration; the zero values of the
// optional fields give a compliant job.
type jobConfig struct {
	env
	name     string
	prefix   string // name_prefix instead of name when set
	key      string // default the env's key; "none" leaves it out
	subnet   string // default the env's subnet; "none" leaves the vpc out
	inputURI string // default s3://<bucket>/captured/
	tags     string // default { project = "tfacc" }
	extra    string
}

func (c jobConfig) hcl() string {
	key := fmt.Sprintf("kms_key_arn = %q", c.env.key)
	switch c.key {
	case "none":
		key = "# no kms_key_arn"
	case "":
	default:
		key = fmt.Sprintf("kms_key_arn = %q", c.key)
	}
	vpc := fmt.Sprintf("vpc = {\n    subnet_ids         = [%q]\n    security_group_ids = [%q]\n  }", c.env.subnet, c.sg)
	switch c.subnet {
	case "none":
		vpc = "# no vpc"
	case "":
	default:
		vpc = fmt.Sprintf("vpc = {\n    subnet_ids         = [%q]\n    security_group_ids = [%q]\n  }", c.subnet, c.sg)
	}
	input := c.inputURI
	if input == "" {
		input = "s3://" + c.bucket + "/captured/"
	}
	tags := c.tags
	if tags == "" {
		tags = `{ project = "tfacc" }`
	}
	name := fmt.Sprintf("name                = %q", c.name)
	if c.prefix != "" {
		name = fmt.Sprintf("name_prefix         = %q", c.prefix)
	}
	return acctest.ProviderConfig("") + fmt.Sprintf(`
resource "sagesafe_processing_job" "test" {
  %[1]s
  role_arn            = %[2]q
  image               = %[3]q
  arguments           = ["--mode", "baseline"]
  environment         = { MODE = "baseline" }
  instance_type       = "ml.m5.xlarge"
  volume_size_gb      = 40
  max_runtime_seconds = 3600
  %[4]s
  inputs = [{
    name       = "captured"
    s3_uri     = %[5]q
    local_path = "/opt/ml/processing/input"
  }]
  outputs = [{
    name       = "baseline"
    s3_uri     = "s3://%[6]s/baseline/"
    local_path = "/opt/ml/processing/output"
  }]
  %[7]s
  alarms = { actions = [%[8]q] }
  tags   = %[9]s
  %[10]s
}
`, name, c.role, c.image, key, input, c.bucket, vpc, topicARN, tags, c.extra)
}

func describe(ctx context.Context, c *awsclient.Client, name string) (*sagemaker.DescribeProcessingJobOutput, error) {
	return c.SageMaker.DescribeProcessingJob(ctx, &sagemaker.DescribeProcessingJobInput{ProcessingJobName: aws.String(name)})
}

// checkForced verifies on the emulator what sagesafe forces: network
// isolation, inter-container encryption, the CMK on the outputs and the
// volume, the VPC and the bounded runtime.
func checkForced(c *awsclient.Client, e env, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		j, err := describe(context.Background(), c, name)
		if err != nil {
			return err
		}
		nc := j.NetworkConfig
		switch {
		case nc == nil || !aws.ToBool(nc.EnableNetworkIsolation) || !aws.ToBool(nc.EnableInterContainerTrafficEncryption):
			return fmt.Errorf("network isolation or inter-container encryption is off: %+v", nc)
		case nc.VpcConfig == nil || len(nc.VpcConfig.Subnets) != 1 || nc.VpcConfig.Subnets[0] != e.subnet:
			return fmt.Errorf("VPC config %+v, want subnet %s", nc.VpcConfig, e.subnet)
		case aws.ToString(j.ProcessingOutputConfig.KmsKeyId) != e.key:
			return fmt.Errorf("output key %s, want %s", aws.ToString(j.ProcessingOutputConfig.KmsKeyId), e.key)
		case j.ProcessingResources == nil || aws.ToString(j.ProcessingResources.ClusterConfig.VolumeKmsKeyId) != e.key:
			return fmt.Errorf("volume key missing: %+v", j.ProcessingResources)
		case aws.ToInt32(j.StoppingCondition.MaxRuntimeInSeconds) != 3600:
			return fmt.Errorf("runtime bound %d", aws.ToInt32(j.StoppingCondition.MaxRuntimeInSeconds))
		}
		return nil
	}
}

// checkDestroy: SageMaker keeps job records, so each job must have ended
// (wantStatus when set) and its alarms must be gone.
func checkDestroy(c *awsclient.Client, wantStatus smtypes.ProcessingJobStatus) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		ctx := context.Background()
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "sagesafe_processing_job" {
				continue
			}
			name := rs.Primary.Attributes["name"]
			j, err := describe(ctx, c, name)
			if err != nil {
				return fmt.Errorf("processing job %s: describing it failed: %w", name, err)
			}
			switch st := j.ProcessingJobStatus; {
			case wantStatus != "" && st != wantStatus:
				return fmt.Errorf("processing job %s is %s after destroy, want %s", name, st, wantStatus)
			case st == smtypes.ProcessingJobStatusInProgress || st == smtypes.ProcessingJobStatusStopping:
				return fmt.Errorf("processing job %s is still %s after destroy", name, st)
			}
			al, err := c.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String("sagesafe-processing-" + name + "-")})
			if err != nil {
				return err
			}
			if len(al.MetricAlarms) > 0 {
				return fmt.Errorf("processing job %s: %d alarms left after destroy", name, len(al.MetricAlarms))
			}
		}
		return nil
	}
}

// jobsNamed counts the emulator's processing jobs whose name starts with prefix.
func jobsNamed(t *testing.T, prefix string) int {
	t.Helper()
	out, err := acctest.AWS(t).SageMaker.ListProcessingJobs(context.Background(), &sagemaker.ListProcessingJobsInput{MaxResults: aws.Int32(100)})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, j := range out.ProcessingJobSummaries {
		if strings.HasPrefix(aws.ToString(j.ProcessingJobName), prefix) {
			n++
		}
	}
	return n
}

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

var forcedControls = []knownvalue.Check{
	knownvalue.StringExact("SS-NET-1"), knownvalue.StringExact("SS-NET-2"), knownvalue.StringExact("SS-NET-3"),
	knownvalue.StringExact("SS-NET-4"), knownvalue.StringExact("SS-ENC-1"), knownvalue.StringExact("SS-ENC-2"),
	knownvalue.StringExact("SS-ENC-3"), knownvalue.StringExact("SS-ENC-5"), knownvalue.StringExact("SS-KMS-1"),
	knownvalue.StringExact("SS-TLS-2"), knownvalue.StringExact("SS-DATA-2"), knownvalue.StringExact("SS-IAM-1"),
	knownvalue.StringExact("SS-IAM-2"), knownvalue.StringExact("SS-MON-1"), knownvalue.StringExact("SS-GOV-3"),
	knownvalue.StringExact("SS-SUP-1"),
}

// TestAccProcessingJob_basic creates a compliant job (Completed), checks the
// forced settings on the emulator, changes its tags in place, imports it,
// and restores an alarm deleted and a tag removed outside Terraform.
func TestAccProcessingJob_basic(t *testing.T) {
	e := makeEnv(t)
	c := acctest.AWS(t)
	cfg := jobConfig{env: e, name: acctest.RandomName("proc")}
	retagged := cfg
	retagged.tags = `{ project = "tfacc", stage = "baseline" }`
	disk := "sagesafe-processing-" + cfg.name + "-algo-1-disk-utilization"
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             checkDestroy(c, smtypes.ProcessingJobStatusCompleted),
		Steps: []resource.TestStep{{
			Config: cfg.hcl(),
			Check:  checkForced(c, e, cfg.name),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact("Completed")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("log_group_name"), knownvalue.StringExact("/aws/sagemaker/ProcessingJobs")),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("alarm_names"), knownvalue.MapExact(map[string]knownvalue.Check{
					"algo-1/disk":   knownvalue.StringExact(disk),
					"algo-1/memory": knownvalue.StringExact("sagesafe-processing-" + cfg.name + "-algo-1-memory-utilization"),
				})),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), knownvalue.SetPartial(forcedControls)),
			},
		}, {
			Config: retagged.hcl(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
			}},
			Check: func(*terraform.State) error {
				j, _ := describe(context.Background(), c, cfg.name)
				tags, err := c.SageMaker.ListTags(context.Background(), &sagemaker.ListTagsInput{ResourceArn: j.ProcessingJobArn})
				if err != nil {
					return err
				}
				for _, tg := range tags.Tags {
					if aws.ToString(tg.Key) == "stage" && aws.ToString(tg.Value) == "baseline" {
						return nil
					}
				}
				return fmt.Errorf("tag stage=baseline missing: %v", tags.Tags)
			},
		}, {
			ResourceName:                         addr,
			ImportState:                          true,
			ImportStateId:                        cfg.name,
			ImportStateVerify:                    true,
			ImportStateVerifyIdentifierAttribute: "name",
			ImportStateVerifyIgnore:              []string{"timeouts"},
		}, {
			// Drift: an alarm deleted out of band; the next apply restores it.
			PreConfig: func() {
				if _, err := c.CloudWatch.DeleteAlarms(context.Background(), &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{disk}}); err != nil {
					t.Fatal(err)
				}
			},
			Config: retagged.hcl(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
			}},
			Check: func(*terraform.State) error {
				al, err := c.CloudWatch.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{disk}})
				if err != nil {
					return err
				}
				if len(al.MetricAlarms) != 1 {
					return fmt.Errorf("alarm %s was not restored", disk)
				}
				return nil
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("alarm_names"), knownvalue.MapSizeExact(2)),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("controls"), knownvalue.SetPartial(forcedControls)),
			},
		}, {
			// Drift: a tag removed out of band; the next apply restores it.
			PreConfig: func() {
				ctx := context.Background()
				j, err := describe(ctx, c, cfg.name)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := c.SageMaker.DeleteTags(ctx, &sagemaker.DeleteTagsInput{ResourceArn: j.ProcessingJobArn, TagKeys: []string{"stage"}}); err != nil {
					t.Fatal(err)
				}
			},
			Config: retagged.hcl(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("tags"), knownvalue.MapExact(map[string]knownvalue.Check{
					"project": knownvalue.StringExact("tfacc"), "stage": knownvalue.StringExact("baseline"),
				})),
			},
			Check: func(*terraform.State) error {
				j, _ := describe(context.Background(), c, cfg.name)
				tags, err := c.SageMaker.ListTags(context.Background(), &sagemaker.ListTagsInput{ResourceArn: j.ProcessingJobArn})
				if err != nil {
					return err
				}
				for _, tg := range tags.Tags {
					if aws.ToString(tg.Key) == "stage" {
						return nil
					}
				}
				return fmt.Errorf("tag stage was not restored: %v", tags.Tags)
			},
		}},
	})
}

// TestAccProcessingJob_refusals: each insecure configuration is refused at
// plan with the control's ID, and no job of the name is created.
func TestAccProcessingJob_refusals(t *testing.T) {
	e := makeEnv(t)
	c := acctest.AWS(t)
	public := acctest.Subnet(t, e.vpc, acctest.SubnetOpts{CIDR: "10.70.9.0/24", InternetRoute: true, MapPublicIP: true})
	foreignKey := acctest.KeyInAccount(t, "210987654321")
	name := acctest.RandomName("procref")
	ok := jobConfig{env: e, name: name}
	// A role made for training jobs: SageMaker could not assume it for a
	// processing job.
	trainingRole := acctest.Role(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},`+
		`"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"`+c.AccountID+`"},`+
		`"ArnLike":{"aws:SourceArn":"arn:aws:sagemaker:`+acctest.Region+`:`+c.AccountID+`:training-job/*"}}}]}`)
	// StringEquals takes the * literally: no processing job's ARN is
	// ".../processing-job/*", so SageMaker could not assume this one either.
	literalRole := acctest.Role(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},`+
		`"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"`+c.AccountID+`",`+
		`"aws:SourceArn":"arn:aws:sagemaker:`+acctest.Region+`:`+c.AccountID+`:processing-job/*"}}}]}`)
	step := func(mut func(*jobConfig), control string) resource.TestStep {
		cfg := ok
		mut(&cfg)
		return resource.TestStep{Config: cfg.hcl(), ExpectError: regexp.MustCompile(control)}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy: func(*terraform.State) error {
			if n := jobsNamed(t, name); n != 0 {
				return fmt.Errorf("%d processing jobs named %s were created by refused plans", n, name)
			}
			return checkDestroy(c, "")(nil)
		},
		Steps: []resource.TestStep{
			step(func(j *jobConfig) { j.subnet = public }, `SS-NET-2: subnet subnet-[0-9a-f]+ is not private`),
			step(func(j *jobConfig) { j.subnet = "none" }, `SS-NET-1: processing job .* has no subnets`),
			step(func(j *jobConfig) { j.key = "none" }, `SS-KMS-1: processing job .* has no KMS key`),
			step(func(j *jobConfig) { j.key = foreignKey }, `(?s)SS-KMS-1: KMS key .*belongs to\s+account\s+210987654321`),
			step(func(j *jobConfig) { j.inputURI = "https://" + e.bucket + ".s3.amazonaws.com/captured/" }, `SS-TLS-2: input location https://\S+ is not an s3:// URI`),
			step(func(j *jobConfig) { j.image = "docker.io/library/python:3.12" }, `SS-SUP-1: image docker.io/library/python:3.12 is not from Amazon ECR`),
			step(func(j *jobConfig) { j.role = trainingRole }, `(?s)SS-IAM-1: role \S+ trust policy does not let SageMaker\s+assume it`),
			step(func(j *jobConfig) { j.role = literalRole }, `(?s)SS-IAM-1: role \S+ trust policy does not let SageMaker\s+assume it`),
			// A bucket nobody owns: a warning at plan (this apply could
			// create it), refused at apply because it still does not exist.
			step(func(j *jobConfig) { j.bucket = strings.ToLower(acctest.RandomName("unclaimed")) }, `SS-DATA-2: bucket tfacc-unclaimed-\S+ does not exist`),
			step(func(j *jobConfig) { j.inputURI = "s3://Legacy_Bucket/captured/" }, `SS-DATA-2: bucket name Legacy_Bucket is not DNS-compliant`),
		},
	})
}

// TestAccProcessingJob_lostAnswer loses the first answer of
// CreateProcessingJob after the emulator created the job. The SDK's retry
// meets ResourceInUse on the job's own name; the job carries this apply's
// creation token, so it is recorded instead of failing, and there is
// exactly one job.
func TestAccProcessingJob_lostAnswer(t *testing.T) {
	e := makeEnv(t)
	c := acctest.AWS(t)
	cfg := jobConfig{env: e, name: acctest.RandomName("proclost")}
	l := acctest.LoseFirstAnswers(t, "sagemaker:CreateProcessingJob")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(l.Options()),
		CheckDestroy:             checkDestroy(c, smtypes.ProcessingJobStatusCompleted),
		Steps: []resource.TestStep{{
			Config: cfg.hcl(),
			Check: resource.ComposeTestCheckFunc(
				checkForced(c, e, cfg.name),
				func(*terraform.State) error {
					if l.Lost("sagemaker:CreateProcessingJob") != 1 {
						return fmt.Errorf("the answer of CreateProcessingJob was lost %d times, want 1", l.Lost("sagemaker:CreateProcessingJob"))
					}
					if n := jobsNamed(t, cfg.name); n != 1 {
						return fmt.Errorf("%d jobs named %s", n, cfg.name)
					}
					j, _ := describe(context.Background(), c, cfg.name)
					tags, err := c.SageMaker.ListTags(context.Background(), &sagemaker.ListTagsInput{ResourceArn: j.ProcessingJobArn})
					if err != nil {
						return err
					}
					for _, tg := range tags.Tags {
						if aws.ToString(tg.Key) == idem.TokenTag {
							return nil
						}
					}
					return fmt.Errorf("the job has no creation token tag")
				},
			),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact("Completed")),
			},
		}},
	})
}

// TestAccProcessingJob_stopOnDestroy: a job held InProgress is recorded
// without waiting; stopped outside Terraform, the refresh shows it; a
// second job is stopped by destroy (its first StopProcessingJob answer
// lost) and destroy waits until it is Stopped.
func TestAccProcessingJob_stopOnDestroy(t *testing.T) {
	e := makeEnv(t)
	c := acctest.AWS(t)
	cfg := jobConfig{env: e, name: acctest.RandomName("procstop"), extra: "wait_for_completion = false"}
	mergeBehaviour(t, map[string]any{"processing_in_progress_by_name": map[string]any{cfg.name: 600}, "processing_stopping_seconds": 1})
	l := acctest.LoseFirstAnswers(t, "sagemaker:StopProcessingJob")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(l.Options()),
		CheckDestroy: resource.ComposeTestCheckFunc(
			checkDestroy(c, smtypes.ProcessingJobStatusStopped),
			func(*terraform.State) error {
				if l.Lost("sagemaker:StopProcessingJob") != 1 {
					return fmt.Errorf("the answer of StopProcessingJob was not lost")
				}
				return nil
			},
		),
		Steps: []resource.TestStep{{
			Config: cfg.hcl(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact("InProgress")),
			},
		}},
	})
}
