// Package acctest is the acceptance-test harness: provider factories, the
// emulator endpoint, provider configuration, names, and SDK clients that ask
// the emulator directly (for fixtures and CheckDestroy).
package acctest

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest/emulator"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/awsclient"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/provider"
)

// EndpointEnv names the variable that points the tests at an emulator.
const EndpointEnv = "SAGESAFE_TEST_ENDPOINT"

// Region is the region every acceptance test uses.
const Region = "us-east-1"

// NamePrefix starts every name a test creates, so CheckDestroy and humans
// can tell test objects apart.
const NamePrefix = "tfacc"

// Endpoint returns the emulator URL.
func Endpoint() string { return strings.TrimRight(os.Getenv(EndpointEnv), "/") }

// PreCheck fails the test when no emulator is configured. `make test`
// starts one and sets the variable.
func PreCheck(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		// The same rule terraform-plugin-testing applies, so fixtures made
		// before resource.Test are skipped too.
		t.Skip("acceptance test: set TF_ACC=1 and an emulator (`make test` does both)")
	}
	if Endpoint() == "" {
		t.Fatalf("%s is not set: run acceptance tests with `make test` (which starts an emulator), or point %s at a running moto/LocalStack", EndpointEnv, EndpointEnv)
	}
	for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"} {
		if os.Getenv(k) == "" {
			t.Setenv(k, v)
		}
	}
}

// ProviderFactories returns the in-process provider.
func ProviderFactories() map[string]func() (tfprotov6.ProviderServer, error) {
	return ProviderFactoriesWith(provider.Options{})
}

// ProviderFactoriesWith returns the in-process provider with test hooks.
func ProviderFactoriesWith(opts provider.Options) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"sagesafe": providerserver.NewProtocol6WithError(provider.NewWithOptions("test", opts)()),
	}
}

// ProviderConfig is the provider block every test config starts with.
// extra is inserted inside the block (e.g. a guardrails block).
func ProviderConfig(extra string) string {
	return fmt.Sprintf(`
provider "sagesafe" {
  region       = %[1]q
  endpoint_url = %[2]q
%[3]s
}
`, Region, Endpoint(), extra)
}

// RandomName returns NamePrefix-<prefix>-<random>.
func RandomName(prefix string) string {
	return fmt.Sprintf("%s-%s-%s", NamePrefix, prefix, acctest.RandString(8))
}

var (
	clientOnce sync.Once
	client     *awsclient.Client
	clientErr  error
)

// AWS returns SDK clients pointed at the emulator.
func AWS(t *testing.T) *awsclient.Client {
	t.Helper()
	PreCheck(t)
	clientOnce.Do(func() {
		c, diags := awsclient.New(context.Background(), awsclient.Config{
			Region:      Region,
			EndpointURL: Endpoint(),
			AccessKey:   "testing",
			SecretKey:   "testing",
			MaxRetries:  3,
			// One connection per request: the emulator's HTTP/1.0 server
			// closes connections, and a reused one that it has closed makes
			// the SDK retry a request that may already have been applied.
			WrapTransport: closeEachConnection,
		})
		if diags.HasError() {
			clientErr = fmt.Errorf("%v", diags)
			return
		}
		client = c
	})
	if clientErr != nil {
		t.Fatalf("AWS clients for the emulator: %v", clientErr)
	}
	return client
}

// Emulator returns the control client of the sagesafe emulator launcher.
func Emulator(t *testing.T) *emulator.Client {
	t.Helper()
	PreCheck(t)
	return &emulator.Client{BaseURL: Endpoint(), HTTP: http.DefaultClient}
}

type closingTransport struct{ next http.RoundTripper }

func (t closingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r.Close = true
	return t.next.RoundTrip(r)
}

func closeEachConnection(next http.RoundTripper) http.RoundTripper {
	return closingTransport{next}
}
