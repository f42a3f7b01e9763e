package iamrole

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// Reconcile makes the live role what the plan says: the generated trust and
// inline policy, nothing else attached (each removal reported through
// removed), the session duration, the boundary and the tags. The error
// names the step that failed and the role.
func (c *Common) Reconcile(ctx context.Context, ic *iam.Client, name string, docs Documents, tags shared.TagSettings, removed func(what string), diags *diag.Diagnostics) error {
	failed := func(what string, err error) error { return fmt.Errorf("%s (role %s): %w", what, name, err) }
	live, err := Find(ctx, ic, name)
	if err != nil {
		return failed("reading the role", err)
	}
	// The boundary first: it caps what the writes below grant, and a
	// deployer held to the boundary (sagesafe_deployer_policy's
	// permissions_boundary_arn) may change only roles that carry it.
	if what, err := ReconcileBoundary(ctx, ic, name, live.Boundary, c.PermissionsBoundaryARN.ValueString()); err != nil {
		return failed(what, err)
	}
	if !Equivalent(live.Trust, docs.Trust) {
		if _, err := ic.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(name), PolicyDocument: aws.String(docs.Trust)}); err != nil {
			return failed("UpdateAssumeRolePolicy", err)
		}
	}
	if doc, ok := live.Inline[docs.Keep]; !ok || !Equivalent(doc, docs.Policy) {
		if err := PutPolicy(ctx, ic, name, docs); err != nil {
			return failed("PutRolePolicy", err)
		}
	}
	if err := RemoveForeign(ctx, ic, name, docs.Keep, live, removed); err != nil {
		return failed("removing policies added outside Terraform", err)
	}
	if want := int32(c.MaxSessionDuration.ValueInt64()); live.MaxSession != want {
		if _, err := ic.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String(name), MaxSessionDuration: aws.Int32(want)}); err != nil {
			return failed("UpdateRole", err)
		}
	}
	want, _ := tfval.Tags(ctx, c.TagsAll, diags)
	// Keys under the provider's ignore_tags are neither removed nor rewritten.
	if err := ReconcileTags(ctx, ic, name, shared.SeenTags(tags, live.Tags), want); err != nil {
		return failed("updating tags", err)
	}
	return nil
}

// Comparison is how a live role's documents differ from the generated
// ones, in words: TrustJSON and PolicyJSON are for state (the generated
// text when the live one is equivalent, else the live text; PolicyJSON is
// empty when the policy was deleted).
type Comparison struct {
	TrustJSON, PolicyJSON string
	Trust, Permissions    []string
}

// Compare compares a live role with want (nil when the documents cannot be
// rendered, so only what needs no generated text is compared).
func Compare(live *Live, keep string, want *Documents) Comparison {
	c := Comparison{TrustJSON: Decode(live.Trust)}
	doc, hasPolicy := live.Inline[keep]
	if hasPolicy {
		c.PolicyJSON = Decode(doc)
	} else {
		c.Permissions = append(c.Permissions, "its inline policy "+keep+" was deleted")
	}
	if want != nil {
		if Equivalent(live.Trust, want.Trust) {
			c.TrustJSON = want.Trust
		} else {
			c.Trust = append(c.Trust, "its trust policy was changed (trust_policy_json shows the difference)")
		}
		switch {
		case !hasPolicy:
		case Equivalent(doc, want.Policy):
			c.PolicyJSON = want.Policy
		default:
			c.Permissions = append(c.Permissions, "its inline policy "+keep+" was edited (policy_json shows the difference)")
		}
	}
	for _, arn := range live.Attached {
		c.Permissions = append(c.Permissions, "managed policy "+arn+" was attached")
	}
	for _, n := range slices.Sorted(maps.Keys(live.Inline)) {
		if n != keep {
			c.Permissions = append(c.Permissions, "inline policy "+n+" was added")
		}
	}
	return c
}
