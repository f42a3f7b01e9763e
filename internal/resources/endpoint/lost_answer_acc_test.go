package endpoint_test

import (
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/provider"
)

// TestAccEndpoint_lostCreateAnswers loses the answers of the first
// CreateModel and CreateEndpointConfig after SageMaker applied them: the SDK
// retries, SageMaker says the name is taken, and the provider recognises its
// own objects by their creation token and uses them (instead of failing, or
// refusing them as squatted), leaving one model and one configuration.
func TestAccEndpoint_lostCreateAnswers(t *testing.T) {
	skipUnlessAcc(t)
	env := acctest.EndpointFixtures(t)
	name := acctest.RandomName("ep")
	var mu sync.Mutex
	lost := map[string]bool{}
	wrap := func(next http.RoundTripper) http.RoundTripper {
		// The emulator answers a retry of an answered request with the same
		// answer; this test needs the retry to reach SageMaker as on AWS.
		next = acctest.WithoutRetryReplay(next)
		return acctest.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
			resp, err := next.RoundTrip(r)
			target := r.Header.Get("X-Amz-Target")
			if err != nil || (target != "SageMaker.CreateModel" && target != "SageMaker.CreateEndpointConfig") {
				return resp, err
			}
			mu.Lock()
			defer mu.Unlock()
			if lost[target] {
				return resp, err
			}
			lost[target] = true
			_ = resp.Body.Close()
			return nil, errors.New("connection reset by peer (injected by the test after the request was applied)")
		})
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(provider.Options{WrapTransport: wrap}),
		CheckDestroy:             testAccCheckEndpointDestroy(t, name, false),
		Steps: []resource.TestStep{{
			Config: testAccEndpointConfig_basic(name, env),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(address, tfjsonpath.New("status"), knownvalue.StringExact("InService")),
			},
			Check: func(*terraform.State) error {
				mu.Lock()
				defer mu.Unlock()
				if !lost["SageMaker.CreateModel"] || !lost["SageMaker.CreateEndpointConfig"] {
					return fmt.Errorf("the test did not lose both create answers: %v", lost)
				}
				var objects []string
				for _, l := range leftovers(t, name) {
					if l != "endpoint "+name {
						objects = append(objects, l)
					}
				}
				models, configs := 0, 0
				for _, o := range objects {
					switch {
					case len(o) > 6 && o[:6] == "model ":
						models++
					case len(o) > 16 && o[:16] == "endpoint config ":
						configs++
					}
				}
				if models != 1 || configs != 1 {
					return fmt.Errorf("want one model and one endpoint config, have %v", objects)
				}
				return nil
			},
		}},
	})
}
