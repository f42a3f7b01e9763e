package endpoint

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/evaluate"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
)

// postureFetcher answers every lookup with compliant facts: private subnets
// of vpc-1 in two zones, a closed group of vpc-1, a rotating CMK, a scoped
// role, and instance types (ml.g5.xlarge has NVMe storage).
type postureFetcher struct{}

func (postureFetcher) Fetch(_ context.Context, req facts.Request) (facts.Facts, error) {
	out := facts.Facts{Subnets: map[string]facts.SubnetFact{}, SecurityGroups: map[string]facts.SecurityGroupFact{},
		Keys: map[string]facts.KeyFact{}, Roles: map[string]facts.RoleFact{}, InstanceTypes: map[string]facts.InstanceTypeFact{}}
	for i, id := range req.SubnetIDs {
		out.Subnets[id] = facts.SubnetFact{ID: id, Found: true, VPCID: "vpc-1", AvailabilityZone: []string{"us-east-1a", "us-east-1b"}[i%2],
			Private: true, HasS3GatewayRoute: true}
	}
	for _, id := range req.SecurityGroupIDs {
		out.SecurityGroups[id] = facts.SecurityGroupFact{ID: id, Found: true, VPCID: "vpc-1"}
	}
	for _, k := range req.KeyRefs {
		out.Keys[k] = facts.KeyFact{Ref: k, Found: true, ARN: k, Region: "us-east-1", Account: "123456789012", Manager: "CUSTOMER",
			Spec: "SYMMETRIC_DEFAULT", Usage: "ENCRYPT_DECRYPT", State: "Enabled", RotationEnabled: true}
	}
	for _, r := range req.RoleARNs {
		out.Roles[r] = facts.RoleFact{Ref: r, Found: true, ARN: r, SourceConditions: []facts.TrustCondition{
			{Statement: "0", Key: "aws:SourceAccount", Values: []string{"123456789012"}},
			{Statement: "0", Key: "aws:SourceArn", Values: []string{"arn:aws:sagemaker:us-east-1:123456789012:endpoint/*"}},
		}}
	}
	for _, it := range req.InstanceTypes {
		out.InstanceTypes[it] = facts.InstanceTypeFact{Name: it, Found: true, InstanceStorageSupported: it == "ml.g5.xlarge"}
	}
	return out, nil
}

const testRole = "arn:aws:iam::123456789012:role/exec"

func securedModel(name string) *sagemaker.DescribeModelOutput {
	return &sagemaker.DescribeModelOutput{
		ModelName: aws.String(name), ModelArn: aws.String("arn:aws:sagemaker:us-east-1:123456789012:model/" + name),
		ExecutionRoleArn: aws.String(testRole), EnableNetworkIsolation: aws.Bool(true),
		PrimaryContainer: &smtypes.ContainerDefinition{Image: aws.String(testSpec().Image)},
		VpcConfig:        &smtypes.VpcConfig{Subnets: []string{"subnet-a", "subnet-b"}, SecurityGroupIds: []string{"sg-1"}},
	}
}

func prodVariant(name, model string, it smtypes.ProductionVariantInstanceType, count int32) smtypes.ProductionVariant {
	return smtypes.ProductionVariant{VariantName: aws.String(name), ModelName: aws.String(model), InstanceType: it, InitialInstanceCount: aws.Int32(count)}
}

// liveWith is a live endpoint serving AllTraffic on the secure model, plus
// the given variants.
func liveWith(prod []smtypes.ProductionVariant, shadow []smtypes.ProductionVariant, models ...*sagemaker.DescribeModelOutput) *liveObjects {
	cfg := &sagemaker.DescribeEndpointConfigOutput{EndpointConfigName: aws.String("churn-rogue"), KmsKeyId: aws.String(testKey),
		ProductionVariants:       append([]smtypes.ProductionVariant{prodVariant(VariantName, "churn-v1", "ml.m5.xlarge", 2)}, prod...),
		ShadowProductionVariants: shadow}
	l := &liveObjects{cfg: cfg, models: map[string]*sagemaker.DescribeModelOutput{"churn-v1": securedModel("churn-v1")}}
	for _, m := range models {
		l.models[aws.ToString(m.ModelName)] = m
	}
	l.model = l.models["churn-v1"]
	return l
}

// liveSubjectOf is the subject liveSubject would build for the variant the
// state describes (AllTraffic on the secure model).
func liveSubjectOf() *guardrail.Subject {
	s := &guardrail.Subject{Kind: guardrail.KindEndpoint, Name: "churn", Region: "us-east-1", AccountID: "123456789012", Partition: "aws",
		SubnetIDs: facts.Known([]string{"subnet-a", "subnet-b"}), SecurityGroupIDs: facts.Known([]string{"sg-1"}),
		KMSKeyARN: facts.Known(testKey), RoleARN: facts.Known(testRole), InstanceType: facts.Known("ml.m5.xlarge"),
		InstanceCount: facts.Known(int64(2)), Image: facts.Known(testSpec().Image), NetworkIsolation: facts.Known(true),
		VolumeKMSKeyARN: facts.Known(testKey), DataCapture: guardrail.DataCapture{Enabled: facts.Known(false), KMSKeyARN: facts.Null[string]()},
		Tags: facts.Known(map[string]string{}), Alarms: facts.Unknown[[]guardrail.Alarm](),
		Deployment: guardrail.Deployment{BlueGreen: facts.Known(true), RollbackAlarms: facts.Unknown[[]string]()}}
	return s
}

func liveFindings(t *testing.T, l *liveObjects) []guardrail.Finding {
	t.Helper()
	ctx := context.Background()
	s := liveSubjectOf()
	f := postureFetcher{}
	found, err := evaluate.Run(ctx, f, guardrail.DefaultPolicy(), s)
	if err != nil {
		t.Fatal(err)
	}
	out, err := variantFindings(ctx, f, guardrail.DefaultPolicy(), s, l, found)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestVariantFindings(t *testing.T) {
	noVPC := &sagemaker.DescribeModelOutput{ModelName: aws.String("rogue-model"), ExecutionRoleArn: aws.String(testRole),
		PrimaryContainer: &smtypes.ContainerDefinition{Image: aws.String(testSpec().Image)}}
	cases := []struct {
		name string
		live *liveObjects
		want []string // "control|summary text" of each finding, in order
	}{
		{"sagesafe's one variant", liveWith(nil, nil), nil},
		{"a secure second production variant", liveWith([]smtypes.ProductionVariant{prodVariant("B", "churn-v1", "ml.m5.xlarge", 2)}, nil), nil},
		{"a second production variant whose model has no VPC and no isolation",
			liveWith([]smtypes.ProductionVariant{prodVariant("B", "rogue-model", "ml.m5.xlarge", 2)}, nil, noVPC),
			[]string{"SS-NET-1|production variant B: endpoint \"churn\" has no subnets", "SS-NET-1|production variant B: endpoint \"churn\" has no security groups",
				"SS-NET-4|production variant B: "}},
		{"a shadow variant whose model has no VPC",
			liveWith(nil, []smtypes.ProductionVariant{prodVariant("S", "rogue-model", "ml.m5.xlarge", 2)}, noVPC),
			[]string{"SS-NET-1|shadow variant S: endpoint \"churn\" has no subnets", "SS-NET-1|shadow variant S: endpoint \"churn\" has no security groups",
				"SS-NET-4|shadow variant S: "}},
		{"a shadow variant of one instance on an NVMe type with the volume key",
			liveWith(nil, []smtypes.ProductionVariant{prodVariant("S", "churn-v1", "ml.g5.xlarge", 1)}),
			[]string{"SS-AVL-1|shadow variant S: endpoint \"churn\" runs 1 instance(s)", "SS-ENC-2|shadow variant S: a volume KMS key is set for instance type ml.g5.xlarge"}},
		{"a variant whose model is gone: its settings are not known",
			liveWith([]smtypes.ProductionVariant{prodVariant("B", "deleted-model", "ml.m5.xlarge", 2)}, nil), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := liveFindings(t, c.live)
			var errs []guardrail.Finding
			for _, f := range got {
				if f.Severity != guardrail.SeverityWarning {
					errs = append(errs, f)
				}
			}
			if len(errs) != len(c.want) {
				t.Fatalf("got %d error findings, want %d: %+v", len(errs), len(c.want), errs)
			}
			for i, w := range c.want {
				control, text, _ := strings.Cut(w, "|")
				if errs[i].Control != control || !strings.HasPrefix(errs[i].Summary, text) || errs[i].Index != -1 {
					t.Errorf("finding %d = %s %q (index %d), want %s %q...", i, errs[i].Control, errs[i].Summary, errs[i].Index, control, text)
				}
			}
			satisfied := strings.Join(guardrail.Satisfied(liveSubjectOf(), guardrail.DefaultPolicy(), got), " ")
			for _, w := range c.want {
				control, _, _ := strings.Cut(w, "|")
				if strings.Contains(satisfied+" ", control+" ") {
					t.Errorf("controls %s still lists %s", satisfied, control)
				}
			}
		})
	}
}

// countingModels answers DescribeModel from a map and counts the calls.
type countingModels struct {
	SageMakerAPI
	models map[string]*sagemaker.DescribeModelOutput
	calls  map[string]int
}

func (c *countingModels) DescribeModel(_ context.Context, in *sagemaker.DescribeModelInput, _ ...func(*sagemaker.Options)) (*sagemaker.DescribeModelOutput, error) {
	name := aws.ToString(in.ModelName)
	c.calls[name]++
	if m, ok := c.models[name]; ok {
		return m, nil
	}
	return nil, apiErr{"ValidationException", "Could not find model " + name}
}

func TestReadVariantModels(t *testing.T) {
	l := liveWith([]smtypes.ProductionVariant{prodVariant("B", "churn-v1", "ml.m5.xlarge", 2)},
		[]smtypes.ProductionVariant{prodVariant("S", "rogue-model", "ml.m5.xlarge", 2), prodVariant("T", "gone", "ml.m5.xlarge", 2)})
	api := &countingModels{models: map[string]*sagemaker.DescribeModelOutput{"churn-v1": securedModel("churn-v1"), "rogue-model": securedModel("rogue-model")},
		calls: map[string]int{}}
	models, err := readVariantModels(context.Background(), api, l.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(models) != 3 || models["churn-v1"] == nil || models["rogue-model"] == nil || models["gone"] != nil {
		t.Errorf("models = %v", models)
	}
	for name, n := range api.calls {
		if n != 1 {
			t.Errorf("model %s described %d times", name, n)
		}
	}
}

func TestRefreshWarnsAboutOtherVariants(t *testing.T) {
	l := liveWith([]smtypes.ProductionVariant{prodVariant("B", "churn-v1", "ml.m5.large", 1)},
		[]smtypes.ProductionVariant{prodVariant("S", "rogue-model", "ml.m5.xlarge", 2)})
	for _, c := range []struct{ prior, next string }{
		{"churn-abc12345", "switches the endpoint back"},
		{"churn-rogue", "replaced outside Terraform"},
	} {
		var diags diag.Diagnostics
		refreshOtherVariants("churn", c.prior, l, &diags)
		if len(diags) != 1 || diags[0].Severity() != diag.SeverityWarning {
			t.Fatalf("diagnostics %v", diags)
		}
		d := diags[0].Detail()
		for _, want := range []string{"production variant B (model churn-v1, 1 x ml.m5.large)", "shadow variant S (model rogue-model, 2 x ml.m5.xlarge)", c.next} {
			if !strings.Contains(d, want) {
				t.Errorf("warning does not mention %q: %s", want, d)
			}
		}
	}
	var diags diag.Diagnostics
	refreshOtherVariants("churn", "churn-rogue", liveWith(nil, nil), &diags)
	if len(diags) != 0 {
		t.Errorf("one variant: %v", diags)
	}
}
