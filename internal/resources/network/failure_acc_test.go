package network_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/provider"
)

// awsMutation matches the calls that change something in EC2, IAM or
// CloudWatch Logs: the calls whose failure could leave an orphan.
func awsMutation(c acctest.Call) bool {
	switch c.Service {
	case "ec2", "iam", "logs":
		return c.Mutating()
	}
	return false
}

// countCreateMutations creates a network once and returns the mutating
// calls its apply made, in order.
func countCreateMutations(t *testing.T) []acctest.Call {
	t.Helper()
	name := acctest.RandomName("net")
	key := acctest.Key(t, true)
	inj := &acctest.FaultInjector{}
	var calls []acctest.Call
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(provider.Options{WrapTransport: inj.Wrap}),
		CheckDestroy:             acctest.CheckNetworkDestroyed(t, name),
		Steps: []resource.TestStep{{
			Config: testAccNetworkConfig_basic(name, key),
			Check: func(*terraform.State) error {
				for _, c := range inj.Calls() {
					if awsMutation(c) {
						calls = append(calls, c)
					}
				}
				return nil
			},
		}},
	})
	return calls
}

// TestAccNetwork_partialFailure makes the Nth mutating AWS call of a create
// fail, for N spread over the whole create, and checks that the error names
// the failure, nothing stays in state and nothing is left in AWS.
func TestAccNetwork_partialFailure(t *testing.T) {
	calls := countCreateMutations(t)
	if len(calls) < 10 {
		t.Fatalf("a create made only %d mutating calls: %v", len(calls), calls)
	}
	if last := calls[len(calls)-1]; last.Action != "CreateFlowLogs" {
		t.Fatalf("the last mutating call of a create is %s, want CreateFlowLogs (all calls: %v)", last.Action, calls)
	}
	t.Logf("a create makes %d mutating calls: %v", len(calls), calls)
	points := []int{1, 2, len(calls) / 4, len(calls) / 2, 3 * len(calls) / 4, len(calls) - 1, len(calls)}
	for _, n := range points {
		call := calls[n-1]
		t.Run(fmt.Sprintf("call_%02d_%s", n, call.Action), func(t *testing.T) {
			name := acctest.RandomName("net")
			key := acctest.Key(t, true)
			inj := &acctest.FaultInjector{}
			inj.FailNth(n, "InjectedFailure", awsMutation)
			want := regexp.MustCompile(`(?s)InjectedFailure.*Everything that had been created.*was\s+deleted\s+again`)
			if n == 1 { // nothing was created yet
				want = regexp.MustCompile(`(?s)creating VPC 10\.60\.0\.0/16: .*InjectedFailure`)
			}
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(provider.Options{WrapTransport: inj.Wrap}),
				CheckDestroy: func(s *terraform.State) error {
					if inj.Fired() != 1 {
						return fmt.Errorf("the failure was injected %d times, want 1", inj.Fired())
					}
					if rs := s.RootModule().Resources[addr]; rs != nil {
						return fmt.Errorf("%s was kept in state after a rolled-back create", addr)
					}
					return acctest.CheckNetworkDestroyed(t, name)(s)
				},
				Steps: []resource.TestStep{{
					Config:      testAccNetworkConfig_basic(name, key),
					ExpectError: want,
				}},
			})
		})
	}
}

// TestAccNetwork_partialFailureRollbackFails makes the create fail and the
// rollback fail too: the network must stay in state (tainted), and the next
// apply replaces it without leaving anything behind.
func TestAccNetwork_partialFailureRollbackFails(t *testing.T) {
	name := acctest.RandomName("net")
	key := acctest.Key(t, true)
	inj := &acctest.FaultInjector{}
	inj.Fail("InjectedFailure", 1, func(c acctest.Call) bool { return c.Action == "CreateFlowLogs" })
	inj.Fail("InjectedFailure", -1, func(c acctest.Call) bool { return c.Action == "DeleteVpc" })
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(provider.Options{WrapTransport: inj.Wrap}),
		CheckDestroy:             acctest.CheckNetworkDestroyed(t, name),
		Steps: []resource.TestStep{
			{
				Config:      testAccNetworkConfig_basic(name, key),
				ExpectError: regexp.MustCompile(`(?s)Deleting what was created failed too.*is kept in state, marked\s+tainted`),
			},
			{
				PreConfig: inj.Reset,
				Config:    testAccNetworkConfig_basic(name, key),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
			},
		},
	})
}

// TestAccNetwork_deleteRetriesDependencyViolation: EC2 refuses to delete
// the subnets and the VPC a few times, as it does while network interfaces
// are being released; the destroy waits and succeeds.
func TestAccNetwork_deleteRetriesDependencyViolation(t *testing.T) {
	name := acctest.RandomName("net")
	key := acctest.Key(t, true)
	inj := &acctest.FaultInjector{}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(provider.Options{WrapTransport: inj.Wrap}),
		CheckDestroy: func(s *terraform.State) error {
			if got := inj.Fired(); got != 4 {
				return fmt.Errorf("%d DependencyViolation errors were injected, want 4 (were they retried?)", got)
			}
			return acctest.CheckNetworkDestroyed(t, name)(s)
		},
		Steps: []resource.TestStep{{
			Config: testAccNetworkConfig_basic(name, key),
			Check: func(*terraform.State) error {
				inj.Fail("DependencyViolation", 2, func(c acctest.Call) bool { return c.Action == "DeleteSubnet" })
				inj.Fail("DependencyViolation", 1, func(c acctest.Call) bool { return c.Action == "DeleteSecurityGroup" })
				inj.Fail("DependencyViolation", 1, func(c acctest.Call) bool { return c.Action == "DeleteVpc" })
				return nil
			},
		}},
	})
}

// TestAccNetwork_deleteReportsLeftoverInterfaces: a network interface that
// SageMaker left in a subnet keeps EC2 refusing to delete it; when the
// delete timeout ends, the error names the interface and its owner, and the
// network stays in state. Once the interface is gone, apply restores the
// network and destroy succeeds.
func TestAccNetwork_deleteReportsLeftoverInterfaces(t *testing.T) {
	name := acctest.RandomName("net")
	key := acctest.Key(t, true)
	ctx := context.Background()
	c := acctest.AWS(t)
	inj := &acctest.FaultInjector{}
	var a map[string]string
	var eni string
	config := testAccNetworkConfig_custom(name, "10.65.0.0/16", key, []string{"sagemaker.api", "sagemaker.runtime"}, 365, "", `  timeouts {
    delete = "6s"
  }`)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactoriesWith(provider.Options{WrapTransport: inj.Wrap}),
		CheckDestroy:             acctest.CheckNetworkDestroyed(t, name),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check:  stateAttrs(&a),
			},
			{
				// The emulator does not keep interfaces from blocking a
				// subnet's deletion, so the refusal AWS would give is injected.
				PreConfig: func() {
					out, err := c.EC2.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{
						SubnetId:    aws.String(a["subnet_ids.0"]),
						Description: aws.String("[DO NOT DELETE] ENI managed by SageMaker for endpoint churn"),
					})
					if err != nil {
						t.Fatalf("creating a leftover interface: %v", err)
					}
					eni = aws.ToString(out.NetworkInterface.NetworkInterfaceId)
					inj.Fail("DependencyViolation", -1, func(c acctest.Call) bool { return c.Action == "DeleteSubnet" })
				},
				Config:  config,
				Destroy: true,
				ExpectError: regexp.MustCompile(`(?s)deleting subnet subnet-\w+: still has dependent objects\s+after\s+\d+s.*` +
					`1\s+network\s+interface\(s\)\s+remain\s+\(0\s+requester-managed\):.*eni-\w+, status available, owner 123456789012.*` +
					`ENI managed by SageMaker.*hashicorp/terraform-provider-aws#34397`),
			},
			{
				// SageMaker releases the interface; the next apply rebuilds
				// what the failed destroy removed, then destroy succeeds.
				PreConfig: func() {
					inj.Reset()
					if _, err := c.EC2.DeleteNetworkInterface(ctx, &ec2.DeleteNetworkInterfaceInput{NetworkInterfaceId: aws.String(eni)}); err != nil {
						t.Fatalf("deleting interface %s: %v", eni, err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: restoredChecks,
			},
		},
	})
}
