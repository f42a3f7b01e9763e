// What every job resource shares (internal/sagemakerjob).

package processingjob

import (
	"context"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/alarms"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/sagemakerjob"
)

var (
	lostForcedControls = sagemakerjob.LostForcedControls
	specNames          = sagemakerjob.SpecNames
	alarmDrift         = sagemakerjob.AlarmDrift
	mergedTags         = sagemakerjob.MergedTags
	decodeVPC          = sagemakerjob.DecodeVPC
	optString          = sagemakerjob.OptString
	optInt             = sagemakerjob.OptInt
	vpcAttribute       = sagemakerjob.VPCAttribute
)

// tagAlarms gives the alarms the job's tags.
func (r *processingJobResource) tagAlarms(ctx context.Context, specs []alarms.Spec, tags map[string]string, remove []string) error {
	return sagemakerjob.TagAlarms(ctx, r.data.AWS.CloudWatch, specs, tags, remove)
}
