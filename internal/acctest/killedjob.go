package acctest

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/provider"
)

// KilledJob is a SageMaker job resource whose first apply is killed right
// after its create call reached SageMaker (see Killer).
type KilledJob struct {
	// Action is the create call ("sagemaker:CreateTrainingJob").
	Action string
	// Addr, Name and Config: the resource's address, its job name and its
	// configuration.
	Addr, Name, Config string
	// OwnerTag is the tag whose value names the resource that owns a job.
	OwnerTag string
	// Status is the job's status once the second apply has recorded it.
	Status string
	// Jobs lists the ARNs of the jobs whose names contain Name.
	Jobs func(ctx context.Context, name string) ([]*string, error)
	// Forced checks the recorded job's forced settings; CheckDestroy that
	// nothing is left.
	Forced, CheckDestroy resource.TestCheckFunc
}

// RunKilledApplyAdopted: the killed apply's creation token is gone with it.
// The next apply finds the job under the configured name, with sagesafe's
// token and owner tags and exactly the planned settings, and records it
// instead of failing on the taken name (or starting a second job). Destroy
// releases it (the owner tag goes), so it is never taken up again.
func RunKilledApplyAdopted(t *testing.T, j KilledJob) {
	t.Helper()
	c := AWS(t)
	ctx := context.Background()
	k := &Killer{Action: j.Action}
	owned := func(want int, when string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			arns, err := j.Jobs(ctx, j.Name)
			if err != nil {
				return err
			}
			n := 0
			for _, arn := range arns {
				tags, err := c.SageMaker.ListTags(ctx, &sagemaker.ListTagsInput{ResourceArn: arn})
				if err != nil {
					return err
				}
				if tagValue(tags.Tags, j.OwnerTag) == j.Name {
					n++
				}
			}
			if n != want {
				return fmt.Errorf("%s: %d jobs carry the owner tag of %s, want %d", when, n, j.Name, want)
			}
			return nil
		}
	}
	var arn string
	resource.Test(t, resource.TestCase{
		PreCheck:     func() { PreCheck(t) },
		CheckDestroy: resource.ComposeAggregateTestCheckFunc(j.CheckDestroy, owned(0, "after destroy")),
		Steps: []resource.TestStep{{
			ProtoV6ProviderFactories: ProviderFactoriesWith(provider.Options{WrapTransport: k.Wrap}),
			Config:                   j.Config,
			ExpectError:              regexp.MustCompile(`AccessDenied`),
		}, {
			PreConfig: func() {
				if !k.Done() {
					t.Fatalf("the first apply was not killed after %s", j.Action)
				}
				arns, err := j.Jobs(ctx, j.Name)
				if err != nil || len(arns) != 1 {
					t.Fatalf("the killed apply left %d jobs named like %s, want 1 (%v)", len(arns), j.Name, err)
				}
				arn = aws.ToString(arns[0])
				tags, err := c.SageMaker.ListTags(ctx, &sagemaker.ListTagsInput{ResourceArn: arns[0]})
				if err != nil || tagValue(tags.Tags, idem.TokenTag) == "" {
					t.Fatalf("the killed apply's job does not carry the creation token (%v)", err)
				}
			},
			ProtoV6ProviderFactories: ProviderFactories(),
			Config:                   j.Config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(j.Addr, tfjsonpath.New("status"), knownvalue.StringExact(j.Status)),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttrPtr(j.Addr, "arn", &arn),
				j.Forced,
				owned(1, "after the second apply"),
			),
		}},
	})
}

func tagValue(tags []smtypes.Tag, key string) string {
	for _, t := range tags {
		if aws.ToString(t.Key) == key {
			return aws.ToString(t.Value)
		}
	}
	return ""
}
