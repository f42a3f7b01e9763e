package network_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/fixtures"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/provider"
)

// lostAnswerEndpoints are the interface endpoints of the lost-answer
// networks: the two required ones keep each case small.
var lostAnswerEndpoints = []string{"sagemaker.api", "sagemaker.runtime"}

// lostAnswerObjects is what one such network consists of, by kind (as
// acctest.NetworkLeftovers names them): three zones, two security groups,
// the S3 gateway and two interface endpoints, the flow log, its group and
// its role.
var lostAnswerObjects = map[string]int{
	"VPC": 1, "subnet": 3, "route table": 3, "security group": 2,
	"VPC endpoint": 3, "flow log": 1, "log group": 1, "role": 1,
}

// TestAccNetwork_lostAnswers loses the first answer of one mutating call
// per case, after the emulator applied it (the SDK, or the provider, sends
// it again as after a broken connection on AWS), and checks that the apply
// succeeds, that exactly one network's objects exist (no duplicate VPC,
// subnet, route table, group, endpoint or flow log), that the next plan is
// empty and that destroy leaves nothing. The last case loses the answers of
// the deletes during destroy. Issue 12: before the fix, CreateVpc left two
// VPCs, CreateSubnet, CreateSecurityGroup and CreateFlowLogs failed on the
// network's own object, and CreateRouteTable and CreateVpcEndpoint made a
// second object that kept apply waiting until it was stopped.
func TestAccNetwork_lostAnswers(t *testing.T) {
	cases := []struct {
		name    string
		actions []string
		wrap    func(*acctest.Loser) func(http.RoundTripper) http.RoundTripper
	}{
		{"CreateVpc", []string{"ec2:CreateVpc"}, nil},
		{"ModifyVpcAttribute", []string{"ec2:ModifyVpcAttribute"}, nil},
		{"CreateSubnet", []string{"ec2:CreateSubnet"}, nil},
		{"CreateRouteTable", []string{"ec2:CreateRouteTable"}, nil},
		{"AssociateRouteTable", []string{"ec2:AssociateRouteTable"}, nil},
		{"CreateSecurityGroup", []string{"ec2:CreateSecurityGroup"}, nil},
		{"SecurityGroupRules", []string{"ec2:RevokeSecurityGroupEgress", "ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress"}, nil},
		{"CreateVpcEndpoint_gateway", []string{"ec2:CreateVpcEndpoint"}, nil},
		{"CreateVpcEndpoint_interface", []string{"ec2:CreateVpcEndpoint"}, interfaceEndpointsOnly},
		{"FlowLogLogging", []string{"logs:CreateLogGroup", "logs:PutRetentionPolicy", "iam:CreateRole", "iam:PutRolePolicy"}, nil},
		{"CreateFlowLogs", []string{"ec2:CreateFlowLogs"}, nil},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			testAccNetworkLostAnswers(t, fmt.Sprintf("10.%d.0.0/16", 100+i), tc.actions, nil, tc.wrap)
		})
	}
	t.Run("destroy", func(t *testing.T) {
		t.Parallel()
		testAccNetworkLostAnswers(t, "10.120.0.0/16", nil, []string{
			"ec2:DeleteFlowLogs", "ec2:DeleteVpcEndpoints", "ec2:DeleteSecurityGroup", "ec2:DisassociateRouteTable",
			"ec2:DeleteRouteTable", "ec2:DeleteSubnet", "ec2:DeleteVpc",
			"iam:DeleteRolePolicy", "iam:DeleteRole", "logs:DeleteLogGroup",
		}, nil)
	})
}

// testAccNetworkLostAnswers applies a network losing the first answer of
// each of apply (and of each of destroy during the destroy), and checks the
// outcome.
func testAccNetworkLostAnswers(t *testing.T, cidr string, apply, destroy []string, wrap func(*acctest.Loser) func(http.RoundTripper) http.RoundTripper) {
	name := acctest.RandomName("net")
	key := acctest.Key(t, true)
	l := acctest.LoseFirstAnswers(t, append(slices.Clone(apply), destroy...)...)
	opts := l.Options()
	if wrap != nil {
		opts.WrapTransport = wrap(l)
	}
	// Without the fix the lost answers made apply wait until the timeout:
	// short timeouts keep a failure quick.
	config := testAccNetworkConfig_custom(name, cidr, key, lostAnswerEndpoints, 365, "", `  timeouts {
    create = "4m"
    delete = "4m"
  }`)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(opts),
		CheckDestroy: func(s *terraform.State) error {
			if missed := missedOf(l, destroy); len(missed) > 0 {
				return fmt.Errorf("destroy made no %v call: no answer was lost", missed)
			}
			return acctest.CheckNetworkDestroyed(t, name)(s)
		},
		Steps: []resource.TestStep{{
			Config: config,
			Check: func(*terraform.State) error {
				if missed := missedOf(l, apply); len(missed) > 0 {
					return fmt.Errorf("apply made no %v call: no answer was lost", missed)
				}
				return checkOneNetwork(t, name)
			},
		}},
	})
}

// missedOf lists the actions among of whose answer was not lost.
func missedOf(l *acctest.Loser, of []string) []string {
	var out []string
	for _, a := range of {
		if l.Lost(a) == 0 {
			out = append(out, a)
		}
	}
	return out
}

// checkOneNetwork counts the objects of the network called name in the
// emulator, by kind, against lostAnswerObjects.
func checkOneNetwork(t *testing.T, name string) error {
	left := acctest.NetworkLeftovers(t, name)
	have := map[string]int{}
	// Longest kind first: "VPC endpoint vpce-..." is not a VPC.
	kinds := slices.SortedFunc(maps.Keys(lostAnswerObjects), func(a, b string) int { return len(b) - len(a) })
	for _, o := range left {
		for _, kind := range kinds {
			if strings.HasPrefix(o, kind+" ") {
				have[kind]++
				break
			}
		}
	}
	for kind, want := range lostAnswerObjects {
		if have[kind] != want {
			return fmt.Errorf("want %d %s(s) of network %s, have %d; all objects:\n  %s", want, kind, name, have[kind], strings.Join(left, "\n  "))
		}
	}
	return nil
}

// interfaceEndpointsOnly lets the S3 gateway's CreateVpcEndpoint through
// untouched, so that l loses the answer of the first interface endpoint.
func interfaceEndpointsOnly(l *acctest.Loser) func(http.RoundTripper) http.RoundTripper {
	return func(next http.RoundTripper) http.RoundTripper {
		lose, direct := l.Wrap(next), acctest.WithoutRetryReplay(next)
		return acctest.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
			if acctest.RequestAction(r) == "ec2:CreateVpcEndpoint" && formValue(r, "VpcEndpointType") == "Gateway" {
				return direct.RoundTrip(r)
			}
			return lose.RoundTrip(r)
		})
	}
}

// formValue reads a field of a query-protocol request, leaving the body to
// be sent.
func formValue(r *http.Request, key string) string {
	if r.Body == nil {
		return ""
	}
	body, err := io.ReadAll(r.Body)
	_ = r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return ""
	}
	v, _ := url.ParseQuery(string(body))
	return v.Get(key)
}

// TestAccNetwork_readFailsAfterCreate: the network is created and verified,
// then reading it back fails. The apply succeeds with a warning and the
// network is kept in state, not tainted (which would make the next apply
// delete and rebuild it): the next plan is empty once refresh has read it.
func TestAccNetwork_readFailsAfterCreate(t *testing.T) {
	name := acctest.RandomName("net")
	key := acctest.Key(t, true)
	inj := &acctest.FaultInjector{}
	created := false
	// The first DescribeVpcs after CreateFlowLogs is the verification's,
	// the second the read after it.
	inj.FailNth(2, "InjectedFailure", func(c acctest.Call) bool {
		created = created || c.Action == "CreateFlowLogs"
		return created && c.Action == "DescribeVpcs"
	})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(provider.Options{WrapTransport: inj.Wrap}),
		CheckDestroy:             acctest.CheckNetworkDestroyed(t, name),
		Steps: []resource.TestStep{{
			Config: testAccNetworkConfig_custom(name, "10.121.0.0/16", key, lostAnswerEndpoints, 365, "", ""),
			Check: func(s *terraform.State) error {
				if inj.Fired() != 1 {
					return fmt.Errorf("the read failure was injected %d times, want 1", inj.Fired())
				}
				if rs := s.RootModule().Resources[addr]; rs == nil || rs.Primary.Tainted {
					return fmt.Errorf("%s is missing or tainted after a read failure following its creation", addr)
				}
				return checkOneNetwork(t, name)
			},
		}},
	})
}

// TestAccNetwork_lostRepairAnswers weakens a network out of band (an
// internet gateway and default route, SSH open to the world, a subnet's
// Name tag removed) and loses the first answer of each call that repairs
// it: the apply still restores the network, with nothing duplicated.
func TestAccNetwork_lostRepairAnswers(t *testing.T) {
	name := acctest.RandomName("net")
	key := acctest.Key(t, true)
	ctx := context.Background()
	c := acctest.AWS(t)
	actions := []string{"ec2:DeleteRoute", "ec2:DetachInternetGateway", "ec2:RevokeSecurityGroupIngress", "ec2:CreateTags"}
	l := acctest.LoseFirstAnswers(t, actions...)
	var armed atomic.Bool // answers are lost only during the repair
	wrap := func(next http.RoundTripper) http.RoundTripper {
		lose, direct := l.Wrap(next), acctest.WithoutRetryReplay(next)
		return acctest.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
			if armed.Load() {
				return lose.RoundTrip(r)
			}
			return direct.RoundTrip(r)
		})
	}
	var a map[string]string
	var igw string
	t.Cleanup(func() {
		if igw != "" {
			if err := fixtures.RemoveInternetGateway(ctx, c, igw); err != nil {
				t.Errorf("removing internet gateway %s: %v", igw, err)
			}
		}
	})
	config := testAccNetworkConfig_custom(name, "10.122.0.0/16", key, lostAnswerEndpoints, 365, "", "")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(provider.Options{WrapTransport: wrap}),
		CheckDestroy:             acctest.CheckNetworkDestroyed(t, name),
		Steps: []resource.TestStep{
			{Config: config, Check: stateAttrs(&a)},
			{
				PreConfig: func() {
					var err error
					if igw, err = fixtures.AddInternetRoute(ctx, c, a["vpc_id"], a["route_table_ids.0"]); err != nil {
						t.Fatalf("adding an internet route: %v", err)
					}
					if err := fixtures.OpenIngress(ctx, c, a["workload_security_group_id"], 22); err != nil {
						t.Fatalf("opening ingress: %v", err)
					}
					if _, err := c.EC2.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{a["subnet_ids.0"]}, Tags: []ec2types.Tag{{Key: aws.String("Name")}}}); err != nil {
						t.Fatalf("removing a tag: %v", err)
					}
					armed.Store(true)
				},
				Config:            config,
				ConfigPlanChecks:  restorePlan(),
				ConfigStateChecks: restoredChecks,
				Check: func(*terraform.State) error {
					if missed := missedOf(l, actions); len(missed) > 0 {
						return fmt.Errorf("the repair made no %v call: no answer was lost", missed)
					}
					return checkOneNetwork(t, name)
				},
			},
		},
	})
}
