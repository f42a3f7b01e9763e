package personarole

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iamrole"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// refresh reads the role into m and evaluates it (see shared.Refresh).
func (r *roleResource) refresh(ctx context.Context, m *resourceModel) (found bool, drift, diags diag.Diagnostics) {
	found, drift, err := r.read(ctx, m)
	if err != nil {
		diags.AddError("Reading the persona role failed", err.Error())
		return false, nil, diags
	}
	return found, drift, nil
}

// read is refresh with its failure as an error, so that a caller can tell a
// transient one (saveCreated).
func (r *roleResource) read(ctx context.Context, m *resourceModel) (found bool, drift diag.Diagnostics, err error) {
	name := m.ID.ValueString()
	live, err := iamrole.Find(ctx, r.data.AWS.IAM, name)
	if iamrole.IsNotFound(err) {
		return false, nil, nil
	}
	if err != nil {
		return false, nil, fmt.Errorf("role %s: %w", name, err)
	}
	m.Flatten(live)
	var want *iamrole.Documents
	if docs, known, d := r.render(ctx, m); known && !d.HasError() {
		want = &docs
	}
	return true, r.assessLive(live, want, m), nil
}

// importedModel is the state of an imported role: its name and the inputs
// read back from its documents (iampolicy.RecoverPersonaSpec); Read fills
// in the rest.
func importedModel(name string, spec iampolicy.PersonaSpec) resourceModel {
	str := func(v string) types.String {
		if v == "" {
			return types.StringNull()
		}
		return types.StringValue(v)
	}
	return resourceModel{
		Common:            iamrole.Imported(name),
		Persona:           str(string(spec.Persona)),
		AccountPrincipals: optionalSet(spec.AccountPrincipals),
		SAMLProviderARN:   str(spec.SAMLProviderARN),
		SubnetIDs:         optionalSet(spec.SubnetIDs),
		SecurityGroupIDs:  optionalSet(spec.SecurityGroupIDs),
		KMSKeyARN:         str(spec.KMSKeyARN),
		ExecutionRoleARNs: optionalSet(spec.ExecutionRoleARNs),
		S3ReadURIs:        optionalSet(spec.S3ReadURIs),
		S3WriteURIs:       optionalSet(spec.S3WriteURIs),
		ExtraActivities:   optionalSet(spec.ExtraActivities),
		Timeouts:          timeouts.Value{Object: types.ObjectNull(timeoutTypes)},
		Controls:          types.ListNull(types.StringType),
		ControlStates:     types.MapNull(types.StringType),
	}
}

// timeoutTypes are the attributes of the timeouts block.
var timeoutTypes = map[string]attr.Type{"create": types.StringType, "update": types.StringType, "delete": types.StringType}

// optionalSet is a set of values, or null when there are none.
func optionalSet(values []string) types.Set {
	if len(values) == 0 {
		return types.SetNull(types.StringType)
	}
	return tfval.Set(values)
}
