// Taking up an existing job of the requested name: after a lost answer to
// the create, or after an apply killed before it saved the state. One rule
// for every job type.

package sagemakerjob

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
)

// Claim is what the adoption rule knows of an existing job of the
// requested name.
type Claim struct {
	Name    string
	Tags    map[string]string // the job's live tags
	Token   string            // this create's creation token
	Created time.Time         // the job's creation time
	Started time.Time         // when this create started
	// Diffs lists how the live job differs from the request, in every
	// setting the request makes (role, image, inputs, outputs, instances,
	// keys, network, isolation, encryption, runtime, environment): the audit
	// a job passes before it is used.
	Diffs []string
}

// CheckAdoption decides whether an existing job of the requested name may
// be recorded as this resource's job, and says why (how). Two cases
// qualify:
//
//   - A retried create whose first answer was lost: the job carries this
//     call's creation token, was created no earlier than a minute before
//     the call (clock skew), and has every setting of the request. The
//     token proves authorship.
//   - An apply killed between the create and the state save: the token
//     went with that apply, so authorship by this call cannot be proven.
//     The job is adopted when it carries a creation token (sagesafe's create
//     path made it), the owner tag naming this job, and every setting of
//     the request (Diffs is empty). Such a job runs exactly what this
//     resource would start, in this account; adopting it is harmless, and
//     starting a second, billed job is not the alternative: SageMaker never
//     reuses a name, so the apply could only fail. A destroyed job lost its
//     owner tag (Release) and is not adopted again.
//
// Anything else (no token, another owner, a setting that differs) is
// refused: anyone who can create jobs could make one of a configured name
// first, say without a VPC, and have sagesafe record it.
func (j Jobs[D]) CheckAdoption(c Claim) (how string, err error) {
	got, tagged := c.Tags[idem.TokenTag]
	switch {
	case tagged && got == c.Token:
		if c.Created.IsZero() || c.Created.Before(c.Started.Add(-time.Minute)) {
			return "", fmt.Errorf("%s %s exists and carries this apply's creation token, but its settings differ from the plan: it was created at %s, before this apply", j.Noun, c.Name, c.Created)
		}
		if len(c.Diffs) > 0 {
			return "", fmt.Errorf("%s %s exists but its settings differ from the plan: %s", j.Noun, c.Name, strings.Join(c.Diffs, "; "))
		}
		return "a retried create had already created", nil
	case tagged && got != "" && c.Tags[j.OwnerTag] == c.Name:
		if len(c.Diffs) > 0 {
			return "", fmt.Errorf("%s %s exists and carries sagesafe's tags, but was not created by this apply and its settings differ from the plan: %s",
				j.Noun, c.Name, strings.Join(c.Diffs, "; "))
		}
		return "an interrupted apply created (it carries sagesafe's tags and exactly the planned settings)", nil
	}
	return "", fmt.Errorf("%s %s exists and was not created by this resource (it does not carry this apply's creation token in tag %s, "+
		"nor the tags and settings of a job an interrupted apply of this resource started)", j.Noun, c.Name, idem.TokenTag)
}

// Create sends the create through idem.Create and returns the job's ARN:
// tags (the request's) get the creation tags (WithCreationTags), and send
// makes one call with the SDK's retries off. After a lost answer or a taken
// name, the job of this name is used only on CheckAdoption's terms,
// audited by diffs; any other is refused with an error that says why and
// wraps the ResourceInUse answer.
func (j Jobs[D]) Create(ctx context.Context, name, prefix, token string, tags *[]smtypes.Tag, send func(context.Context) (string, error), diffs func(*D) []string) (string, error) {
	started := time.Now()
	*tags = j.WithCreationTags(*tags, name, prefix, token)
	var refusal error
	arn, err := idem.Create[string]{
		What: j.Noun + " " + name,
		Do: func(ctx context.Context) (string, error) {
			arn, err := send(ctx)
			if err == nil && arn == "" {
				return "", fmt.Errorf("the create of %s %s answered without the job's ARN", j.Noun, name)
			}
			return arn, err
		},
		Find: func(ctx context.Context) (string, bool, error) {
			job, err := j.Find(ctx, name)
			if errors.Is(err, ErrNotFound) {
				return "", false, nil
			}
			if err != nil {
				return "", false, err
			}
			tags, err := j.ListTags(ctx, j.ARN(job))
			if err != nil {
				return "", false, err
			}
			how, aerr := j.CheckAdoption(Claim{Name: name, Tags: tags, Token: token, Created: j.CreationTime(job), Started: started, Diffs: diffs(job)})
			if aerr != nil {
				// Not a failed lookup: the job is someone else's. idem.Create
				// then returns the ResourceInUse answer, wrapped below with why.
				refusal = aerr
				return "", false, nil //nolint:nilerr // the refusal is reported through refusal, see above
			}
			tflog.Warn(ctx, "adopting the "+j.Noun+" "+how, map[string]any{"name": name})
			return j.ARN(job), true, nil
		},
		Taken: func(err error) bool {
			var inUse *smtypes.ResourceInUse
			return errors.As(err, &inUse)
		},
	}.Run(ctx)
	if err != nil && refusal != nil {
		return "", fmt.Errorf("%v: %w", refusal, err)
	}
	return arn, err
}

// Interrupted finds the job an apply killed after the create started for
// this resource when its name comes from name_prefix. The killed apply's
// name was generated and is lost with it; this apply would generate another
// one and start a second, billed job. The job is found by what the create
// wrote on it: a job whose name starts with the prefix, that carries a
// creation token, the owner tag naming itself and the prefix tag naming the
// prefix, and whose settings are exactly the plan's (diffs of the request
// this apply would send under that name finds nothing). As for a configured
// name (CheckAdoption), such a job runs exactly what this resource would
// start, in this account: adopting it is harmless, starting a second one is
// not. The job may have ended since (a short job finishes before anyone
// applies again): had the apply not been killed, the state would hold it
// all the same. A job a resource destroyed never qualifies (Retire removes
// its owner tag); two resources with the same prefix and the same settings
// cannot be told apart, so prefixes must differ (the docs say so).
func (j Jobs[D]) Interrupted(ctx context.Context, prefix string, diffs func(name string, job *D) []string) (name, arn string, err error) {
	running, err := j.List(ctx, prefix, false)
	if err != nil {
		return "", "", fmt.Errorf("looking for a job an interrupted apply started: %w", err)
	}
	// Running jobs first: one still running is the likelier take-up.
	slices.SortStableFunc(running, func(a, b Summary) int {
		return cmp.Compare(boolRank(a.Status != "InProgress"), boolRank(b.Status != "InProgress"))
	})
	for _, s := range running {
		if !strings.HasPrefix(s.Name, prefix) {
			continue // the emulator ignores NameContains on some lists
		}
		tags, err := j.ListTags(ctx, s.ARN)
		if err != nil {
			return "", "", err
		}
		if tags[idem.TokenTag] == "" || tags[j.OwnerTag] != s.Name || tags[j.PrefixTag] != prefix {
			continue
		}
		job, err := j.Find(ctx, s.Name)
		if err != nil {
			return "", "", err
		}
		if len(diffs(s.Name, job)) == 0 {
			return s.Name, j.ARN(job), nil
		}
	}
	return "", "", nil
}

// Differ collects the differences of a live job from a request, for the
// audit before adoption.
type Differ struct{ Diffs []string }

// Add records a difference.
func (d *Differ) Add(what string, got, want any) {
	d.Diffs = append(d.Diffs, fmt.Sprintf("%s is %v, the plan says %v", what, got, want))
}

// Str records a difference of two optional strings.
func (d *Differ) Str(what string, got, want *string) {
	g, w := aws.ToString(got), aws.ToString(want)
	if g != w {
		d.Add(what, OrNone(g), OrNone(w))
	}
}

// VPC records a difference of subnets or security groups, and forced
// settings that are off.
func (d *Differ) VPC(got, want *smtypes.VpcConfig, isolated, encrypted bool) {
	if got == nil {
		got = &smtypes.VpcConfig{}
	}
	if !SameSet(got.Subnets, want.Subnets) || !SameSet(got.SecurityGroupIds, want.SecurityGroupIds) {
		d.Add("the VPC", fmt.Sprint(sortedCopy(got.Subnets), sortedCopy(got.SecurityGroupIds)), fmt.Sprint(sortedCopy(want.Subnets), sortedCopy(want.SecurityGroupIds)))
	}
	if !isolated || !encrypted {
		d.Diffs = append(d.Diffs, "network isolation or inter-container traffic encryption is off")
	}
}

func sortedCopy(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return out
}

// OrNone stands in for an empty value in messages.
func OrNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// Resume returns the running job an interrupted apply of this resource
// started under prefix (Interrupted), and warns that it is recorded instead
// of a new one; name is "" when prefix is "" (a configured name: Create
// settles that) or no job qualifies. ok is false when the lookup failed.
func (j Jobs[D]) Resume(ctx context.Context, prefix string, diffs func(name string, job *D) []string, diags *diag.Diagnostics) (name, arn string, ok bool) {
	if prefix == "" {
		return "", "", true
	}
	name, arn, err := j.Interrupted(ctx, prefix, diffs)
	if err != nil {
		diags.AddError("Creating the "+j.Noun+" failed", err.Error())
		return "", "", false
	}
	if name != "" {
		tflog.Warn(ctx, "adopting the "+j.Noun+" an interrupted apply started", map[string]any{"name": name})
		diags.AddWarning(capitalized(j.Noun)+" "+name+" adopted",
			"An earlier apply of this resource started "+j.Noun+" "+name+" and was interrupted before Terraform recorded it. "+
				"The job carries the tags sagesafe writes and exactly the planned settings, so sagesafe records it instead of starting a second one.")
	}
	return name, arn, true
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

func capitalized(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// ListDiffs compares two lists in order (what: "input channel"): a
// different length, else each element of want that same says differs from
// got's, named by name.
func ListDiffs[T any](what string, want, got []T, same func(want, got T) bool, name func(T) *string) []string {
	if len(got) != len(want) {
		return []string{fmt.Sprintf("it has %d %ss, the plan %d", len(got), what, len(want))}
	}
	var diffs []string
	for i := range want {
		if !same(want[i], got[i]) {
			diffs = append(diffs, fmt.Sprintf("%s %d (%s) differs from the plan's", what, i, aws.ToString(name(want[i]))))
		}
	}
	return diffs
}
