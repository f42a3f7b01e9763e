package iampolicy

import (
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// RecoverPersonaSpec reads a persona role's inputs back from the documents
// PersonaPolicy and PersonaTrust wrote, by their Sids, for import. The
// persona is the one whose default activities the policy has, the largest
// such set first (s3_bucket_access writes nothing without URIs, so it is
// not required); the other activities become ExtraActivities. S3 locations
// come back normalized, and a read location inside a write location is
// indistinguishable from it; both render the same policy. Documents
// sagesafe did not generate yield what matches (often nothing). Partition,
// region and account are left to the caller.
func RecoverPersonaSpec(trust, policy string) PersonaSpec {
	var spec PersonaSpec
	present := map[string]bool{}
	if doc, err := Parse(policy); err == nil {
		var read, write []string
		for _, s := range doc.Statement {
			recoverStatement(&spec, s, present, &read, &write)
		}
		recoverActivities(doc.Statement, present)
		for _, a := range write {
			if uri, ok := ObjectARNToURI(a); ok {
				spec.S3WriteURIs = append(spec.S3WriteURIs, uri)
			}
		}
		for _, a := range read {
			if uri, ok := ObjectARNToURI(a); ok && !slices.Contains(write, a) {
				spec.S3ReadURIs = append(spec.S3ReadURIs, uri)
			}
		}
	}
	spec.Persona, spec.ExtraActivities = recoverPersona(present)
	if doc, err := Parse(trust); err == nil {
		for _, s := range doc.Statement {
			switch s.Sid {
			case "AssumeWithMFA":
				spec.AccountPrincipals = append(spec.AccountPrincipals, s.Principal["AWS"]...)
			case "AssumeWithSAML":
				if f := s.Principal["Federated"]; len(f) == 1 {
					spec.SAMLProviderARN = f[0]
				}
			}
		}
	}
	for _, l := range []*[]string{&spec.SubnetIDs, &spec.SecurityGroupIDs, &spec.ExecutionRoleARNs,
		&spec.S3ReadURIs, &spec.S3WriteURIs, &spec.AccountPrincipals} {
		*l = normalize(*l)
	}
	return spec
}

// recoverStatement reads one statement's inputs; present collects
// s3_bucket_access when its statements appear.
func recoverStatement(spec *PersonaSpec, s Statement, present map[string]bool, read, write *[]string) {
	switch s.Sid {
	case "DenyUnapprovedSubnets":
		spec.SubnetIDs = s.Condition["ForAnyValue:StringNotEquals"]["sagemaker:VpcSubnets"]
	case "DenyUnapprovedSecurityGroups":
		spec.SecurityGroupIDs = s.Condition["ForAnyValue:StringNotEquals"]["sagemaker:VpcSecurityGroupIds"]
	case "AllowUseViaSageMakerAndS3":
		if len(s.Resource) == 1 {
			spec.KMSKeyARN = s.Resource[0]
		}
	case "PassExecutionRoles":
		spec.ExecutionRoleARNs = s.Resource
	case "StudioOwnProfile":
		if len(s.Resource) == 1 {
			if a, err := arn.Parse(s.Resource[0]); err == nil {
				spec.StudioDomainID, _, _ = strings.Cut(strings.TrimPrefix(a.Resource, "user-profile/"), "/")
			}
		}
	case "S3ReadObjects":
		*read = s.Resource
		present[ActivityS3BucketAccess] = true
	case "S3WriteObjects":
		*write = s.Resource
	}
}

// recoverActivities marks the activities whose every grant the policy
// holds.
func recoverActivities(stmts []Statement, present map[string]bool) {
	for _, a := range activities {
		held := func(g grant) bool { return slices.ContainsFunc(stmts, func(s Statement) bool { return grantIn(g, s) }) }
		if len(a.grants) > 0 && !slices.ContainsFunc(a.grants, func(g grant) bool { return !held(g) }) {
			present[a.id] = true
		}
	}
}

// grantIn reports whether s holds g: a conditioned grant by its Sid, an
// unconditioned one by all its actions in the shared statement.
func grantIn(g grant, s Statement) bool {
	if g.condition != nil {
		return s.Sid == g.sid
	}
	return s.Sid == sidPlainGrants && !slices.ContainsFunc(g.actions, func(a string) bool { return !slices.Contains(s.Action, a) })
}

func recoverPersona(present map[string]bool) (Persona, []string) {
	var best Persona
	for _, p := range slices.Sorted(maps.Keys(personaDefaults)) {
		covered := !slices.ContainsFunc(personaDefaults[p], func(id string) bool {
			return id != ActivityS3BucketAccess && !present[id]
		})
		if covered && (best == "" || len(personaDefaults[p]) > len(personaDefaults[best])) {
			best = p
		}
	}
	if best == "" {
		return "", nil
	}
	var extra []string
	for _, a := range activities {
		if present[a.id] && !slices.Contains(personaDefaults[best], a.id) {
			extra = append(extra, a.id)
		}
	}
	return best, extra
}

// ObjectARNToURI turns arn:<partition>:s3:::bucket/prefix* back into
// s3://bucket/prefix (the whole bucket, bucket/*, becomes s3://bucket).
func ObjectARNToURI(objectARN string) (string, bool) {
	a, err := arn.Parse(objectARN)
	if err != nil || a.Service != "s3" || a.Region != "" || a.AccountID != "" || !strings.HasSuffix(a.Resource, "*") {
		return "", false
	}
	bucket, prefix, _ := strings.Cut(strings.TrimSuffix(a.Resource, "*"), "/")
	if prefix == "" {
		return "s3://" + bucket, true
	}
	return "s3://" + bucket + "/" + prefix, true
}
