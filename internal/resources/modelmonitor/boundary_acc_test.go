package modelmonitor_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/acctest"
)

// TestAccModelMonitor_schedulerRoleBoundary: with the provider's
// role_permissions_boundary_arn a monitor given an execution role without
// it is refused before anything exists; given one with it, the scheduler
// role sagesafe makes carries it too (SS-IAM-5 held); deleted outside Terraform it is drift, SS-IAM-5 fails
// on the refresh, and the next apply puts it back.
func TestAccModelMonitor_schedulerRoleBoundary(t *testing.T) {
	e := makeEnv(t, true)
	c := acctest.AWS(t)
	// iam:PassRole limited to the test's roles, the execution role and the
	// monitor's (cfg.name-*): on every role it would cap nothing, and every
	// role it reaches must carry the boundary (SS-IAM-5,
	// TestAccExecutionRole_boundaryPassRoleAnyRoleRefused and _boundaryPassRoleUncappedRoleRefused).
	monName := acctest.RandomName("mon")
	boundary := acctest.Boundary(t, `{"Effect":"Allow","Action":"sagemaker:*","Resource":"*"}`,
		`{"Effect":"Allow","Action":"iam:PassRole","Resource":["`+e.role+`","arn:aws:iam::`+c.AccountID+`:role/`+monName+`-*"]}`)
	cfg := monitorConfig{env: e, name: monName, managedRole: true, provider: func(string) string {
		return acctest.ProviderConfig(acctest.BoundaryGuardrail(boundary))
	}}
	role := cfg.name + "-scheduler"
	given := cfg // scheduler_role_arn given: a role made outside sagesafe, without the boundary
	given.managedRole = false
	given.schedulerRole = givenSchedulerRole(t, c, given)
	ctx := context.Background()
	checkBoundary := acctest.CheckRoleBoundary(c.IAM, role, boundary)
	iam5 := func(want string) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(addr, tfjsonpath.New("control_states").AtMapKey("SS-IAM-5"), knownvalue.StringExact(want))
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProviderFactories(),
		CheckDestroy:             checkDestroy(c, cfg.name),
		Steps: []resource.TestStep{
			{
				// The execution role the monitor is given lacks the boundary:
				// refused before anything is created.
				Config:      cfg.hcl(),
				ExpectError: regexp.MustCompile(`SS-IAM-5: execution role \S+ does not carry the organisation's permissions boundary`),
			},
			{
				// The execution role now carries it, but the scheduler role
				// the monitor is given does not: refused too (red team).
				PreConfig: func() {
					if _, err := c.IAM.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{
						RoleName: aws.String(e.role[strings.LastIndex(e.role, "/")+1:]), PermissionsBoundary: aws.String(boundary)}); err != nil {
						t.Fatal(err)
					}
				},
				Config:      given.hcl(),
				ExpectError: regexp.MustCompile(`SS-IAM-5: role \S+ does not carry the organisation's permissions\s+boundary`),
			},
			{
				Config:            cfg.hcl(),
				ConfigStateChecks: []statecheck.StateCheck{iam5("held")},
				Check:             checkBoundary,
			},
			{
				PreConfig: func() {
					if _, err := c.IAM.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String(role)}); err != nil {
						t.Fatal(err)
					}
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(addr, "control_states.SS-IAM-5", "failed"),
					resource.TestMatchResourceAttr(addr, "drift.0", regexp.MustCompile(`^scheduler role `+role+` has no permissions boundary, not role_permissions_boundary_arn `+regexp.QuoteMeta(boundary)+`$`)),
				),
			},
			{
				Config: cfg.hcl(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{iam5("held")},
				Check:             checkBoundary,
			},
		},
	})
}
