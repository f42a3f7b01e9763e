package endpoint

import (
	"context"
	"maps"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/evaluate"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/tfval"
)

// fieldModelData is the Subject field of the model artifacts' S3 location.
const fieldModelData guardrail.Field = "model_data_s3_uri"

// fetcher adapts the provider's posture.Fetcher for this resource:
//   - Log groups are never looked up through it: the plan says what the
//     endpoint's log group will be, and Read has already described it (its
//     facts are injected), so the group costs one DescribeLogGroups per
//     refresh and none per plan.
//   - (Concurrent fetches are serialized by posture.Fetcher itself, so N
//     endpoints refreshed in parallel share the cached facts.)
type fetcher struct {
	f         evaluate.Fetcher
	logGroups map[string]facts.LogGroupFact
}

func (x fetcher) Fetch(ctx context.Context, req facts.Request) (facts.Facts, error) {
	req.LogGroups = nil
	found, err := x.f.Fetch(ctx, req)
	if found.LogGroups == nil {
		found.LogGroups = map[string]facts.LogGroupFact{}
	}
	maps.Copy(found.LogGroups, x.logGroups)
	return found, err
}

// instanceFact returns the posture facts of an instance type (cached per
// provider process). known is false when it could not be looked up.
func instanceFact(ctx context.Context, f evaluate.Fetcher, instanceType string) (fact facts.InstanceTypeFact, known bool, err error) {
	found, err := fetcher{f: f}.Fetch(ctx, facts.Request{InstanceTypes: []string{instanceType}})
	fact, known = found.InstanceTypes[instanceType]
	return fact, known, err
}

// subjectBase is the part of a Subject that does not depend on the values.
func subjectBase(name string, data *providerdata.Data) *guardrail.Subject {
	s := &guardrail.Subject{Kind: guardrail.KindEndpoint, Name: name}
	if data != nil && data.AWS != nil {
		s.Region, s.AccountID, s.Partition = data.AWS.Region, data.AWS.AccountID, data.AWS.Partition
	}
	return s
}

// planSubject builds the Subject of a plan. Unknown values stay unknown
// (their checks run again at apply). nvme says whether the instance type has
// local NVMe storage, when that is known.
func planSubject(ctx context.Context, m endpointModel, data *providerdata.Data, nvme facts.Value[bool]) (*guardrail.Subject, diag.Diagnostics) {
	var diags diag.Diagnostics
	n, d := m.nested(ctx)
	diags.Append(d...)
	s := subjectBase(m.Name.ValueString(), data)

	vpcUnknown, modelUnknown := m.VPC.IsUnknown(), m.Model.IsUnknown()
	s.SubnetIDs = setValue(ctx, n.VPC.SubnetIDs, vpcUnknown, &diags)
	s.SecurityGroupIDs = setValue(ctx, n.VPC.SecurityGroupIDs, vpcUnknown, &diags)
	s.KMSKeyARN = tfval.String(m.KMSKeyARN)
	s.RoleARN = tfval.String(m.RoleARN)
	s.InstanceType = tfval.String(m.InstanceType)
	s.InstanceCount = tfval.Int64(m.InstanceCount)
	if modelUnknown {
		s.Image = facts.Unknown[string]()
	} else {
		s.Image = tfval.String(n.Model.Image)
		if !n.Model.ModelDataS3URI.IsNull() {
			s.S3 = append(s.S3, guardrail.S3Location{URI: tfval.String(n.Model.ModelDataS3URI), Field: fieldModelData, Role: "model"})
		}
	}
	s.NetworkIsolation = facts.Known(true) // always set by createModelInput

	switch {
	case !nvme.IsKnown():
		s.VolumeKMSKeyARN = facts.Unknown[string]()
	case nvme.V:
		s.VolumeKMSKeyARN = facts.Null[string]()
	default:
		s.VolumeKMSKeyARN = s.KMSKeyARN
	}

	switch {
	case m.DataCapture.IsUnknown() || n.DataCapture.Enabled.IsUnknown():
		s.DataCapture = guardrail.DataCapture{Enabled: facts.Unknown[bool](), KMSKeyARN: s.KMSKeyARN}
	default:
		enabled := n.DataCapture.Enabled.ValueBool()
		s.DataCapture = guardrail.DataCapture{Enabled: facts.Known(enabled), KMSKeyARN: s.KMSKeyARN}
		if enabled && !n.DataCapture.S3URI.IsNull() {
			s.S3 = append(s.S3, guardrail.S3Location{URI: tfval.String(n.DataCapture.S3URI), Field: guardrail.FieldDataCapture, Role: "data_capture"})
		}
	}

	if !m.Name.IsUnknown() {
		name := m.Name.ValueString()
		s.LogGroups = []guardrail.LogGroup{{Name: logGroupName(name), KMSKeyARN: s.KMSKeyARN, RetentionDays: tfval.Int64(m.LogRetentionDays)}}
		actions := facts.Unknown[[]string]()
		if !m.Alarms.IsUnknown() && valueFullyKnown(n.Alarms.Actions) {
			actions = facts.Known(effectiveActions(ctx, n.Alarms.Actions, data, &diags))
		}
		var list []guardrail.Alarm
		for _, k := range alarms.EndpointKinds() {
			list = append(list, guardrail.Alarm{Name: alarms.EndpointAlarmName(name, k), Kind: k, Exists: true, ActionsEnabled: true, Actions: actions})
		}
		s.Alarms = facts.Known(list)
		s.Deployment = guardrail.Deployment{BlueGreen: facts.Known(true), RollbackAlarms: facts.Known(rollbackAlarmNames(name))}
	} else {
		s.Alarms = facts.Unknown[[]guardrail.Alarm]()
		s.Deployment = guardrail.Deployment{BlueGreen: facts.Known(true), RollbackAlarms: facts.Unknown[[]string]()}
	}

	s.Tags = facts.Unknown[map[string]string]()
	if valueFullyKnown(m.Tags) {
		var own map[string]string
		diags.Append(m.Tags.ElementsAs(ctx, &own, false)...)
		merged := own
		if data != nil {
			merged = data.MergeTags(own)
		}
		s.Tags = facts.Known(merged)
	}
	return s, diags
}

// findingDiagnostics turns findings into diagnostics on the attribute that
// caused each one.
func findingDiagnostics(findings []guardrail.Finding, s *guardrail.Subject) diag.Diagnostics {
	return guardrail.Diagnostics(findings, paths(s).For)
}

// paths maps findings to the endpoint's attributes. Set elements are
// addressed by value, from the subject's (sorted) lists. The log group's
// findings name the key (SS-ENC-5) or the retention (SS-MON-3).
func paths(s *guardrail.Subject) guardrail.Paths {
	return guardrail.Paths{
		ByControl: map[string]path.Path{"SS-MON-3": path.Root("log_retention_days")},
		Each: map[guardrail.Field][]path.Path{
			guardrail.FieldSubnetIDs:        setElements(path.Root("vpc").AtName("subnet_ids"), s.SubnetIDs),
			guardrail.FieldSecurityGroupIDs: setElements(path.Root("vpc").AtName("security_group_ids"), s.SecurityGroupIDs),
		},
		Attr: map[guardrail.Field]path.Path{
			guardrail.FieldSubnetIDs:        path.Root("vpc").AtName("subnet_ids"),
			guardrail.FieldSecurityGroupIDs: path.Root("vpc").AtName("security_group_ids"),
			guardrail.FieldKMSKey:           path.Root("kms_key_arn"),
			guardrail.FieldVolumeKMSKey:     path.Root("kms_key_arn"),
			guardrail.FieldLogGroups:        path.Root("kms_key_arn"),
			guardrail.FieldRoleARN:          path.Root("role_arn"),
			guardrail.FieldInstanceType:     path.Root("instance_type"),
			guardrail.FieldInstanceCount:    path.Root("instance_count"),
			guardrail.FieldImage:            path.Root("model").AtName("image"),
			fieldModelData:                  path.Root("model").AtName("model_data_s3_uri"),
			guardrail.FieldDataCapture:      path.Root("data_capture"),
			guardrail.FieldAlarms:           path.Root("alarms"),
			guardrail.FieldDeployment:       path.Root("deployment"),
			guardrail.FieldTags:             path.Root("tags"),
		},
	}
}

// setElements addresses each element of a set attribute by its value.
func setElements(p path.Path, ids facts.Value[[]string]) []path.Path {
	if !ids.IsKnown() {
		return nil
	}
	out := make([]path.Path, len(ids.V))
	for i, id := range ids.V {
		out[i] = p.AtSetValue(types.StringValue(id))
	}
	return out
}

// satisfiedList is guardrail.Satisfied as a list value.
func satisfiedList(s *guardrail.Subject, p guardrail.Policy, findings []guardrail.Finding) types.List {
	ids := guardrail.Satisfied(s, p, findings)
	elems := make([]attr.Value, len(ids))
	for i, id := range ids {
		elems[i] = types.StringValue(id)
	}
	return types.ListValueMust(types.StringType, elems)
}

// setValue converts a set of strings; parentUnknown marks the whole object
// unknown. The elements are sorted, so finding indexes are stable.
func setValue(ctx context.Context, v types.Set, parentUnknown bool, diags *diag.Diagnostics) facts.Value[[]string] {
	switch {
	case parentUnknown || !valueFullyKnown(v):
		return facts.Unknown[[]string]()
	case v.IsNull():
		return facts.Null[[]string]()
	}
	var out []string
	diags.Append(v.ElementsAs(ctx, &out, false)...)
	sort.Strings(out)
	return facts.Known(out)
}
