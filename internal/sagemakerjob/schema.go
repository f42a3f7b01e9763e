// Schema attributes every job resource has, with the limits SageMaker sets
// for training and processing jobs alike.

package sagemakerjob

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/validators"
)

const (
	DefaultInstanceCount = 1
	DefaultVolumeSizeGB  = 30
	MaxInstanceCount     = 100
	MaxVolumeSizeGB      = 16384
)

// InstanceAttributes are a job's instance_type, instance_count and
// volume_size_gb; changing any of them replaces the job.
func InstanceAttributes() map[string]schema.Attribute {
	replaceInt := []planmodifier.Int64{int64planmodifier.RequiresReplace()}
	return map[string]schema.Attribute{
		"instance_type": schema.StringAttribute{
			Required:            true,
			MarkdownDescription: "Instance type, such as `ml.m5.xlarge`. Must match the provider's `allowed_instance_types` (SS-GOV-2).",
			Validators:          []validator.String{stringvalidator.RegexMatches(validators.InstanceTypeRegexp, "must be a SageMaker instance type such as ml.m5.xlarge")},
			PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
		},
		"instance_count": schema.Int64Attribute{
			Optional:            true,
			Computed:            true,
			Default:             int64default.StaticInt64(DefaultInstanceCount),
			MarkdownDescription: fmt.Sprintf("Number of instances. Default %d.", DefaultInstanceCount),
			Validators:          []validator.Int64{int64validator.Between(1, MaxInstanceCount)},
			PlanModifiers:       replaceInt,
		},
		"volume_size_gb": schema.Int64Attribute{
			Optional: true,
			Computed: true,
			Default:  int64default.StaticInt64(DefaultVolumeSizeGB),
			MarkdownDescription: fmt.Sprintf("Size of the ML storage volume of each instance, in GB. Default %d. Encrypted with "+
				"`kms_key_arn`, except on instance types with local NVMe storage, whose storage is encrypted in hardware (SS-ENC-2).", DefaultVolumeSizeGB),
			Validators:    []validator.Int64{int64validator.Between(1, MaxVolumeSizeGB)},
			PlanModifiers: replaceInt,
		},
	}
}
