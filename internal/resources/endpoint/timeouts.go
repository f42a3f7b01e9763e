package endpoint

import (
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
)

// Default waits. Endpoints routinely take 10 to 20 minutes to create, and an
// update bakes in several stages, so these are generous; each is a bound,
// not a sleep.
const (
	DefaultCreateTimeout = 60 * time.Minute
	DefaultUpdateTimeout = 90 * time.Minute
	DefaultDeleteTimeout = 30 * time.Minute
)

var timeoutOpts = timeouts.Opts{
	Create: true, Update: true, Delete: true,
	CreateDescription: fmt.Sprintf("How long creating may take, until the endpoint is `InService`, as a Go duration (`45m`, `2h`). Default `%s`.", DefaultCreateTimeout),
	UpdateDescription: fmt.Sprintf("How long an update may take, until the new configuration serves (or SageMaker rolled back). Default `%s`.", DefaultUpdateTimeout),
	DeleteDescription: fmt.Sprintf("How long deleting may take, until the endpoint and its network interfaces are gone. Default `%s`.", DefaultDeleteTimeout),
}
