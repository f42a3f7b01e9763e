package endpoint_test

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
	"github.com/sagesafe/terraform-provider-sagesafe/internal/provider"
)

// killer stands for an apply killed right after a call reached AWS: the
// request is applied, and from then on the provider hears nothing (every
// answer, that call's included, is an AccessDeniedException, which the SDK
// does not retry, so Create fails at once rather than after minutes of
// retries). Create fails without saving any state, and its cleanup reaches
// nothing, as with SIGKILL.
type killer struct {
	action string // "sagemaker:CreateEndpoint"
	mu     sync.Mutex
	killed bool
}

func (k *killer) wrap(next http.RoundTripper) http.RoundTripper {
	return acctest.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
		if k.done() {
			return fakeAnswer(r, http.StatusForbidden, "AccessDeniedException", "the test killed the apply"), nil
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
		return fakeAnswer(r, http.StatusForbidden, "AccessDeniedException", "the test killed the apply"), nil
	})
}

func (k *killer) done() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.killed
}

// fakeAnswer is an error answer in SageMaker's JSON protocol.
func fakeAnswer(r *http.Request, status int, code, message string) *http.Response {
	body := fmt.Sprintf(`{"__type":%q,"message":%q}`, code, message)
	return &http.Response{
		StatusCode: status, Status: fmt.Sprintf("%d %s", status, http.StatusText(status)), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/x-amz-json-1.1"}, "X-Amzn-Errortype": {code}},
		Body:   io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: r,
	}
}

// versionCounts counts the models and endpoint configurations named after
// the endpoint.
func versionCounts(t *testing.T, name string) (models, configs int, all []string) {
	all = leftovers(t, name)
	for _, o := range all {
		switch {
		case strings.HasPrefix(o, "model "):
			models++
		case strings.HasPrefix(o, "endpoint config "):
			configs++
		}
	}
	return models, configs, all
}

// TestAccEndpoint_killedApplyTakenUp: an apply is killed right after
// CreateEndpoint reached SageMaker, before Terraform saved the state (the
// name key, with its salt and creation token, is gone with it). The next
// apply finds the endpoint under the configured name with sagesafe's tags,
// serving a version with exactly the planned settings, and takes it up with
// that version instead of failing on the taken name: one endpoint, one
// model, one configuration, an empty plan, and destroy leaves nothing.
func TestAccEndpoint_killedApplyTakenUp(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	k := &killer{action: "sagemaker:CreateEndpoint"}
	config := testAccEndpointConfig_basic(name, env)
	var served string
	resource.Test(t, resource.TestCase{
		PreCheck:     func() { acctest.PreCheck(t) },
		CheckDestroy: testAccCheckEndpointDestroy(t, name, false),
		Steps: []resource.TestStep{
			{
				ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(provider.Options{WrapTransport: k.wrap}),
				Config:                   config,
				ExpectError:              regexp.MustCompile(`AccessDenied`),
			},
			{
				PreConfig: func() {
					if !k.done() {
						t.Fatal("the first apply was not killed after CreateEndpoint")
					}
					served = aws.ToString(describeEndpoint(t, name).EndpointConfigName)
				},
				ProtoV6ProviderFactories: acctest.ProviderFactories(),
				Config:                   config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(address, tfjsonpath.New("status"), knownvalue.StringExact("InService")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttrPtr(address, "endpoint_config_name", &served),
					resource.TestCheckResourceAttrPtr(address, "model_name", &served),
					func(*terraform.State) error {
						if models, configs, all := versionCounts(t, name); models != 1 || configs != 1 {
							return fmt.Errorf("want one model and one endpoint config, have %v", all)
						}
						return nil
					},
				),
			},
			{
				// The next apply keeps the version it took up.
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// describeErrors answers the first n DescribeEndpoint calls made after
// CreateEndpoint succeeded with SageMaker's "Could not find endpoint", as
// right after a create on AWS.
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
		fail := action == "sagemaker:DescribeEndpoint" && d.created && d.left > 0
		if fail {
			d.left--
			d.failed++
		}
		d.mu.Unlock()
		if fail {
			return fakeAnswer(r, http.StatusBadRequest, "ValidationException", "Could not find endpoint \"injected by the test\"."), nil
		}
		resp, err := next.RoundTrip(r)
		if err == nil && resp.StatusCode < 300 && action == "sagemaker:CreateEndpoint" {
			d.mu.Lock()
			d.created = true
			d.mu.Unlock()
		}
		return resp, err
	})
}

// TestAccEndpoint_unreadableRightAfterCreate: the first reads after
// CreateEndpoint say the endpoint does not exist (SageMaker's reads lag its
// writes). The apply retries them and succeeds; the endpoint is not
// tainted, so the next plan is empty instead of recreating it.
func TestAccEndpoint_unreadableRightAfterCreate(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	d := &describeErrors{left: 2}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(provider.Options{WrapTransport: d.wrap}),
		CheckDestroy:             testAccCheckEndpointDestroy(t, name, false),
		Steps: []resource.TestStep{{
			Config: testAccEndpointConfig_basic(name, env),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(address, tfjsonpath.New("status"), knownvalue.StringExact("InService")),
			},
			Check: func(s *terraform.State) error {
				d.mu.Lock()
				failed := d.failed
				d.mu.Unlock()
				if failed != 2 {
					return fmt.Errorf("the test failed %d reads after the create, want 2", failed)
				}
				if rs := s.RootModule().Resources[address]; rs == nil || rs.Primary.Tainted {
					return fmt.Errorf("%s is missing or tainted", address)
				}
				return nil
			},
		}},
	})
}

// TestAccEndpoint_squattedVersionSurvivesDestroy: after the apply, someone
// replaces the endpoint's model with one of their own under the same name
// (the name is in every plan). The destroy deletes only what carries this
// resource's creation token: the endpoint, its configuration and alarms go,
// the other party's model stays.
func TestAccEndpoint_squattedVersionSurvivesDestroy(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	ctx := context.Background()
	c := acctest.AWS(t)
	var version string
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy: func(*terraform.State) error {
			m, err := c.SageMaker.DescribeModel(ctx, &sagemaker.DescribeModelInput{ModelName: aws.String(version)})
			if err != nil {
				return fmt.Errorf("the other party's model %s was deleted by the destroy: %w", version, err)
			}
			if _, err := c.SageMaker.DeleteModel(ctx, &sagemaker.DeleteModelInput{ModelName: m.ModelName}); err != nil {
				return err
			}
			return testAccCheckEndpointDestroy(t, name, false)(nil)
		},
		Steps: []resource.TestStep{{
			Config: testAccEndpointConfig_basic(name, env),
			Check: func(s *terraform.State) error {
				version = s.RootModule().Resources[address].Primary.Attributes["model_name"]
				m, err := c.SageMaker.DescribeModel(ctx, &sagemaker.DescribeModelInput{ModelName: aws.String(version)})
				if err != nil {
					return err
				}
				if _, err := c.SageMaker.DeleteModel(ctx, &sagemaker.DeleteModelInput{ModelName: aws.String(version)}); err != nil {
					return err
				}
				_, err = c.SageMaker.CreateModel(ctx, &sagemaker.CreateModelInput{
					ModelName: aws.String(version), ExecutionRoleArn: m.ExecutionRoleArn, PrimaryContainer: m.PrimaryContainer,
					VpcConfig: m.VpcConfig, EnableNetworkIsolation: aws.Bool(true),
					Tags: []smtypes.Tag{{Key: aws.String("owner"), Value: aws.String("someone else")}},
				})
				return err
			},
		}},
	})
}
