package posture

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/hashicorp/aws-sdk-go-base/v2/tfawserr"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

// lookupEach runs lookup for every id, storing the facts it returns and
// collecting its errors; one failing object does not stop the others. With
// ids to look up but no client for service, it fails without calling lookup.
func lookupEach[T any](service string, hasClient bool, ids []string, into map[string]T, lookup func(id string) (T, error)) error {
	if len(ids) == 0 {
		return nil
	}
	if !hasClient {
		return errNoClient(service, ids)
	}
	var errs []error
	for _, id := range ids {
		fact, err := lookup(id)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		into[id] = fact
	}
	return errors.Join(errs...)
}

// fetchKeys describes each KMS key and reads its rotation status.
func (f *Fetcher) fetchKeys(ctx context.Context, refs []string, into map[string]facts.KeyFact) error {
	return lookupEach("KMS", f.kms != nil, refs, into, func(ref string) (facts.KeyFact, error) { return f.lookupKey(ctx, ref) })
}

// lookupKey describes one key. A key KMS does not know, a reference KMS
// rejects as a malformed ARN, or an ARN whose region or account is not that
// of the key KMS answers with, is Found=false; its Region is still taken
// from the reference when that is an ARN, so a check can say "wrong region"
// rather than "missing".
func (f *Fetcher) lookupKey(ctx context.Context, ref string) (facts.KeyFact, error) {
	notFound := facts.KeyFact{Ref: ref, Region: arnRegion(ref)}
	if strings.TrimSpace(ref) == "" {
		return notFound, nil
	}
	gone := func(err error) bool { return tfawserr.ErrCodeEquals(err, "NotFoundException", "InvalidArnException") }
	out, err := f.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(ref)})
	switch {
	case gone(err):
		return notFound, nil
	case err != nil:
		return facts.KeyFact{}, fmt.Errorf("posture: describing KMS key %q: %w", ref, err)
	case out.KeyMetadata == nil:
		return notFound, nil
	}
	meta := out.KeyMetadata
	if !sameRegionAndAccount(ref, aws.ToString(meta.Arn)) {
		// KMS answers for its own region and account only; a reference to
		// another one that still resolved (moto ignores the ARN's region)
		// is not the key that was asked for.
		return notFound, nil
	}

	// Only symmetric keys with KMS-generated material can rotate; KMS
	// rejects the rotation query for the others.
	rotation := false
	if (meta.KeySpec == "" || meta.KeySpec == kmstypes.KeySpecSymmetricDefault) &&
		(meta.Origin == "" || meta.Origin == kmstypes.OriginTypeAwsKms) {
		keyID := meta.Arn // the ARN also works for keys of other accounts
		if aws.ToString(keyID) == "" {
			keyID = meta.KeyId
		}
		rot, err := f.kms.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: keyID})
		switch {
		case gone(err):
			return notFound, nil
		case tfawserr.ErrCodeEquals(err, "UnsupportedOperationException", "KMSInvalidStateException"):
			// Rotation is impossible for this key (or in its state): off.
		case err != nil:
			return facts.KeyFact{}, fmt.Errorf("posture: reading rotation status of KMS key %q: %w", ref, err)
		default:
			rotation = rot.KeyRotationEnabled
		}
	}
	fact := AssessKey(meta, rotation)
	fact.Ref = ref
	return fact, nil
}

// sameRegionAndAccount reports whether two ARNs share region and account.
// A ref that is not an ARN (key ID, alias name) matches anything.
func sameRegionAndAccount(ref, keyARN string) bool {
	r, err := arn.Parse(ref)
	if err != nil {
		return true
	}
	k, err := arn.Parse(keyARN)
	return err == nil && r.Region == k.Region && r.AccountID == k.AccountID
}

// roleName matches a valid IAM role name.
var roleName = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)

// RoleNameFromARN returns the role name of an IAM role ARN, dropping any
// path: "arn:aws:iam::123456789012:role/service-role/x" -> "x". It reports
// false for anything that is not a role ARN with a valid name.
func RoleNameFromARN(roleARN string) (string, bool) {
	a, err := arn.Parse(roleARN)
	if err != nil || a.Service != "iam" {
		return "", false
	}
	rest, ok := strings.CutPrefix(a.Resource, "role/")
	if !ok {
		return "", false
	}
	name := rest[strings.LastIndex(rest, "/")+1:]
	if !roleName.MatchString(name) {
		return "", false
	}
	return name, true
}

// fetchRoles reads each role's trust policy, attached and inline policies,
// and the documents of the attached managed policies.
func (f *Fetcher) fetchRoles(ctx context.Context, arns []string, into map[string]facts.RoleFact) error {
	return lookupEach("IAM", f.iam != nil, arns, into, func(ref string) (facts.RoleFact, error) { return f.lookupRole(ctx, ref) })
}

// lookupRole reads one role. A malformed ARN, a role IAM does not know, or
// a role whose real ARN differs from ref (another path or account: IAM
// finds roles by name only) is Found=false.
func (f *Fetcher) lookupRole(ctx context.Context, ref string) (facts.RoleFact, error) {
	notFound := facts.RoleFact{Ref: ref}
	name, ok := RoleNameFromARN(ref)
	if !ok {
		return notFound, nil
	}
	gone := func(err error) bool { return tfawserr.ErrCodeEquals(err, "NoSuchEntity") }
	fail := func(what string, err error) (facts.RoleFact, error) {
		if gone(err) {
			return notFound, nil
		}
		return facts.RoleFact{}, fmt.Errorf("posture: %s of IAM role %q: %w", what, ref, err)
	}

	got, err := f.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		return fail("reading", err)
	}
	if got.Role == nil || !strings.EqualFold(aws.ToString(got.Role.Arn), ref) {
		return notFound, nil
	}

	raw := RoleDocuments{
		Ref:         ref,
		ARN:         aws.ToString(got.Role.Arn),
		Name:        aws.ToString(got.Role.RoleName),
		TrustPolicy: aws.ToString(got.Role.AssumeRolePolicyDocument),
	}
	if b := got.Role.PermissionsBoundary; b != nil {
		raw.Boundary = aws.ToString(b.PermissionsBoundaryArn)
	}
	attached := iam.NewListAttachedRolePoliciesPaginator(f.iam, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	for attached.HasMorePages() {
		page, err := attached.NextPage(ctx)
		if err != nil {
			return fail("listing attached policies", err)
		}
		for _, p := range page.AttachedPolicies {
			raw.AttachedPolicyARNs = append(raw.AttachedPolicyARNs, aws.ToString(p.PolicyArn))
		}
	}
	for _, policyARN := range raw.AttachedPolicyARNs {
		if BroadByName(policyARN) {
			continue // broad whatever its document says
		}
		doc, err := f.managedPolicyDocument(ctx, policyARN)
		if err != nil {
			// Not fail(): NoSuchEntity here is about the policy, not the role.
			return facts.RoleFact{}, fmt.Errorf("posture: reading managed policy %s attached to IAM role %q: %w", policyARN, ref, err)
		}
		if raw.ManagedPolicies == nil {
			raw.ManagedPolicies = map[string]string{}
		}
		raw.ManagedPolicies[policyARN] = doc
	}
	inline := iam.NewListRolePoliciesPaginator(f.iam, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
	for inline.HasMorePages() {
		page, err := inline.NextPage(ctx)
		if err != nil {
			return fail("listing inline policies", err)
		}
		for _, policyName := range page.PolicyNames {
			doc, err := f.iam.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(policyName)})
			if err != nil {
				return fail(fmt.Sprintf("reading inline policy %q", policyName), err)
			}
			if raw.InlinePolicies == nil {
				raw.InlinePolicies = map[string]string{}
			}
			raw.InlinePolicies[policyName] = aws.ToString(doc.PolicyDocument)
		}
	}
	return AssessRole(raw), nil
}

// managedPolicyDocument returns the document of a managed policy's default
// version: GetPolicy for the version ID, then GetPolicyVersion unless that
// version was read before.
func (f *Fetcher) managedPolicyDocument(ctx context.Context, policyARN string) (string, error) {
	policy, err := f.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(policyARN)})
	if err != nil {
		return "", err
	}
	if policy.Policy == nil || aws.ToString(policy.Policy.DefaultVersionId) == "" {
		return "", errors.New("IAM returned no default version")
	}
	version := aws.ToString(policy.Policy.DefaultVersionId)
	key := policyARN + "#" + version
	f.mu.Lock()
	doc, cached := f.policyVersions[key]
	f.mu.Unlock()
	if cached {
		return doc, nil
	}
	out, err := f.iam.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(policyARN), VersionId: aws.String(version)})
	if err != nil {
		return "", err
	}
	if out.PolicyVersion == nil || out.PolicyVersion.Document == nil {
		return "", fmt.Errorf("IAM returned no document for version %s", version)
	}
	doc = aws.ToString(out.PolicyVersion.Document)
	f.mu.Lock()
	f.policyVersions[key] = doc
	f.mu.Unlock()
	return doc, nil
}

// fetchBuckets reads each bucket's owner, default encryption and policy.
func (f *Fetcher) fetchBuckets(ctx context.Context, names []string, into map[string]facts.BucketFact) error {
	return lookupEach("S3", f.s3 != nil, names, into, func(name string) (facts.BucketFact, error) { return f.lookupBucket(ctx, name) })
}

// lookupBucket reads one bucket. An impossible bucket name or a bucket S3
// does not know is Found=false; no encryption configuration means not
// SSE-KMS, no policy means nothing is denied.
//
// Both reads carry ExpectedBucketOwner = the caller's account, so S3 itself
// refuses (403 AccessDenied) a bucket of another account. AccessDenied also
// means missing permissions, so the owner is settled by asking once more
// without ExpectedBucketOwner (foreignBucket).
func (f *Fetcher) lookupBucket(ctx context.Context, name string) (facts.BucketFact, error) {
	notFound := facts.BucketFact{Name: name}
	if !facts.ValidBucketName(name) {
		return notFound, nil
	}
	owner := f.expectedBucketOwner()
	enc, err := f.s3.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(name), ExpectedBucketOwner: owner})
	switch {
	case tfawserr.ErrCodeEquals(err, "NoSuchBucket"):
		return notFound, nil
	case owner != nil && tfawserr.ErrCodeEquals(err, "AccessDenied"):
		return f.foreignBucket(ctx, name, err)
	case tfawserr.ErrCodeEquals(err, "ServerSideEncryptionConfigurationNotFoundError"):
		enc = nil
	case err != nil:
		return facts.BucketFact{}, fmt.Errorf("posture: reading default encryption of S3 bucket %q: %w", name, err)
	}
	var policy string
	pol, err := f.s3.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(name), ExpectedBucketOwner: owner})
	switch {
	case tfawserr.ErrCodeEquals(err, "NoSuchBucket"):
		return notFound, nil
	case tfawserr.ErrCodeEquals(err, "NoSuchBucketPolicy"):
	case err != nil:
		return facts.BucketFact{}, fmt.Errorf("posture: reading policy of S3 bucket %q: %w", name, err)
	default:
		policy = aws.ToString(pol.Policy)
	}
	fact := AssessBucket(enc, policy)
	fact.Name = name
	fact.Found = true
	fact.OwnerChecked = owner != nil
	fact.OwnedByCaller = owner != nil
	return fact, nil
}

// expectedBucketOwner is the ExpectedBucketOwner of every bucket read: the
// caller's account, or nil when the Fetcher was given none.
func (f *Fetcher) expectedBucketOwner() *string {
	if f.account == "" {
		return nil
	}
	return aws.String(f.account)
}

// foreignBucket decides a bucket whose read with ExpectedBucketOwner was
// denied. If the same read without it is answered (or the bucket has no
// encryption configuration), only the owner made the difference: the
// bucket belongs to another account. Its encryption and policy are not
// recorded (GetBucketPolicy answers the owner's account only). If that is
// denied too, the caller may simply lack s3:GetEncryptionConfiguration, and
// the owner cannot be told: the lookup fails.
func (f *Fetcher) foreignBucket(ctx context.Context, name string, denied error) (facts.BucketFact, error) {
	_, err := f.s3.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(name)})
	switch {
	case err == nil, tfawserr.ErrCodeEquals(err, "ServerSideEncryptionConfigurationNotFoundError"):
		return facts.BucketFact{Name: name, Found: true, OwnerChecked: true}, nil
	case tfawserr.ErrCodeEquals(err, "NoSuchBucket"):
		return facts.BucketFact{Name: name}, nil
	}
	return facts.BucketFact{}, fmt.Errorf("posture: reading default encryption of S3 bucket %q with ExpectedBucketOwner %s: %w; "+
		"the caller cannot read it without ExpectedBucketOwner either, so whether the bucket belongs to this account cannot be told "+
		"(grant s3:GetEncryptionConfiguration on it): %w", name, f.account, denied, err)
}

// logGroupName matches a valid CloudWatch Logs group name.
var logGroupName = regexp.MustCompile(`^[.\-_/#A-Za-z0-9]{1,512}$`)

// fetchLogGroups finds each log group by exact name.
func (f *Fetcher) fetchLogGroups(ctx context.Context, names []string, into map[string]facts.LogGroupFact) error {
	return lookupEach("CloudWatch Logs", f.logs != nil, names, into, func(name string) (facts.LogGroupFact, error) { return f.lookupLogGroup(ctx, name) })
}

// lookupLogGroup lists the groups whose name starts with name and keeps the
// one whose name is exactly name; none, or an impossible name, is
// Found=false.
func (f *Fetcher) lookupLogGroup(ctx context.Context, name string) (facts.LogGroupFact, error) {
	notFound := facts.LogGroupFact{Name: name}
	if !logGroupName.MatchString(name) {
		return notFound, nil
	}
	pages := cloudwatchlogs.NewDescribeLogGroupsPaginator(f.logs, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(name)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return facts.LogGroupFact{}, fmt.Errorf("posture: describing log group %q: %w", name, err)
		}
		for _, lg := range page.LogGroups {
			if aws.ToString(lg.LogGroupName) == name {
				return AssessLogGroup(lg), nil
			}
		}
	}
	return notFound, nil
}

// fetchPolicies reads managed policies' default versions (the guardrails'
// permissions boundary) and judges them with AssessBoundary, and the roles
// their limited iam:PassRole and sts:AssumeRole reach (RoleReaches,
// uncappedRoles). A policy IAM
// does not know is Found=false.
func (f *Fetcher) fetchPolicies(ctx context.Context, arns []string, into map[string]facts.PolicyFact) error {
	var errs []error
	for _, a := range arns {
		doc, err := f.managedPolicyDocument(ctx, a)
		switch {
		case tfawserr.ErrCodeEquals(err, "NoSuchEntity"):
			into[a] = facts.PolicyFact{ARN: a}
		case err != nil:
			errs = append(errs, fmt.Errorf("reading managed policy %s: %w", a, err))
		default:
			stmts, err := ParsePolicyDocument(doc)
			if err != nil {
				errs = append(errs, fmt.Errorf("managed policy %s: %w", a, err))
				continue
			}
			fact := facts.PolicyFact{ARN: a, Found: true, Escapes: AssessBoundary(stmts, a), UnverifiedReach: UnverifiedReaches(stmts, a)}
			if reaches := RoleReaches(stmts, a); len(reaches) > 0 {
				fact.UncappedRoles, err = f.uncappedRoles(ctx, reaches, a)
				switch {
				case deniedRead(err):
					// A deployer policy older than this check: the rest
					// of the judgement stands, the roles are unread.
					fact.RolesUnread = err.Error()
				case err != nil:
					errs = append(errs, fmt.Errorf("SS-IAM-5: reading the roles the permissions boundary %s lets pass or assume: %w", a, err))
					continue
				}
			}
			if reaches := NotebookReaches(stmts, a); len(reaches) > 0 {
				fact.UnverifiedReach = append(fact.UnverifiedReach, OtherRegions(reaches, f.notebookRegion)...)
				fact.UncappedNotebooks, err = f.uncappedNotebooks(ctx, reaches, a)
				switch {
				case deniedRead(err):
					fact.NotebooksUnread = err.Error()
				case err != nil:
					errs = append(errs, fmt.Errorf("SS-IAM-5: reading the notebook instances the permissions boundary %s lets open: %w", a, err))
					continue
				}
			}
			into[a] = fact
		}
	}
	return errors.Join(errs...)
}

// deniedRead reports whether err is IAM's or SageMaker's refusal of a read
// (AccessDenied, AccessDeniedException): a deployer policy older than the
// check that needs it.
func deniedRead(err error) bool {
	return tfawserr.ErrCodeEquals(err, "AccessDenied", "AccessDeniedException")
}

// uncappedNotebooks lists the account's notebook instances
// (sagemaker:ListNotebookInstances, which does not say their roles), reads
// the role of each one reaches reach (DescribeNotebookInstance) and the
// boundary of each such role (iam:GetRole): the notebook instances a
// boundary's presigned notebook URLs reach that run as a role it does not
// cap (UncappedNotebooks). An instance or role deleted between the calls
// reaches nothing; a role IAM no longer knows counts as uncapped (its
// notebook cannot start, but an attacker may recreate the role).
func (f *Fetcher) uncappedNotebooks(ctx context.Context, reaches []RoleReach, boundaryARN string) ([]string, error) {
	if f.notebooks == nil {
		return nil, errors.New("no SageMaker client configured")
	}
	notebooks, boundaries := map[string]string{}, map[string]string{}
	pages := sagemaker.NewListNotebookInstancesPaginator(f.notebooks, &sagemaker.ListNotebookInstancesInput{MaxResults: aws.Int32(100)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing notebook instances: %w", err)
		}
		for _, nb := range page.NotebookInstances {
			if !Reached(reaches, aws.ToString(nb.NotebookInstanceArn)) {
				continue
			}
			got, err := f.notebooks.DescribeNotebookInstance(ctx, &sagemaker.DescribeNotebookInstanceInput{NotebookInstanceName: nb.NotebookInstanceName})
			switch {
			case notebookGone(err):
				continue
			case err != nil:
				return nil, fmt.Errorf("reading notebook instance %s: %w", aws.ToString(nb.NotebookInstanceName), err)
			}
			role := aws.ToString(got.RoleArn)
			notebooks[aws.ToString(nb.NotebookInstanceArn)] = role
			if _, read := boundaries[role]; read {
				continue
			}
			// A role IAM does not know stays "": uncapped.
			boundary, _, err := f.roleBoundary(ctx, role[strings.LastIndex(role, "/")+1:])
			if err != nil {
				return nil, err
			}
			boundaries[role] = boundary
		}
	}
	return UncappedNotebooks(reaches, notebooks, boundaries, boundaryARN), nil
}

// notebookGone reports whether SageMaker says the notebook instance does
// not exist: AWS answers ValidationException "RecordNotFound" (moto too).
func notebookGone(err error) bool {
	var rnf *smtypes.ResourceNotFound
	return errors.As(err, &rnf) || tfawserr.ErrMessageContains(err, "ValidationException", "RecordNotFound")
}

// roleBoundary returns the permissions boundary ARN of the role name ("" for
// none; found false when IAM does not know the role).
func (f *Fetcher) roleBoundary(ctx context.Context, name string) (boundary string, found bool, err error) {
	got, err := f.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	switch {
	case tfawserr.ErrCodeEquals(err, "NoSuchEntity"):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("reading role %s: %w", name, err)
	case got.Role == nil:
		return "", false, fmt.Errorf("reading role %s: IAM answered without the role", name)
	case got.Role.PermissionsBoundary == nil:
		return "", true, nil
	}
	return aws.ToString(got.Role.PermissionsBoundary.PermissionsBoundaryArn), true, nil
}

// uncappedRoles lists the account's roles (iam:ListRoles, which does not
// say their boundaries) and reads the boundary of each one reaches reach
// (iam:GetRole): the roles a boundary's iam:PassRole or sts:AssumeRole
// reaches that do not carry it (UncappedRoles). A role deleted between the
// two calls reaches nothing.
func (f *Fetcher) uncappedRoles(ctx context.Context, reaches []RoleReach, boundaryARN string) ([]string, error) {
	boundaries := map[string]string{}
	pages := iam.NewListRolesPaginator(f.iam, &iam.ListRolesInput{MaxItems: aws.Int32(1000)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing roles: %w", err)
		}
		for _, r := range page.Roles {
			if !Reached(reaches, aws.ToString(r.Arn)) {
				continue
			}
			boundary, found, err := f.roleBoundary(ctx, aws.ToString(r.RoleName))
			switch {
			case err != nil:
				return nil, err
			case found:
				boundaries[aws.ToString(r.Arn)] = boundary
			}
		}
	}
	return UncappedRoles(reaches, boundaries, boundaryARN), nil
}
