package acctest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// boundaryDenies is the statement every test boundary ends with: it takes
// away what lets a role under a boundary escape it (posture.AssessBoundary:
// IAM writes, STS, IAM Identity Center, and running code as existing
// principals), so that a boundary which allows broadly still caps
// (SS-IAM-5). iam:PassRole is left to the allows: the monitor's scheduler
// role needs it, limited to the stack's roles.
const boundaryDenies = `{"Effect":"Deny","Action":["iam:Create*","iam:Put*","iam:Attach*","iam:Update*","iam:Delete*","iam:Add*","iam:Set*","sts:*","sso:*","identitystore:*","organizations:*",` +
	`"sagemaker:CreatePresigned*","sagemaker:UpdateNotebookInstance*","sagemaker:UpdateDomain","sagemaker:UpdateUserProfile","sagemaker:UpdateSpace",` +
	`"lambda:Update*","ssm:SendCommand","ssm:StartSession","ec2-instance-connect:*",` +
	`"ecs:ExecuteCommand","glue:UpdateDevEndpoint","codebuild:StartBuild","cloudformation:UpdateStack","cloudformation:ExecuteChangeSet"],"Resource":"*"}`

// Boundary creates a permissions boundary that caps: the given Allow
// statements (JSON objects) and boundaryDenies. Removed when the test ends.
func Boundary(t *testing.T, allows ...string) string {
	t.Helper()
	return Policy(t, `{"Version":"2012-10-17","Statement":[`+strings.Join(append(allows, boundaryDenies), ",")+`]}`)
}

// BoundaryAllowing is Boundary with the actions undenied left out of
// boundaryDenies (each must be one of its entries, such as
// "sagemaker:CreatePresigned*"): for tests of what a boundary lets through.
func BoundaryAllowing(t *testing.T, undenied []string, allows ...string) string {
	t.Helper()
	denies := boundaryDenies
	for _, a := range undenied {
		entry := `"` + a + `",`
		if !strings.Contains(denies, entry) {
			t.Fatalf("BoundaryAllowing: %s is not denied by boundaryDenies", a)
		}
		denies = strings.Replace(denies, entry, "", 1)
	}
	return Policy(t, `{"Version":"2012-10-17","Statement":[`+strings.Join(append(allows, denies), ",")+`]}`)
}

// BoundaryGuardrail is the provider block's guardrails setting naming arn
// as the organisation's permissions boundary.
func BoundaryGuardrail(arn string) string {
	return "guardrails {\n  role_permissions_boundary_arn = \"" + arn + "\"\n}\n"
}

// CheckRoleBoundary asks IAM that role carries exactly boundary as its
// permissions boundary.
func CheckRoleBoundary(c *iam.Client, role, boundary string) func(*terraform.State) error {
	return func(*terraform.State) error {
		got, err := c.GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String(role)})
		if err != nil {
			return err
		}
		if got.Role.PermissionsBoundary == nil || aws.ToString(got.Role.PermissionsBoundary.PermissionsBoundaryArn) != boundary {
			return fmt.Errorf("role %s has boundary %v, want %s", role, got.Role.PermissionsBoundary, boundary)
		}
		return nil
	}
}

// NoRole returns an error unless IAM says role does not exist: what a test
// checks after a refused plan or apply (nothing was created).
func NoRole(t *testing.T, role string) error {
	_, err := AWS(t).IAM.GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String(role)})
	var nse *iamtypes.NoSuchEntityException
	if !errors.As(err, &nse) {
		return fmt.Errorf("role %s exists (err %v)", role, err)
	}
	return nil
}
