// Taking up an endpoint that an apply killed before it saved the state left
// under the configured name, and proving ownership before a delete.

package endpoint

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/idem"
)

// adoptInterrupted looks, before a create makes anything, for an endpoint
// of the configured name. None: nothing to do. One that checkInterrupted
// accepts is the endpoint of an apply killed after CreateEndpoint: the
// apply then uses it and the version it serves (a.key.Adopted, a.version),
// so that no second model and configuration are made, and claims them with
// this resource's creation token (the endpoint here, the model and
// configuration in ensureModel and ensureConfig). Any other is an error
// naming it.
func (r *endpointResource) adoptInterrupted(ctx context.Context, a *applyInput) (bool, error) {
	sm := r.data.AWS.SageMaker
	name := a.spec.Name
	ep, err := findEndpoint(ctx, sm, name)
	switch {
	case IsNotFound(err):
		return false, r.adoptInterruptedVersion(ctx, a)
	case err != nil:
		return false, err
	}
	out, err := sm.ListTags(ctx, &sagemaker.ListTagsInput{ResourceArn: ep.EndpointArn, MaxResults: aws.Int32(100)})
	if err != nil {
		return false, fmt.Errorf("listing the tags of existing endpoint %s: %w", name, err)
	}
	served := aws.ToString(ep.EndpointConfigName)
	var diffs []string
	if ownVersion(name, served) {
		if diffs, err = r.auditServed(ctx, a, served); err != nil {
			return false, err
		}
	}
	if err := checkInterrupted(name, ep.EndpointStatus, tagMap(out.Tags), served, diffs); err != nil {
		return false, err
	}
	tflog.Warn(ctx, "taking up the endpoint an interrupted apply created", map[string]any{"endpoint": name, "version": served})
	r.data.Reads.ForgetEndpointTags(aws.ToString(ep.EndpointArn))
	if _, err := sm.AddTags(ctx, &sagemaker.AddTagsInput{ResourceArn: ep.EndpointArn, Tags: sageMakerTags(map[string]string{idem.TokenTag: a.key.Token})}); err != nil {
		return false, fmt.Errorf("tagging endpoint %s with the creation token: %w", name, err)
	}
	a.key.Adopted, a.version = served, served
	return true, nil
}

// auditServed lists how the configuration an existing endpoint serves, and
// its model (both named version), differ from the plan.
func (r *endpointResource) auditServed(ctx context.Context, a *applyInput, version string) ([]string, error) {
	sm := r.data.AWS.SageMaker
	cfg, err := findEndpointConfig(ctx, sm, version)
	if IsNotFound(err) {
		return []string{"the configuration it serves, " + version + ", does not exist"}, nil
	}
	if err != nil {
		return nil, err
	}
	diffs := auditConfig(a.spec, version, a.nvme, cfg)
	m, err := findModel(ctx, sm, version)
	if IsNotFound(err) {
		return append(diffs, "its model "+version+" does not exist"), nil
	}
	if err != nil {
		return nil, err
	}
	return append(diffs, auditModel(a.spec, m)...), nil
}

// checkInterrupted decides whether an endpoint that exists under the
// configured name when a create starts is the one an apply of this
// resource made and was killed before it saved the state. That apply's
// creation token went with it (it lived in the private state), so
// authorship cannot be proven; the endpoint is taken up when it carries a
// creation token and the owner tag naming it (sagesafe made it for this
// name), serves a version named as this resource names them, and that
// version's configuration and model have exactly the planned settings
// (diffs is empty). Such an endpoint serves exactly what this apply would
// create, in this account: whoever made it, taking it up is harmless, and
// the alternative is not a second endpoint (the name is unique) but a
// failed apply. A Failed or Deleting endpoint is not taken up; any other
// endpoint is refused with an error naming it.
func checkInterrupted(name string, status smtypes.EndpointStatus, tags map[string]string, served string, diffs []string) error {
	switch {
	case tags[idem.TokenTag] == "" || tags[ownerTagKey] != name || !ownVersion(name, served):
		return fmt.Errorf("an endpoint named %s already exists (status %s) and was not created by sagesafe for this name; import it with "+
			"terraform import <address> %s, delete it, or choose another name", name, status, name)
	case status == smtypes.EndpointStatusFailed || status == smtypes.EndpointStatusDeleting:
		return fmt.Errorf("an endpoint named %s already exists and is %s; delete it, or wait until it is gone, and apply again", name, status)
	case len(diffs) > 0:
		return fmt.Errorf("an endpoint named %s already exists and carries sagesafe's tags, but what it serves differs from the plan: %s; "+
			"delete it, or import it, and apply again", name, strings.Join(diffs, "; "))
	}
	return nil
}

// mayDelete decides whether a destroy or a cleanup may delete an object of
// one of this resource's names: only when it carries the resource's
// creation token, or it is the version the resource adopted (import), or
// the resource has no key (a state written before keys existed, where
// nothing can be proven either way). An object of such a name made by
// someone else (a squatter this resource refused) is left alone.
func mayDelete(k *nameKey, name string, tags map[string]string) bool {
	if k == nil {
		return true
	}
	return tags[idem.TokenTag] == k.Token || (k.Adopted != "" && name == k.Adopted)
}

// mayDeleteEndpoint decides whether a destroy may delete the endpoint: not
// when it carries another resource's creation token, which means another
// instance of the resource took it up (see adoptInterrupted; with
// create_before_destroy the old instance is destroyed after the new one
// took the endpoint over). An endpoint without a token (imported, or made
// before endpoints carried one) is this resource's.
func mayDeleteEndpoint(k *nameKey, tags map[string]string) bool {
	token, tagged := tags[idem.TokenTag]
	return k == nil || !tagged || token == k.Token
}

// claimAdopted tags an endpoint the resource adopted (import, or a state
// written before name keys) with the resource's creation token, as
// ensureModel and ensureConfig claim its version: a destroy deletes only an
// endpoint without another resource's token (mayDeleteEndpoint). Tagging
// again is harmless. It returns false when the call failed.
func (r *endpointResource) claimAdopted(ctx context.Context, a applyInput, ep *sagemaker.DescribeEndpointOutput, diags *diag.Diagnostics) bool {
	if a.key.Adopted == "" {
		return true
	}
	r.data.Reads.ForgetEndpointTags(aws.ToString(ep.EndpointArn))
	_, err := r.data.AWS.SageMaker.AddTags(ctx, &sagemaker.AddTagsInput{ResourceArn: ep.EndpointArn,
		Tags: sageMakerTags(map[string]string{idem.TokenTag: a.key.Token})})
	if err != nil {
		diags.AddError("Tagging endpoint "+a.spec.Name+" with the creation token failed", err.Error())
		return false
	}
	return true
}

// adoptInterruptedVersion takes up the model (and configuration) an apply
// of this resource made and was killed before it created the endpoint and
// saved the state: the version is named after the endpoint with a salt that
// went with that apply, so this apply would make another version and leave
// the first behind. Taken up is a model named like a version of this
// endpoint that carries a creation token and the owner tag naming the
// endpoint (sagesafe made it for this name) and whose settings are exactly
// the plan's, with its configuration when that exists on the same terms.
// Such objects are the ones this create would make, in this account:
// serving them is harmless, leaving them behind is an orphan. The version
// becomes the adopted one (nameKey.Adopted), which ensureModel and
// ensureConfig accept and claim with this apply's token.
func (r *endpointResource) adoptInterruptedVersion(ctx context.Context, a *applyInput) error {
	sm := r.data.AWS.SageMaker
	name := a.spec.Name
	p := sagemaker.NewListModelsPaginator(sm, &sagemaker.ListModelsInput{NameContains: aws.String(name + "-")})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("looking for a version an interrupted apply made: %w", err)
		}
		for _, m := range page.Models {
			version := aws.ToString(m.ModelName)
			if !ownVersion(name, version) { // the emulator ignores NameContains
				continue
			}
			ok, err := r.interruptedVersion(ctx, a, version, aws.ToString(m.ModelArn))
			if err != nil {
				return err
			}
			if ok {
				tflog.Warn(ctx, "taking up the version an interrupted apply made", map[string]any{"endpoint": name, "version": version})
				a.key.Adopted, a.version = version, version
				return nil
			}
		}
	}
	return nil
}

// interruptedVersion reports whether version (its model at modelARN) is one
// an interrupted apply of this resource made: see adoptInterruptedVersion.
func (r *endpointResource) interruptedVersion(ctx context.Context, a *applyInput, version, modelARN string) (bool, error) {
	sm := r.data.AWS.SageMaker
	owned := func(arn string) (bool, error) {
		out, err := sm.ListTags(ctx, &sagemaker.ListTagsInput{ResourceArn: aws.String(arn), MaxResults: aws.Int32(100)})
		if err != nil {
			return false, fmt.Errorf("listing the tags of %s: %w", arn, err)
		}
		tags := tagMap(out.Tags)
		return tags[idem.TokenTag] != "" && tags[ownerTagKey] == a.spec.Name, nil
	}
	if ok, err := owned(modelARN); err != nil || !ok {
		return false, err
	}
	m, err := findModel(ctx, sm, version)
	switch {
	case IsNotFound(err):
		return false, nil
	case err != nil:
		return false, err
	case len(auditModel(a.spec, m)) > 0:
		return false, nil
	}
	cfg, err := findEndpointConfig(ctx, sm, version)
	switch {
	case IsNotFound(err):
		return true, nil // killed between CreateModel and CreateEndpointConfig
	case err != nil:
		return false, err
	}
	if ok, err := owned(aws.ToString(cfg.EndpointConfigArn)); err != nil || !ok {
		return false, err
	}
	return len(auditConfig(a.spec, version, a.nvme, cfg)) == 0, nil
}
