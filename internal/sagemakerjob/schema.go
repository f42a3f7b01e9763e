// Schema attributes every job resource has, with the limits SageMaker sets
// for training and processing jobs alike.

package sagemakerjob

import (
	"fmt"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
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

// AlarmsAttribute is a job's alarms block: actions and the disk and memory
// thresholds, plus the job type's own thresholds (more); def is its value
// when it is not set.
func AlarmsAttribute(def types.Object, more map[string]schema.Attribute) schema.SingleNestedAttribute {
	attrs := map[string]schema.Attribute{
		"actions": schema.ListAttribute{
			ElementType: types.StringType,
			Optional:    true,
			MarkdownDescription: "SNS topic ARNs to notify. Default: the provider's `alarm_actions`. Alarms without actions are " +
				"a warning, or an error with the provider's `require_alarm_actions` (SS-MON-2).",
			Validators: []validator.List{listvalidator.SizeAtMost(5), listvalidator.ValueStringsAre(validators.ARN("sns"))},
		},
		"disk_percent": ThresholdAttribute(alarms.TrainingDisk, alarms.DefaultTrainingDiskPercent,
			"Alarm when the disk utilisation of an instance exceeds this percentage for 5 minutes."),
		"memory_percent": ThresholdAttribute(alarms.TrainingMemory, alarms.DefaultTrainingMemoryPercent,
			"Alarm when the memory utilisation of an instance exceeds this percentage for 5 minutes."),
	}
	maps.Copy(attrs, more)
	return schema.SingleNestedAttribute{
		Optional: true,
		Computed: true,
		Default:  objectdefault.StaticValue(def),
		MarkdownDescription: "Settings of the job's alarms (SS-MON-1/2). Updated in place. Without it the defaults apply " +
			"and the provider's `alarm_actions` are notified. A threshold its metric can never cross is refused (SS-MON-1).",
		Attributes: attrs,
	}
}
