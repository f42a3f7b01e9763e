package modelmonitor_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/awsclient"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
)

const (
	addr     = "sagesafe_model_monitor.test"
	topicARN = "arn:aws:sns:us-east-1:123456789012:tfacc-monitor-alerts"
	digest   = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
)

// env is what a monitor needs, made with the SDK: a private subnet routed to
// S3, a closed group, a rotating key, an execution role, a TLS-only SSE-KMS
// bucket, a scheduler role scoped to starting the runs, and an endpoint
// (capturing requests under the key, or not capturing).
type env struct {
	subnet, sg, key, role, schedulerRole, bucket, image, endpoint string
}

func makeEnv(t *testing.T, capture bool) env {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make test runs it against the emulator)")
	}
	c := acctest.AWS(t)
	vpc := acctest.VPC(t, "10.71.0.0/16")
	key := acctest.Key(t, true)
	e := env{
		subnet: acctest.Subnet(t, vpc, acctest.SubnetOpts{CIDR: "10.71.1.0/24", S3Gateway: true}),
		sg:     acctest.SecurityGroup(t, vpc, false),
		key:    key,
		role:   acctest.Role(t, acctest.SageMakerTrust(c.AccountID, true)),
		bucket: acctest.DataBucket(t, key),
		image:  c.AccountID + ".dkr.ecr." + acctest.Region + ".amazonaws.com/tfacc-analyzer@" + digest,
	}
	e.endpoint = endpoint(t, c, e, capture)
	return e
}

// schedulerTrust lets EventBridge Scheduler assume a role for account's
// schedules (aws:SourceAccount, which sagesafe requires).
func schedulerTrust(account string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"scheduler.amazonaws.com"},"Action":"sts:AssumeRole",` +
		`"Condition":{"StringEquals":{"aws:SourceAccount":"` + account + `"}}}]}`
}

// givenSchedulerRole is a role made outside sagesafe for monitor m, trusted
// by EventBridge Scheduler for this account, holding exactly the policy
// sagesafe renders for m (what a given scheduler_role_arn must hold).
func givenSchedulerRole(t *testing.T, c *awsclient.Client, m monitorConfig) string {
	t.Helper()
	arn := acctest.Role(t, schedulerTrust(c.AccountID))
	doc, err := iampolicy.SchedulerPolicy(iampolicy.SchedulerRoleSpec{
		Partition: "aws", Region: acctest.Region, AccountID: c.AccountID, ScheduleName: m.name, JobNamePrefix: m.name + "-",
		ExecutionRoleARN: m.role, SubnetIDs: []string{m.subnet}, SecurityGroupIDs: []string{m.sg}, KMSKeyARN: m.key,
		InstanceType: "ml.m5.xlarge",
	})
	if err != nil {
		t.Fatal(err)
	}
	putRolePolicy(t, c, arn[strings.LastIndex(arn, "/")+1:], doc.JSON())
	return arn
}

func putRolePolicy(t *testing.T, c *awsclient.Client, role, doc string) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String("run"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = c.IAM.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String("run")})
	})
}

// captureConfig is data capture of requests and responses into the bucket
// under the key.
func captureConfig(e env) *smtypes.DataCaptureConfig {
	return &smtypes.DataCaptureConfig{
		EnableCapture: aws.Bool(true), InitialSamplingPercentage: aws.Int32(100),
		DestinationS3Uri: aws.String("s3://" + e.bucket + "/capture"), KmsKeyId: aws.String(e.key),
		CaptureOptions: []smtypes.CaptureOption{{CaptureMode: smtypes.CaptureModeInput}, {CaptureMode: smtypes.CaptureModeOutput}},
	}
}

// endpoint makes a model, an endpoint config (with or without capture) and
// the endpoint, removed when the test ends.
func endpoint(t *testing.T, c *awsclient.Client, e env, capture bool) string {
	t.Helper()
	ctx := context.Background()
	name := acctest.RandomName("ep")
	if _, err := c.SageMaker.CreateModel(ctx, &sagemaker.CreateModelInput{ModelName: aws.String(name), ExecutionRoleArn: aws.String(e.role),
		PrimaryContainer: &smtypes.ContainerDefinition{Image: aws.String(e.image)}}); err != nil {
		t.Fatal(err)
	}
	var dc *smtypes.DataCaptureConfig
	if capture {
		dc = captureConfig(e)
	}
	cfg := endpointConfig(t, c, name, dc)
	if _, err := c.SageMaker.CreateEndpoint(ctx, &sagemaker.CreateEndpointInput{EndpointName: aws.String(name), EndpointConfigName: aws.String(cfg)}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = c.SageMaker.DeleteEndpoint(ctx, &sagemaker.DeleteEndpointInput{EndpointName: aws.String(name)})
		_, _ = c.SageMaker.DeleteModel(ctx, &sagemaker.DeleteModelInput{ModelName: aws.String(name)})
	})
	return name
}

func endpointConfig(t *testing.T, c *awsclient.Client, model string, dc *smtypes.DataCaptureConfig) string {
	t.Helper()
	ctx := context.Background()
	cfg := acctest.RandomName("epc")
	if _, err := c.SageMaker.CreateEndpointConfig(ctx, &sagemaker.CreateEndpointConfigInput{EndpointConfigName: aws.String(cfg),
		ProductionVariants: []smtypes.ProductionVariant{{VariantName: aws.String("AllTraffic"), ModelName: aws.String(model),
			InitialInstanceCount: aws.Int32(2), InstanceType: smtypes.ProductionVariantInstanceTypeMlM5Xlarge}},
		DataCaptureConfig: dc}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = c.SageMaker.DeleteEndpointConfig(ctx, &sagemaker.DeleteEndpointConfigInput{EndpointConfigName: aws.String(cfg)})
	})
	return cfg
}

// switchCapture points the endpoint at a new config with or without
// capture (UpdateEndpoint).
func switchCapture(t *testing.T, c *awsclient.Client, e env, capture bool) {
	t.Helper()
	var dc *smtypes.DataCaptureConfig
	if capture {
		dc = captureConfig(e)
	}
	useCapture(t, c, e, dc)
}

// useCapture points the endpoint at a new config capturing as dc says.
func useCapture(t *testing.T, c *awsclient.Client, e env, dc *smtypes.DataCaptureConfig) {
	t.Helper()
	cfg := endpointConfig(t, c, e.endpoint, dc)
	if _, err := c.SageMaker.UpdateEndpoint(context.Background(), &sagemaker.UpdateEndpointInput{EndpointName: aws.String(e.endpoint), EndpointConfigName: aws.String(cfg)}); err != nil {
		t.Fatal(err)
	}
}

// monitorConfig is one monitor configuration.
type monitorConfig struct {
	env
	provider  func(extra string) string // default acctest.ProviderConfig (the shared emulator)
	name      string
	engine    string // "" = default
	schedule  string // default rate(1 hour)
	threshold string // default 0.2
	features  string // default ["age", "income"]
	// managedRole leaves scheduler_role_arn out: sagesafe makes the role.
	managedRole bool
	// quality is the model_quality block's body; "" leaves it out.
	quality string
}

func (m monitorConfig) hcl() string {
	// The role sagesafe makes unless the test gives one.
	engine, schedulerRole := "", "# scheduler_role_arn left out: sagesafe makes it"
	if m.schedulerRole != "" && !m.managedRole {
		schedulerRole = fmt.Sprintf("scheduler_role_arn = %q", m.schedulerRole)
	}
	schedule := m.schedule
	if m.engine != "" {
		engine, schedulerRole = fmt.Sprintf("engine = %q", m.engine), ""
		if schedule == "" {
			schedule = "cron(0 * ? * * *)"
		}
	}
	if schedule == "" {
		schedule = "rate(1 hour)"
	}
	threshold, features := m.threshold, m.features
	if threshold == "" {
		threshold = "0.2"
	}
	if features == "" {
		features = `["age", "income"]`
	}
	quality := ""
	if m.quality != "" {
		quality = "model_quality = {\n" + m.quality + "\n  }"
	}
	provider := m.provider
	if provider == nil {
		provider = acctest.ProviderConfig
	}
	return provider("") + fmt.Sprintf(`
resource "sagesafe_model_monitor" "test" {
  name                = %[1]q
  %[2]s
  endpoint_name       = %[3]q
  schedule_expression = %[4]q
  %[5]s
  role_arn            = %[6]q
  image               = %[7]q
  instance_type       = "ml.m5.xlarge"
  kms_key_arn         = %[8]q
  max_runtime_seconds = 1800
  vpc = {
    subnet_ids         = [%[9]q]
    security_group_ids = [%[10]q]
  }
  baseline_constraints_uri = "s3://%[11]s/baseline/constraints.json"
  baseline_statistics_uri  = "s3://%[11]s/baseline/statistics.json"
  output_s3_uri            = "s3://%[11]s/monitoring/"
  features                 = %[12]s
  drift_threshold          = %[13]s
  alarm_actions            = [%[14]q]
  tags                     = { project = "tfacc" }
  %[15]s
}
`, m.name, engine, m.endpoint, schedule, schedulerRole, m.role, m.image, m.key, m.subnet, m.sg, m.bucket, features, threshold, topicARN, quality)
}

// alarmNames are the monitor's alarms for features age and income.
func alarmNames(name string) []string {
	return []string{"sagesafe-monitor-" + name + "-drift-age", "sagesafe-monitor-" + name + "-drift-income", "sagesafe-monitor-" + name + "-silent"}
}

// checkDestroy asks the emulator that no schedule, alarm or metric filter
// is left.
func checkDestroy(c *awsclient.Client, name string) func(*terraform.State) error {
	return func(*terraform.State) error {
		ctx := context.Background()
		_, err := c.Scheduler.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String(name)})
		var rnf *schtypes.ResourceNotFoundException
		if !errors.As(err, &rnf) {
			return fmt.Errorf("schedule %s still exists (or reading it failed: %v)", name, err)
		}
		_, err = c.SageMaker.DescribeMonitoringSchedule(ctx, &sagemaker.DescribeMonitoringScheduleInput{MonitoringScheduleName: aws.String(name)})
		var smrnf *smtypes.ResourceNotFound
		if !errors.As(err, &smrnf) {
			return fmt.Errorf("monitoring schedule %s still exists (or reading it failed: %v)", name, err)
		}
		al, err := c.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String("sagesafe-monitor-" + name + "-")})
		if err != nil {
			return err
		}
		if len(al.MetricAlarms) > 0 {
			return fmt.Errorf("%d alarms of monitor %s are left", len(al.MetricAlarms), name)
		}
		if _, err := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name + "-scheduler")}); err == nil {
			return fmt.Errorf("scheduler role %s-scheduler is left", name)
		}
		return checkNoFilters(c, name)(nil)
	}
}
