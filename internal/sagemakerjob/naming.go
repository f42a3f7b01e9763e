// A job's name: configured, or generated from name_prefix, and the schema
// attributes that set it. SageMaker's rules are the same for every job type.

package sagemakerjob

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"regexp"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
)

const (
	DefaultNamePrefix = "sagesafe-"
	MaxNameLength     = 63
	// nameSuffixLength is the length of the timestamp and random suffix
	// appended to name_prefix ("20060102150405" + 4 characters).
	nameSuffixLength = 18
	MaxPrefixLength  = MaxNameLength - nameSuffixLength
)

var (
	// JobNameRegexp is SageMaker's TrainingJobName and ProcessingJobName
	// pattern.
	JobNameRegexp    = regexp.MustCompile(`^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$`)
	namePrefixRegexp = regexp.MustCompile(`^[a-zA-Z0-9](-*[a-zA-Z0-9])*-*$`)
)

// GenerateName is prefix + UTC time (YYYYMMDDhhmmss) + 4 random characters:
// unique per account without coordination, and sortable by creation time.
func GenerateName(prefix string, now time.Time) string {
	const chars = "abcdefghijklmnopqrstuvwxyz0123456789"
	suffix := make([]byte, 4)
	for i := range suffix {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(chars))))
		if err != nil {
			n = big.NewInt(int64(now.Nanosecond()+i) % int64(len(chars)))
		}
		suffix[i] = chars[n.Int64()]
	}
	return prefix + now.UTC().Format("20060102150405") + string(suffix)
}

// JobName is the configured name, else one generated from namePrefix
// (prefix is then that prefix, else DefaultNamePrefix; "" for a configured
// name).
func JobName(name, namePrefix types.String, now time.Time) (jobName, prefix string) {
	if !name.IsNull() && !name.IsUnknown() {
		return name.ValueString(), ""
	}
	prefix = namePrefix.ValueString()
	if prefix == "" {
		prefix = DefaultNamePrefix
	}
	return GenerateName(prefix, now), prefix
}

// NameAttributes are the name and name_prefix attributes of a job (noun:
// "training job").
func NameAttributes(noun string) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"name": schema.StringAttribute{
			Optional: true,
			Computed: true,
			MarkdownDescription: "Job name. A " + noun + " name can never be used twice in an account and region, so prefer " +
				"`name_prefix`. Conflicts with `name_prefix`.",
			Validators: []validator.String{
				stringvalidator.RegexMatches(JobNameRegexp, "must be 1-63 letters, digits and hyphens, starting and ending with a letter or digit"),
				stringvalidator.ConflictsWith(path.MatchRoot("name_prefix")),
			},
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown(), stringplanmodifier.RequiresReplace()},
		},
		"name_prefix": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: fmt.Sprintf("Prefix of a generated name: the prefix, the UTC creation time (`YYYYMMDDhhmmss`) "+
				"and 4 random characters. At most %d characters. When neither `name` nor `name_prefix` is set, the prefix is `%s`.",
				MaxPrefixLength, DefaultNamePrefix),
			Validators: []validator.String{
				stringvalidator.LengthBetween(1, MaxPrefixLength),
				stringvalidator.RegexMatches(namePrefixRegexp, "must start with a letter or digit and contain only letters, digits and hyphens"),
			},
			PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
		},
	}
}

// TakeUpDescription says, for a job resource's description, which tags a
// job is created with and when an existing job of the name is taken up
// (CheckAdoption, Interrupted); settings lists what the audit compares.
func TakeUpDescription(ownerTag, prefixTag, settings string) string {
	return "Every job is created with the tags `" + idem.TokenTag + "` (a random creation token), `" + ownerTag + " = <name>` and, " +
		"for a generated name, `" + prefixTag + " = <name_prefix>`. When the configured `name` is already taken, the existing job " +
		"is recorded instead of failing only when it is this resource's: it carries this apply's creation token (a retry after a " +
		"lost answer), or, after an apply that was killed before it saved the state, it carries a creation token, the owner tag " +
		"naming it and exactly the planned settings (" + settings + "). Any other job of that name is refused with an error naming " +
		"it. With `name_prefix`, an apply killed after it started the job leaves a running job whose generated name the next apply " +
		"cannot know: the next apply records the running job that carries the prefix tag, the owner tag naming it, a creation " +
		"token and exactly the planned settings, instead of starting a second one. Destroy removes the owner tag, so a destroyed " +
		"job is never taken up again."
}
