package monitorspec

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
)

// Capture is what SS-MON-7 sees of a live endpoint config's data capture.
// DescribeEndpoint's summary lacks the capture options, so this reads the
// endpoint config's. A config without capture is capture off.
func Capture(dc *smtypes.DataCaptureConfig) guardrail.DataCapture {
	if dc == nil {
		return guardrail.DataCapture{Enabled: facts.Known(false), InputCaptured: facts.Known(false),
			DestinationURI: facts.Known(""), KMSKeyARN: facts.Known(""), SamplingPercent: facts.Known[int64](0)}
	}
	input := false
	for _, o := range dc.CaptureOptions {
		input = input || o.CaptureMode == smtypes.CaptureModeInput || o.CaptureMode == smtypes.CaptureModeInputAndOutput
	}
	return guardrail.DataCapture{
		Enabled:        facts.Known(aws.ToBool(dc.EnableCapture)),
		InputCaptured:  facts.Known(input),
		DestinationURI: facts.Known(aws.ToString(dc.DestinationS3Uri)),
		KMSKeyARN:      facts.Known(aws.ToString(dc.KmsKeyId)),
		// SageMaker requires InitialSamplingPercentage; a config without
		// it captures nothing the monitor can use.
		SamplingPercent: facts.Known(int64(aws.ToInt32(dc.InitialSamplingPercentage))),
	}
}
