package personarole

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

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
	var want *iamrole.Documents
	if docs, known, d := r.render(ctx, m); known && !d.HasError() {
		want = &docs
	}
	return true, r.assessLive(ctx, live, want, m), nil
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
		StudioDomainID:    str(spec.StudioDomainID),
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
