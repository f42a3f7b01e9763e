package trainingjob_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
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

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/awsclient"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/provider"
)

// killer stands for an apply killed right after a call reached AWS: the
// request is applied, and from then on the provider hears nothing (every
// answer, that call's included, is an AccessDeniedException, which the SDK
// does not retry, so the failed Create returns at once instead of after
// minutes of retries). Create fails without saving any state, and its
// cleanup reaches nothing, as with SIGKILL.
type killer struct {
	action string // "sagemaker:CreateTrainingJob"
	mu     sync.Mutex
	killed bool
}

func (k *killer) wrap(next http.RoundTripper) http.RoundTripper {
	return acctest.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
		k.mu.Lock()
		dead := k.killed
		k.mu.Unlock()
		if dead {
			return denied(r), nil
		}
		action := acctest.RequestAction(r)
		resp, err := next.RoundTrip(r)
		if err != nil || resp.StatusCode >= 300 || action != k.action {
			return resp, err
		}
		k.mu.Lock()
		k.killed = true
		k.mu.Unlock()
		_ = resp.Body.Close()
		return denied(r), nil
	})
}

func (k *killer) done() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.killed
}

// denied is an AccessDeniedException answer in the JSON protocol.
func denied(r *http.Request) *http.Response {
	body := `{"__type":"AccessDeniedException","message":"the test killed the apply"}`
	return &http.Response{
		StatusCode: http.StatusForbidden, Status: "403 Forbidden", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/x-amz-json-1.1"}, "X-Amzn-Errortype": {"AccessDeniedException"}},
		Body:   io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: r,
	}
}

// jobsOwnedAs counts the training jobs whose names contain name and that
// carry sagesafe's owner tag for name.
func jobsOwnedAs(ctx context.Context, c *awsclient.Client, name string) (int, error) {
	out, err := c.SageMaker.ListTrainingJobs(ctx, &sagemaker.ListTrainingJobsInput{NameContains: aws.String(name)})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, s := range out.TrainingJobSummaries {
		tags, err := c.SageMaker.ListTags(ctx, &sagemaker.ListTagsInput{ResourceArn: s.TrainingJobArn})
		if err != nil {
			return 0, err
		}
		for _, t := range tags.Tags {
			if aws.ToString(t.Key) == "sagesafe:training-job" && aws.ToString(t.Value) == name {
				n++
			}
		}
	}
	return n, nil
}

// TestAccTrainingJob_killedApplyAdopted: an apply is killed right after
// CreateTrainingJob reached SageMaker, before Terraform saved the state; its
// creation token is gone with it. The next apply finds the job under the
// configured name, with sagesafe's token and owner tags and exactly the
// planned settings, and records it instead of failing on the taken name
// (or starting a second job). Destroy releases it (the owner tag goes).
func TestAccTrainingJob_killedApplyAdopted(t *testing.T) {
	e := makeEnv(t)
	c := acctest.AWS(t)
	ctx := context.Background()
	name := acctest.RandomName("killed")
	k := &killer{action: "sagemaker:CreateTrainingJob"}
	config := testAccTrainingJobConfig_named(e, name, "")
	var arn string
	resource.Test(t, resource.TestCase{
		PreCheck: func() { acctest.PreCheck(t) },
		CheckDestroy: resource.ComposeAggregateTestCheckFunc(
			testAccCheckTrainingJobDestroy(c, smtypes.TrainingJobStatusCompleted),
			func(*terraform.State) error {
				if n, err := jobsOwnedAs(ctx, c, name); err != nil || n != 0 {
					return fmt.Errorf("after destroy %d jobs still carry the owner tag (%v)", n, err)
				}
				return nil
			},
		),
		Steps: []resource.TestStep{
			{
				ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(provider.Options{WrapTransport: k.wrap}),
				Config:                   config,
				ExpectError:              regexp.MustCompile(`AccessDenied`),
			},
			{
				PreConfig: func() {
					if !k.done() {
						t.Fatal("the first apply was not killed after CreateTrainingJob")
					}
					job, err := describe(ctx, c, name)
					if err != nil {
						t.Fatalf("the killed apply left no job: %v", err)
					}
					arn = aws.ToString(job.TrainingJobArn)
					tags, err := c.SageMaker.ListTags(ctx, &sagemaker.ListTagsInput{ResourceArn: job.TrainingJobArn})
					if err != nil || !hasTag(tags.Tags, idem.TokenTag) {
						t.Fatalf("the killed apply's job does not carry the creation token (%v)", err)
					}
				},
				ProtoV6ProviderFactories: acctest.ProviderFactories(),
				Config:                   config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact("Completed")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttrPtr(addr, "arn", &arn),
					testAccCheckForcedSettings(c, e, true, 2),
					func(*terraform.State) error {
						if n, err := jobsOwnedAs(ctx, c, name); err != nil || n != 1 {
							return fmt.Errorf("want exactly one job of resource %s, have %d (%v)", name, n, err)
						}
						return nil
					},
				),
			},
		},
	})
}

// describeErrors answers the first n DescribeTrainingJob calls made after
// CreateTrainingJob succeeded with SageMaker's "not found yet"
// (ValidationException), as right after a create on AWS.
type describeErrors struct {
	mu      sync.Mutex
	created bool
	left    int
	failed  int
}

func (d *describeErrors) wrap(next http.RoundTripper) http.RoundTripper {
	return acctest.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
		action := acctest.RequestAction(r)
		d.mu.Lock()
		fail := action == "sagemaker:DescribeTrainingJob" && d.created && d.left > 0
		if fail {
			d.left--
			d.failed++
		}
		d.mu.Unlock()
		if fail {
			body := `{"__type":"ValidationException","message":"Requested resource not found."}`
			return &http.Response{
				StatusCode: http.StatusBadRequest, Status: "400 Bad Request", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
				Header: http.Header{"Content-Type": {"application/x-amz-json-1.1"}, "X-Amzn-Errortype": {"ValidationException"}},
				Body:   io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: r,
			}, nil
		}
		resp, err := next.RoundTrip(r)
		if err == nil && resp.StatusCode < 300 && action == "sagemaker:CreateTrainingJob" {
			d.mu.Lock()
			d.created = true
			d.mu.Unlock()
		}
		return resp, err
	})
}

// TestAccTrainingJob_unreadableRightAfterCreate: the first reads after
// CreateTrainingJob fail (SageMaker does not show the job yet). The apply
// retries them and succeeds; the job is not tainted, so the next plan is
// empty instead of replacing (re-running) the training.
func TestAccTrainingJob_unreadableRightAfterCreate(t *testing.T) {
	e := makeEnv(t)
	c := acctest.AWS(t)
	name := acctest.RandomName("lag")
	d := &describeErrors{left: 2}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(provider.Options{WrapTransport: d.wrap}),
		CheckDestroy:             testAccCheckTrainingJobDestroy(c, smtypes.TrainingJobStatusCompleted),
		Steps: []resource.TestStep{{
			Config: testAccTrainingJobConfig_named(e, name, ""),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact("Completed")),
			},
			Check: func(s *terraform.State) error {
				d.mu.Lock()
				failed := d.failed
				d.mu.Unlock()
				if failed != 2 {
					return fmt.Errorf("the test failed %d reads after the create, want 2", failed)
				}
				if rs := s.RootModule().Resources[addr]; rs == nil || rs.Primary.Tainted {
					return fmt.Errorf("%s is missing or tainted", addr)
				}
				if n, err := jobsOwnedAs(context.Background(), c, name); err != nil || n != 1 {
					return fmt.Errorf("want one job, have %d (%v)", n, err)
				}
				return nil
			},
		}},
	})
}

func hasTag(tags []smtypes.Tag, key string) bool {
	for _, t := range tags {
		if aws.ToString(t.Key) == key {
			return true
		}
	}
	return false
}

// TestAccTrainingJob_killedApplyWithPrefixResumed: as
// TestAccTrainingJob_killedApplyAdopted, but the name comes from
// name_prefix, so the next apply generates another name. It must find the
// running job of the killed apply by the tags Create wrote (prefix, owner,
// token) and its planned settings, and record it instead of starting a
// second, billed job.
func TestAccTrainingJob_killedApplyWithPrefixResumed(t *testing.T) {
	e := makeEnv(t)
	c := acctest.AWS(t)
	ctx := context.Background()
	prefix := acctest.RandomName("kp") + "-"
	mergeBehaviour(t, map[string]any{"training_in_progress_by_name": map[string]any{prefix + "*": 600}, "training_stopping_seconds": 1})
	k := &killer{action: "sagemaker:CreateTrainingJob"}
	config := testAccTrainingJobConfig_prefixed(e, prefix, "wait_for_completion = false")
	running := func() ([]string, error) {
		out, err := c.SageMaker.ListTrainingJobs(ctx, &sagemaker.ListTrainingJobsInput{NameContains: aws.String(prefix)})
		if err != nil {
			return nil, err
		}
		var names []string
		for _, s := range out.TrainingJobSummaries {
			if strings.HasPrefix(aws.ToString(s.TrainingJobName), prefix) && s.TrainingJobStatus == smtypes.TrainingJobStatusInProgress {
				names = append(names, aws.ToString(s.TrainingJobName))
			}
		}
		return names, nil
	}
	var first []string
	resource.Test(t, resource.TestCase{
		PreCheck:     func() { acctest.PreCheck(t) },
		CheckDestroy: testAccCheckTrainingJobDestroy(c, smtypes.TrainingJobStatusStopped),
		Steps: []resource.TestStep{
			{
				ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(provider.Options{WrapTransport: k.wrap}),
				Config:                   config,
				ExpectError:              regexp.MustCompile(`AccessDenied`),
			},
			{
				PreConfig: func() {
					var err error
					if first, err = running(); err != nil || len(first) != 1 || !k.done() {
						t.Fatalf("the killed apply should have left one running job, have %v (%v, killed %v)", first, err, k.done())
					}
				},
				ProtoV6ProviderFactories: acctest.ProviderFactories(),
				Config:                   config,
				Check: resource.ComposeAggregateTestCheckFunc(
					func(*terraform.State) error {
						names, err := running()
						if err != nil || len(names) != 1 || names[0] != first[0] {
							return fmt.Errorf("running jobs %v after the second apply, want only %v (%v)", names, first, err)
						}
						return nil
					},
					func(s *terraform.State) error { return resource.TestCheckResourceAttr(addr, "name", first[0])(s) },
				),
			},
		},
	})
}
