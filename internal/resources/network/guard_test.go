package network

import (
	"slices"
	"strings"
	"testing"

	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/awsclient"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/guardrail"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/providerdata"
)

// liveFindings evaluates the live subject and returns the findings of the
// controls that need no posture facts (SS-NET-7, SS-NET-8, SS-MON-5).
func liveFindings(t *testing.T, s spec, l *live) (*guardrail.Subject, map[string][]guardrail.Finding) {
	t.Helper()
	d := &providerdata.Data{AWS: &awsclient.Client{Region: s.Region, Partition: s.Partition, AccountID: s.AccountID}}
	sub, _ := liveSubject(d, s, l)
	out := map[string][]guardrail.Finding{}
	for _, f := range guardrail.Evaluate(sub, guardrail.DefaultPolicy()) {
		if slices.Contains([]string{"SS-NET-7", "SS-NET-8", "SS-MON-5"}, f.Control) {
			out[f.Control] = append(out[f.Control], f)
		}
	}
	return sub, out
}

func TestLiveSubjectSecureNetwork(t *testing.T) {
	s := testSpec()
	sub, found := liveFindings(t, s, secureLive(t, s))
	if len(found) != 0 {
		t.Fatalf("findings on a secure network: %+v", found)
	}
	if !sub.DefaultSecurityGroupRules.IsKnown() || !sub.MissingInterfaceEndpoints.IsKnown() || !sub.FlowLog.IsKnown() {
		t.Fatalf("live subject leaves network fields unknown: %+v", sub)
	}
	if sub.FlowLog.V.Recording != "fl-1" || sub.FlowLog.V.LogGroup != s.logGroupName() {
		t.Errorf("flow log state %+v", sub.FlowLog.V)
	}
}

func TestLiveSubjectWeakenedNetwork(t *testing.T) {
	s := testSpec()
	l := secureLive(t, s)
	l.DefaultSG.IpPermissions = permissions([]rule{{Proto: "tcp", From: 3389, To: 3389, Peer: "0.0.0.0/0"}})
	delete(l.Interfaces, "sagemaker.runtime")
	l.FlowLogs[0].TrafficType = ec2types.TrafficTypeReject
	_, found := liveFindings(t, s, l)
	for id, want := range map[string]string{
		"SS-NET-7": "inbound tcp 3389 0.0.0.0/0",
		"SS-NET-8": "com.amazonaws.us-east-1.sagemaker.runtime",
		"SS-MON-5": "fl-1 (traffic REJECT to /sagesafe/network/ml/flow-logs)",
	} {
		if len(found[id]) != 1 {
			t.Errorf("%s: %d findings, want 1: %+v", id, len(found[id]), found[id])
			continue
		}
		f := found[id][0]
		if !strings.Contains(f.Summary+" "+f.Evidence, want) {
			t.Errorf("%s finding does not mention %q: %s / %s", id, want, f.Summary, f.Evidence)
		}
		if p := paths(nil).For(f); id != "SS-NET-7" && len(p.Steps()) == 0 {
			t.Errorf("%s finding has no attribute path", id)
		}
	}

	// The flow log deleted outright.
	l.FlowLogs = nil
	_, found = liveFindings(t, s, l)
	if len(found["SS-MON-5"]) != 1 || !strings.Contains(found["SS-MON-5"][0].Evidence, "no flow logs") {
		t.Errorf("SS-MON-5 with no flow logs: %+v", found["SS-MON-5"])
	}
}
