// Package posture reads the facts (internal/facts) that the guardrail checks
// need from AWS: thin fetchers with one batched, cached lookup per kind, and
// pure "assess" functions that derive verdicts (is a subnet private, is a
// security group open, is a role's trust scoped) from raw SDK outputs. Every
// rule that needs an SDK type is assessed here, once; the network resource's
// drift detection calls the same functions.
package posture

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

// EC2API is the part of the EC2 client the Fetcher uses.
type EC2API interface {
	DescribeSubnets(ctx context.Context, in *ec2.DescribeSubnetsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSubnetsOutput, error)
	DescribeRouteTables(ctx context.Context, in *ec2.DescribeRouteTablesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeRouteTablesOutput, error)
	DescribeSecurityGroups(ctx context.Context, in *ec2.DescribeSecurityGroupsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error)
	DescribeInstanceTypes(ctx context.Context, in *ec2.DescribeInstanceTypesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeInstanceTypesOutput, error)
	GetManagedPrefixListEntries(ctx context.Context, in *ec2.GetManagedPrefixListEntriesInput, optFns ...func(*ec2.Options)) (*ec2.GetManagedPrefixListEntriesOutput, error)
}

// KMSAPI is the part of the KMS client the Fetcher uses.
type KMSAPI interface {
	DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, optFns ...func(*kms.Options)) (*kms.DescribeKeyOutput, error)
	GetKeyRotationStatus(ctx context.Context, in *kms.GetKeyRotationStatusInput, optFns ...func(*kms.Options)) (*kms.GetKeyRotationStatusOutput, error)
}

// IAMAPI is the part of the IAM client the Fetcher uses.
type IAMAPI interface {
	GetRole(ctx context.Context, in *iam.GetRoleInput, optFns ...func(*iam.Options)) (*iam.GetRoleOutput, error)
	ListAttachedRolePolicies(ctx context.Context, in *iam.ListAttachedRolePoliciesInput, optFns ...func(*iam.Options)) (*iam.ListAttachedRolePoliciesOutput, error)
	ListRolePolicies(ctx context.Context, in *iam.ListRolePoliciesInput, optFns ...func(*iam.Options)) (*iam.ListRolePoliciesOutput, error)
	GetRolePolicy(ctx context.Context, in *iam.GetRolePolicyInput, optFns ...func(*iam.Options)) (*iam.GetRolePolicyOutput, error)
	GetPolicy(ctx context.Context, in *iam.GetPolicyInput, optFns ...func(*iam.Options)) (*iam.GetPolicyOutput, error)
	GetPolicyVersion(ctx context.Context, in *iam.GetPolicyVersionInput, optFns ...func(*iam.Options)) (*iam.GetPolicyVersionOutput, error)
	ListRoles(ctx context.Context, in *iam.ListRolesInput, optFns ...func(*iam.Options)) (*iam.ListRolesOutput, error)
}

// S3API is the part of the S3 client the Fetcher uses.
type S3API interface {
	GetBucketEncryption(ctx context.Context, in *s3.GetBucketEncryptionInput, optFns ...func(*s3.Options)) (*s3.GetBucketEncryptionOutput, error)
	GetBucketPolicy(ctx context.Context, in *s3.GetBucketPolicyInput, optFns ...func(*s3.Options)) (*s3.GetBucketPolicyOutput, error)
}

// LogsAPI is the part of the CloudWatch Logs client the Fetcher uses.
type LogsAPI interface {
	DescribeLogGroups(ctx context.Context, in *cloudwatchlogs.DescribeLogGroupsInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error)
}

// NotebookAPI is the part of the SageMaker client the Fetcher uses: the
// notebook instances a permissions boundary lets open (SS-IAM-5).
type NotebookAPI interface {
	ListNotebookInstances(ctx context.Context, in *sagemaker.ListNotebookInstancesInput, optFns ...func(*sagemaker.Options)) (*sagemaker.ListNotebookInstancesOutput, error)
	DescribeNotebookInstance(ctx context.Context, in *sagemaker.DescribeNotebookInstanceInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribeNotebookInstanceOutput, error)
}

// Fetcher reads posture facts from AWS with as few calls as it can (one
// filtered Describe call for all subnets, one for their VPCs' route tables,
// one for all security groups, one for all instance types; per-object calls
// for keys, roles, buckets and log groups) and caches every answer, "not
// found" included, until Invalidate. A role costs GetRole, one
// ListAttachedRolePolicies and ListRolePolicies page each, GetRolePolicy per
// inline policy, and per attached managed policy that is not broad by name
// GetPolicy plus GetPolicyVersion (the version's document is cached for the
// Fetcher's life: versions never change). A permissions boundary costs the
// same two, and when it lets roles of a name prefix be passed or assumed,
// a ListRoles page per 1,000 roles and GetRole per role it reaches; when it
// lets notebook instances of a name prefix be opened, a
// ListNotebookInstances page per 100 instances, DescribeNotebookInstance
// per instance it reaches and GetRole per role those run as. It is safe for
// concurrent use.
type Fetcher struct {
	// account is the caller's account: buckets are read with it as
	// ExpectedBucketOwner (SS-DATA-2).
	account string

	ec2  EC2API
	kms  KMSAPI
	iam  IAMAPI
	s3   S3API
	logs LogsAPI
	// sns and keyPolicies read the topics alarms notify (WithTopics).
	sns         SNSAPI
	keyPolicies KeyPolicyAPI
	// notebooks reads the notebook instances a boundary's presigned
	// notebook URLs reach, in notebookRegion (WithNotebooks).
	notebooks      NotebookAPI
	notebookRegion string

	// fetching is held for the whole of a Fetch, so resources refreshed in
	// parallel that share a network, key and role wait for the first
	// lookup and then read the cache, instead of all missing it at once
	// (that keeps N endpoints at 6N calls plus a constant).
	fetching   sync.Mutex
	mu         sync.Mutex
	generation uint64 // bumped by Invalidate; stale fetches are not cached
	cache      facts.Facts
	// prefixLists caches managed prefix list entries (fetch_ec2.go).
	prefixLists prefixListCache
	// policyVersions holds managed policy documents by policyVersionKey. A
	// policy version is immutable (editing a policy makes a new version),
	// so Invalidate keeps them.
	policyVersions map[string]string
}

// NewFetcher returns a Fetcher for the caller's account using the given
// clients. A nil client is allowed; looking up an object of that service
// then fails with an error. With an empty account, bucket owners are not
// checked (BucketFact.OwnerChecked stays false).
func NewFetcher(account string, ec2 EC2API, kms KMSAPI, iam IAMAPI, s3 S3API, logs LogsAPI) *Fetcher {
	return &Fetcher{account: account, ec2: ec2, kms: kms, iam: iam, s3: s3, logs: logs, cache: newFacts(), policyVersions: map[string]string{}}
}

// WithNotebooks gives the Fetcher the SageMaker client that reads notebook
// instances, and its region (the only one read); without it, a boundary
// whose presigned notebook URLs name a prefix fails to be read (an error,
// never held).
func (f *Fetcher) WithNotebooks(api NotebookAPI, region string) *Fetcher {
	f.notebooks, f.notebookRegion = api, region
	return f
}

// Invalidate forgets everything cached. Resources call it after they change
// an object the facts describe. A Fetch that is running while Invalidate is
// called still returns its answers but does not cache them.
func (f *Fetcher) Invalidate() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.generation++
	f.cache = newFacts()
}

// Fetch returns the facts for every object in req, from the cache where it
// can and from AWS for the rest (services are queried concurrently).
//
// Every requested object that was looked up is in the returned maps, with
// Found=false when AWS says it does not exist or the identifier is malformed
// (empty, an ARN that is not an ARN, an impossible bucket name). When a call
// fails for another reason (throttling, access denied, ...) the objects it
// was for are left out of the maps, so checks skip them, and the failure is
// part of the returned error; everything else is still returned.
func (f *Fetcher) Fetch(ctx context.Context, req facts.Request) (facts.Facts, error) {
	f.fetching.Lock()
	defer f.fetching.Unlock()
	out := newFacts()
	f.mu.Lock()
	generation := f.generation
	todo := facts.Request{
		SubnetIDs:        takeCached(req.SubnetIDs, f.cache.Subnets, out.Subnets),
		SecurityGroupIDs: takeCached(req.SecurityGroupIDs, f.cache.SecurityGroups, out.SecurityGroups),
		KeyRefs:          takeCached(req.KeyRefs, f.cache.Keys, out.Keys),
		RoleARNs:         takeCached(req.RoleARNs, f.cache.Roles, out.Roles),
		InstanceTypes:    takeCached(req.InstanceTypes, f.cache.InstanceTypes, out.InstanceTypes),
		Buckets:          takeCached(req.Buckets, f.cache.Buckets, out.Buckets),
		LogGroups:        takeCached(req.LogGroups, f.cache.LogGroups, out.LogGroups),
		Policies:         takeCached(req.Policies, f.cache.Policies, out.Policies),
		Topics:           takeCached(req.Topics, f.cache.Topics, out.Topics),
	}
	f.mu.Unlock()

	// Each lookup writes only its own map of fetched, so they can run
	// concurrently.
	fetched := newFacts()
	lookups := []func() error{
		func() error { return f.fetchSubnets(ctx, todo.SubnetIDs, fetched.Subnets) },
		func() error { return f.fetchSecurityGroups(ctx, todo.SecurityGroupIDs, fetched.SecurityGroups) },
		func() error { return f.fetchInstanceTypes(ctx, todo.InstanceTypes, fetched.InstanceTypes) },
		func() error { return f.fetchKeys(ctx, todo.KeyRefs, fetched.Keys) },
		func() error { return f.fetchRoles(ctx, todo.RoleARNs, fetched.Roles) },
		func() error { return f.fetchBuckets(ctx, todo.Buckets, fetched.Buckets) },
		func() error { return f.fetchLogGroups(ctx, todo.LogGroups, fetched.LogGroups) },
		func() error { return f.fetchPolicies(ctx, todo.Policies, fetched.Policies) },
		func() error { return f.fetchTopics(ctx, todo.Topics, fetched.Topics) },
	}
	errs := make([]error, len(lookups))
	var wg sync.WaitGroup
	for i, lookup := range lookups {
		wg.Go(func() { errs[i] = lookup() })
	}
	wg.Wait()

	f.mu.Lock()
	if f.generation == generation {
		mergeFacts(f.cache, fetched)
	}
	f.mu.Unlock()
	mergeFacts(out, fetched)
	return out, errors.Join(errs...)
}

// newFacts returns facts.Facts with every map allocated.
func newFacts() facts.Facts {
	return facts.Facts{
		Subnets:        map[string]facts.SubnetFact{},
		SecurityGroups: map[string]facts.SecurityGroupFact{},
		Keys:           map[string]facts.KeyFact{},
		Roles:          map[string]facts.RoleFact{},
		InstanceTypes:  map[string]facts.InstanceTypeFact{},
		Buckets:        map[string]facts.BucketFact{},
		LogGroups:      map[string]facts.LogGroupFact{},
		Policies:       map[string]facts.PolicyFact{},
		Topics:         map[string]facts.TopicFact{},
	}
}

// mergeFacts copies every fact of src into dst's maps, which must exist.
func mergeFacts(dst, src facts.Facts) {
	maps.Copy(dst.Subnets, src.Subnets)
	maps.Copy(dst.SecurityGroups, src.SecurityGroups)
	maps.Copy(dst.Keys, src.Keys)
	maps.Copy(dst.Roles, src.Roles)
	maps.Copy(dst.InstanceTypes, src.InstanceTypes)
	maps.Copy(dst.Buckets, src.Buckets)
	maps.Copy(dst.LogGroups, src.LogGroups)
	maps.Copy(dst.Policies, src.Policies)
	maps.Copy(dst.Topics, src.Topics)
}

// takeCached copies the cached facts for ids into out and returns the
// distinct ids that are not cached, in request order.
func takeCached[T any](ids []string, cache, out map[string]T) []string {
	var missing []string
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if v, ok := cache[id]; ok {
			out[id] = v
			continue
		}
		missing = append(missing, id)
	}
	return missing
}

// errNoClient reports a lookup for a service whose client was not given.
func errNoClient(service string, ids []string) error {
	return fmt.Errorf("posture: no %s client configured, cannot look up %q", service, ids)
}
