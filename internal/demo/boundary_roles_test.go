package main

import (
	"fmt"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
)

// goldenRolePolicies renders the policy of every role sagesafe makes in the
// golden path (modules/golden-path), as the resources render them, with
// made-up IDs of account: what the boundary must let through.
func goldenRolePolicies(account string) (map[string]iampolicy.Document, error) {
	const partition, bucket, name = "aws", "golden-path-data", "golden-path"
	key := fmt.Sprintf("arn:aws:kms:%s:%s:key/11111111-2222-3333-4444-555555555555", region, account)
	subnets, groups := []string{"subnet-0123456789abcdef0", "subnet-0123456789abcdef1"}, []string{"sg-0123456789abcdef0"}
	role := func(n string) string { return fmt.Sprintf("arn:aws:iam::%s:role/%s-%s", account, name, n) }
	out := map[string]iampolicy.Document{}
	add := func(n string, d iampolicy.Document, err error) error {
		if err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
		out[n] = d
		return nil
	}
	for _, r := range []struct {
		purpose     iampolicy.Purpose
		read, write []string
	}{
		{iampolicy.PurposeTraining, []string{"training/"}, []string{"models/"}},
		{iampolicy.PurposeInference, []string{"models/"}, []string{"capture/"}},
		{iampolicy.PurposeProcessing, []string{"training/", "capture/"}, []string{"monitoring/"}},
	} {
		d, err := iampolicy.ExecutionPolicy(iampolicy.RoleSpec{Partition: partition, Region: region, AccountID: account, Purpose: r.purpose,
			S3ReadURIs: uris(bucket, r.read), S3WriteURIs: uris(bucket, r.write), KMSKeyARNs: []string{key},
			SubnetIDs: subnets, SecurityGroupIDs: groups})
		if err := add("execution role "+string(r.purpose), d, err); err != nil {
			return nil, err
		}
	}
	ds, _, err := iampolicy.PersonaPolicy(iampolicy.PersonaSpec{Persona: iampolicy.PersonaDataScientist, Partition: partition, Region: region, AccountID: account,
		SubnetIDs: subnets, SecurityGroupIDs: groups, KMSKeyARN: key, ExecutionRoleARNs: []string{role("training")},
		S3ReadURIs: uris(bucket, []string{"training/"}), S3WriteURIs: uris(bucket, []string{"experiments/"}), AccountPrincipals: []string{account}})
	if err := add("data scientists", ds, err); err != nil {
		return nil, err
	}
	mr, _, err := iampolicy.PersonaPolicy(iampolicy.PersonaSpec{Persona: iampolicy.PersonaModelReviewer, Partition: partition, Region: region, AccountID: account,
		S3ReadURIs: uris(bucket, []string{"models/"}), AccountPrincipals: []string{account}})
	if err := add("model reviewers", mr, err); err != nil {
		return nil, err
	}
	fl, err := iampolicy.FlowLogsPolicy(partition, region, account, "/aws/vpc/flow-logs/"+name)
	if err := add("flow-log delivery role", fl, err); err != nil {
		return nil, err
	}
	tr, err := iampolicy.TrailLogsPolicy(partition, region, account, "aws-cloudtrail-logs-"+name+"-audit")
	if err := add("trail delivery role", tr, err); err != nil {
		return nil, err
	}
	sc, err := iampolicy.SchedulerPolicy(iampolicy.SchedulerRoleSpec{Partition: partition, Region: region, AccountID: account,
		ScheduleName: name + "-drift", JobNamePrefix: name + "-drift-", ExecutionRoleARN: role("processing"),
		SubnetIDs: subnets, SecurityGroupIDs: groups, KMSKeyARN: key, InstanceType: "ml.m5.xlarge"})
	if err := add("monitor scheduler role", sc, err); err != nil {
		return nil, err
	}
	return out, nil
}

func uris(bucket string, prefixes []string) []string {
	out := make([]string, len(prefixes))
	for i, p := range prefixes {
		out[i] = "s3://" + bucket + "/" + p
	}
	return out
}
