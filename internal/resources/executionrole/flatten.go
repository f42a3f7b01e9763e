package executionrole

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iamrole"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// read reads the role into m and evaluates it (an iamrole.ReadFunc).
func (r *roleResource) read(ctx context.Context, m *resourceModel) (found bool, drift diag.Diagnostics, err error) {
	live, err := m.Read(ctx, r.data.AWS.IAM)
	if live == nil || err != nil {
		return false, nil, err
	}
	// A key under ignore_tags is not drift: tags_all leaves it out.
	m.TagsAll = shared.TagsAll(r.data, live.Tags)
	var want *iampolicy.RoleDocuments
	if docs, known, d := iampolicy.RenderRole(m.RoleInputs, r.scope(), guardrail.ControlText); known && !d.HasError() {
		want = &docs
	}
	a, err := assessLive(ctx, live, want, r.subject(live.Name, live.ARN, facts.Known(live.Tags), types.StringValue(live.Boundary)), r.data.Posture, r.data.Policy)
	if err != nil {
		return false, nil, fmt.Errorf("checking role %s against the guardrails: %w", live.Name, err)
	}
	m.TrustPolicyJSON = types.StringValue(a.trustJSON)
	m.PolicyJSON = types.StringValue(a.policyJSON)
	m.Controls = tfval.List(a.controls)
	m.ControlStates = tfval.Map(a.states.Strings())
	return true, a.drift, nil
}

// importedModel is the state of an imported role: its name and the inputs
// recovered from its documents; Read fills in the rest.
func importedModel(name string, in recoveredInputs) resourceModel {
	m := resourceModel{
		Common:        iamrole.Imported(name),
		Controls:      types.ListNull(types.StringType),
		ControlStates: types.MapNull(types.StringType),
	}
	m.Purpose = types.StringNull()
	if in.purpose != "" {
		m.Purpose = types.StringValue(in.purpose)
	}
	m.S3ReadURIs = optionalSet(in.read)
	m.S3WriteURIs = optionalSet(in.write)
	m.KMSKeyARNs = optionalSet(in.keys)
	m.ECRRepositoryARNs = optionalSet(in.repos)
	m.VPCSubnetIDs = optionalSet(in.subnets)
	m.VPCSecurityGroupIDs = optionalSet(in.groups)
	return m
}

// optionalSet is a set of values, or null when there are none.
func optionalSet(values []string) types.Set {
	if len(values) == 0 {
		return types.SetNull(types.StringType)
	}
	return tfval.Set(values)
}
