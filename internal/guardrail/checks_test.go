package guardrail

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
)

// caseKind is what a check case demonstrates; every control needs all three.
type caseKind string

const (
	passes   caseKind = "pass"    // compliant: no finding
	fails    caseKind = "fail"    // the findings in want
	unknowns caseKind = "unknown" // a value known only after apply (or a fact not fetched): skipped
	// idle: nothing to check (the guardrails require nothing, the workload
	// has none of what the check looks at, or the object is another
	// control's finding): no finding, and the check says so, so the control
	// is not checked rather than held.
	idle caseKind = "nothing"
)

// exp is one expected finding: severity, index, object, and a substring of
// its summary or evidence.
type exp struct {
	sev   Severity
	index int
	obj   string
	text  string
}

func errAt(index int, obj, text string) exp  { return exp{SeverityError, index, obj, text} }
func warnAt(index int, obj, text string) exp { return exp{SeverityWarning, index, obj, text} }

type checkCase struct {
	id   string
	kind caseKind
	name string
	base func() *Subject
	mut  func(s *Subject, p *Policy)
	want []exp
	// reason: for an idle case, a substring of the skip's reason.
	reason string
}

func pass(id, name string, base func() *Subject, mut func(*Subject, *Policy)) checkCase {
	return checkCase{id: id, kind: passes, name: name, base: base, mut: mut}
}

func fail(id, name string, base func() *Subject, mut func(*Subject, *Policy), want ...exp) checkCase {
	return checkCase{id: id, kind: fails, name: name, base: base, mut: mut, want: want}
}

func unknown(id, name string, base func() *Subject, mut func(*Subject, *Policy)) checkCase {
	return checkCase{id: id, kind: unknowns, name: name, base: base, mut: mut}
}

// nothing is a case with nothing to check; reason is a substring of the
// skip's reason.
func nothing(id, name string, base func() *Subject, mut func(*Subject, *Policy), reason string) checkCase {
	return checkCase{id: id, kind: idle, name: name, base: base, mut: mut, reason: reason}
}

// Mutation helpers.

func subnet(id string, edit func(*facts.SubnetFact)) func(*Subject, *Policy) {
	return func(s *Subject, _ *Policy) {
		f := s.Facts.Subnets[id]
		edit(&f)
		s.Facts.Subnets[id] = f
	}
}

// publicRoute is what posture.AssessSubnet makes of a main table with a
// default route to an internet gateway.
func publicRoute(f *facts.SubnetFact) {
	f.Private = false
	f.RouteTableIsMain = true
	f.Routes = append(f.Routes, facts.Route{Destination: "0.0.0.0/0", Target: "igw-0123"})
	f.Reasons = append(f.Reasons, "route table rtb-1 (the main table of vpc-1; the subnet has no explicit association) sends 0.0.0.0/0 to internet gateway igw-0123 (a default route leaves the VPC; only the local route may be the default); remove that route")
}

// egressTo gives sg-1 the outbound rules to public destinations, as
// posture.AssessSecurityGroup reports them.
func egressTo(rules ...facts.EgressRule) func(*Subject, *Policy) {
	return secGroup(func(f *facts.SecurityGroupFact) { f.PublicEgress = rules })
}

func secGroup(edit func(*facts.SecurityGroupFact)) func(*Subject, *Policy) {
	return func(s *Subject, _ *Policy) {
		f := s.Facts.SecurityGroups["sg-1"]
		edit(&f)
		s.Facts.SecurityGroups["sg-1"] = f
	}
}

func key(edit func(*facts.KeyFact)) func(*Subject, *Policy) {
	return func(s *Subject, _ *Policy) {
		f := s.Facts.Keys[testKey]
		edit(&f)
		s.Facts.Keys[testKey] = f
	}
}

func role(edit func(*facts.RoleFact)) func(*Subject, *Policy) {
	return func(s *Subject, _ *Policy) {
		f := s.Facts.Roles[testRole]
		edit(&f)
		s.Facts.Roles[testRole] = f
	}
}

func bucket(edit func(*facts.BucketFact)) func(*Subject, *Policy) {
	return func(s *Subject, _ *Policy) {
		f := s.Facts.Buckets["churn-data"]
		edit(&f)
		s.Facts.Buckets["churn-data"] = f
	}
}

// theirs is what posture records for a bucket of another account: found,
// owner asked, not the caller's, nothing else read.
func theirs(f *facts.BucketFact) {
	*f = facts.BucketFact{Name: f.Name, Found: true, OwnerChecked: true}
}

func firstAlarm(edit func(*Alarm)) func(*Subject, *Policy) {
	return func(s *Subject, _ *Policy) {
		alarms := append([]Alarm(nil), s.Alarms.V...)
		edit(&alarms[0])
		s.Alarms = facts.Known(alarms)
	}
}

func both(a, b func(*Subject, *Policy)) func(*Subject, *Policy) {
	return func(s *Subject, p *Policy) { a(s, p); b(s, p) }
}

func strict(_ *Subject, p *Policy) { p.StrictDataBuckets = true }

const otherKey = "arn:aws:kms:eu-west-1:111122223333:key/99999999-0000-0000-0000-000000000000"

var checkCases = []checkCase{
	// SS-NET-1
	pass("SS-NET-1", "training job in a VPC", training, nil),
	nothing("SS-NET-1", "preflight not asked", preflight, nil, "subnet_ids was not given"),
	fail("SS-NET-1", "no subnets", training, func(s *Subject, _ *Policy) { s.SubnetIDs = facts.Null[[]string]() },
		errAt(-1, "", "subnet_ids is not set")),
	fail("SS-NET-1", "empty security groups", endpoint, func(s *Subject, _ *Policy) { s.SecurityGroupIDs = facts.Known([]string{}) },
		errAt(-1, "", "has no security groups")),
	fail("SS-NET-1", "preflight asked with empty subnets", preflight, func(s *Subject, _ *Policy) { s.SubnetIDs = facts.Known([]string{}) },
		errAt(-1, "", "subnet_ids is empty")),
	unknown("SS-NET-1", "subnets and groups unknown", training, func(s *Subject, _ *Policy) {
		s.SubnetIDs, s.SecurityGroupIDs = facts.Unknown[[]string](), facts.Unknown[[]string]()
	}),
	pass("SS-NET-1", "subnets and group of one VPC, a missing subnet left to SS-NET-2", training, func(s *Subject, _ *Policy) {
		s.SubnetIDs = facts.Known([]string{"subnet-a", "subnet-gone"})
		s.Facts.Subnets["subnet-gone"] = facts.SubnetFact{ID: "subnet-gone"}
	}),
	fail("SS-NET-1", "security group of another VPC", training, secGroup(func(f *facts.SecurityGroupFact) { f.VPCID = "vpc-2" }),
		errAt(0, "sg-1", "more than one VPC: subnet subnet-a (vpc-1), subnet subnet-b (vpc-1), security group sg-1 (vpc-2).")),
	fail("SS-NET-1", "subnets of two VPCs", endpoint, subnet("subnet-b", func(f *facts.SubnetFact) { f.VPCID = "vpc-2" }),
		errAt(1, "subnet-b", "subnet subnet-b is in vpc-2, another VPC than subnet subnet-a (vpc-1)")),
	fail("SS-NET-1", "preflight asked for a subnet and a group of two VPCs", preflight, both(
		func(s *Subject, _ *Policy) {
			s.SubnetIDs, s.SecurityGroupIDs = facts.Known([]string{"subnet-a"}), facts.Known([]string{"sg-1"})
		}, secGroup(func(f *facts.SecurityGroupFact) { f.VPCID = "vpc-2" })),
		errAt(0, "sg-1", "security group sg-1 is in vpc-2")),
	unknown("SS-NET-1", "VPC of a group not looked up yet", training, func(s *Subject, _ *Policy) {
		s.SecurityGroupIDs = facts.Known([]string{"sg-1", "sg-later"})
	}),

	// SS-NET-2
	pass("SS-NET-2", "private subnets", training, nil),
	fail("SS-NET-2", "igw route via the main table", training, subnet("subnet-b", publicRoute),
		errAt(1, "subnet-b", "rtb-1 (the main table of vpc-1; the subnet has no explicit association) sends 0.0.0.0/0 to internet gateway igw-0123 (a default route leaves the VPC; only the local route may be the default); remove that route.")),
	fail("SS-NET-2", "NAT default route: the evidence names the route, the target and the fix", training, subnet("subnet-a", func(f *facts.SubnetFact) {
		f.Private = false
		f.Routes = append(f.Routes, facts.Route{Destination: "0.0.0.0/0", Target: "nat-0456"})
		f.Reasons = []string{"route table rtb-1 sends 0.0.0.0/0 to NAT gateway nat-0456 (a default route leaves the VPC; only the local route may be the default); remove that route"}
	}), errAt(0, "subnet-a", "sends 0.0.0.0/0 to NAT gateway nat-0456 (a default route leaves the VPC; only the local route may be the default); remove that route")),
	fail("SS-NET-2", "public IP on launch", network, subnet("subnet-a", func(f *facts.SubnetFact) {
		f.Private, f.MapPublicIPOnLaunch = false, true
		f.Reasons = []string{"subnet subnet-a assigns a public IPv4 address to every network interface launched in it (MapPublicIpOnLaunch is true)"}
	}), errAt(0, "subnet-a", "MapPublicIpOnLaunch is true")),
	fail("SS-NET-2", "reason from the assessment only", training, subnet("subnet-a", func(f *facts.SubnetFact) {
		f.Private, f.Reasons = false, []string{"AssignIpv6AddressOnCreation is true with route ::/0 to igw-9."}
	}), errAt(0, "subnet-a", "AssignIpv6AddressOnCreation is true with route ::/0 to igw-9.")),
	fail("SS-NET-2", "subnet does not exist", training, func(s *Subject, _ *Policy) {
		s.SubnetIDs = facts.Known([]string{"subnet-a", "subnet-gone"})
		s.Facts.Subnets["subnet-gone"] = facts.SubnetFact{ID: "subnet-gone"}
	}, errAt(1, "subnet-gone", "subnet subnet-gone does not exist")),
	fail("SS-NET-2", "preflight subnet", preflight, both(
		func(s *Subject, _ *Policy) { s.SubnetIDs = facts.Known([]string{"subnet-a"}) }, subnet("subnet-a", publicRoute)),
		errAt(0, "subnet-a", "igw-0123")),
	unknown("SS-NET-2", "subnets unknown", training, both(
		func(s *Subject, _ *Policy) { s.SubnetIDs = facts.Unknown[[]string]() }, subnet("subnet-a", publicRoute))),
	unknown("SS-NET-2", "subnet not fetched", training, func(s *Subject, _ *Policy) { s.SubnetIDs = facts.Known([]string{"subnet-new"}) }),

	// SS-NET-3
	pass("SS-NET-3", "closed group", endpoint, nil),
	fail("SS-NET-3", "open ingress", training, secGroup(func(f *facts.SecurityGroupFact) {
		f.OpenIngress = []string{"tcp/22 from 0.0.0.0/0", "tcp/443 from ::/0"}
	}), errAt(0, "sg-1", "It allows tcp/22 from 0.0.0.0/0; tcp/443 from ::/0.")),
	fail("SS-NET-3", "ingress from public ranges in pieces and a public prefix list", endpoint, secGroup(func(f *facts.SecurityGroupFact) {
		f.OpenIngress = []string{"tcp 22 from 0.0.0.0/1", "tcp 22 from 128.0.0.0/1", "tcp 443 from prefix list pl-9 (it holds the public range 52.216.0.0/15)"}
	}), errAt(0, "sg-1", "It allows tcp 22 from 0.0.0.0/1; tcp 22 from 128.0.0.0/1; tcp 443 from prefix list pl-9 (it holds the public range 52.216.0.0/15). Remove these rules")),
	fail("SS-NET-3", "egress to public addresses warns for a given group", training, egressTo(facts.EgressRule{Rule: "all traffic to 0.0.0.0/0"}),
		warnAt(0, "sg-1", "It allows all traffic to 0.0.0.0/0.")),
	fail("SS-NET-3", "egress to public addresses fails a group sagesafe_network created", network, egressTo(facts.EgressRule{Rule: "tcp 443 to 8.8.8.0/24"}),
		errAt(0, "sg-1", "It allows tcp 443 to 8.8.8.0/24.")),
	pass("SS-NET-3", "egress to a prefix list every subnet routes to a gateway endpoint", network,
		egressTo(facts.EgressRule{Rule: "tcp 443 to prefix list pl-6da54004 (it holds the public range 52.216.0.0/15)", PrefixList: "pl-6da54004"})),
	fail("SS-NET-3", "egress to a public prefix list one subnet does not route to a gateway endpoint", network, both(
		egressTo(facts.EgressRule{Rule: "tcp 443 to prefix list pl-6da54004 (it holds the public range 52.216.0.0/15)", PrefixList: "pl-6da54004"}),
		subnet("subnet-b", func(f *facts.SubnetFact) { f.Routes = f.Routes[:1] })),
		errAt(0, "sg-1", "tcp 443 to prefix list pl-6da54004")),
	fail("SS-NET-3", "egress to a public prefix list without subnets to route it", preflight, both(
		func(s *Subject, _ *Policy) { s.SecurityGroupIDs = facts.Known([]string{"sg-1"}) },
		egressTo(facts.EgressRule{Rule: "tcp 443 to prefix list pl-6da54004 (it holds the public range 52.216.0.0/15)", PrefixList: "pl-6da54004"})),
		warnAt(0, "sg-1", "tcp 443 to prefix list pl-6da54004")),
	fail("SS-NET-3", "group does not exist", training, func(s *Subject, _ *Policy) {
		s.SecurityGroupIDs = facts.Known([]string{"sg-gone"})
		s.Facts.SecurityGroups["sg-gone"] = facts.SecurityGroupFact{ID: "sg-gone"}
	}, errAt(0, "sg-gone", "No security group sg-gone was found in eu-west-1")),
	unknown("SS-NET-3", "groups unknown", training, both(
		func(s *Subject, _ *Policy) { s.SecurityGroupIDs = facts.Unknown[[]string]() },
		secGroup(func(f *facts.SecurityGroupFact) { f.OpenIngress = []string{"all from 0.0.0.0/0"} }))),

	// SS-NET-4
	pass("SS-NET-4", "isolated endpoint", endpoint, nil),
	fail("SS-NET-4", "isolation off", training, func(s *Subject, _ *Policy) { s.NetworkIsolation = facts.Known(false) },
		errAt(-1, "", "EnableNetworkIsolation is false on training job \"churn\"")),
	fail("SS-NET-4", "isolation unset", endpoint, func(s *Subject, _ *Policy) { s.NetworkIsolation = facts.Null[bool]() },
		errAt(-1, "", "EnableNetworkIsolation is not set")),
	unknown("SS-NET-4", "isolation unknown", training, func(s *Subject, _ *Policy) { s.NetworkIsolation = facts.Unknown[bool]() }),

	// SS-NET-5
	pass("SS-NET-5", "two zones", endpoint, nil),
	nothing("SS-NET-5", "missing subnets are SS-NET-2's", endpoint, func(s *Subject, _ *Policy) {
		s.Facts.Subnets = map[string]facts.SubnetFact{"subnet-a": {ID: "subnet-a"}, "subnet-b": {ID: "subnet-b"}}
	}, "none of the subnets exists (SS-NET-2)"),
	fail("SS-NET-5", "one zone", endpoint, subnet("subnet-b", func(f *facts.SubnetFact) { f.AvailabilityZone = "eu-west-1a" }),
		errAt(-1, "", "subnet-a (eu-west-1a), subnet-b (eu-west-1a)")),
	unknown("SS-NET-5", "subnets unknown", endpoint, func(s *Subject, _ *Policy) { s.SubnetIDs = facts.Unknown[[]string]() }),
	unknown("SS-NET-5", "second subnet not fetched", endpoint, func(s *Subject, _ *Policy) {
		s.SubnetIDs = facts.Known([]string{"subnet-a", "subnet-new"})
	}),

	// SS-NET-6
	pass("SS-NET-6", "S3 gateway route", training, nil),
	nothing("SS-NET-6", "a missing subnet is SS-NET-2's", training, func(s *Subject, _ *Policy) {
		s.Facts.Subnets["subnet-a"] = facts.SubnetFact{ID: "subnet-a"}
	}, "subnet subnet-a does not exist (SS-NET-2)"),
	fail("SS-NET-6", "no S3 route", training, subnet("subnet-a", func(f *facts.SubnetFact) {
		f.HasS3GatewayRoute = false
		f.Routes = []facts.Route{{Destination: "10.0.0.0/16", Target: "local"}, {Destination: "0.0.0.0/0", Target: "nat-1"}}
	}), warnAt(0, "subnet-a", "its routes are 10.0.0.0/16 -> local, 0.0.0.0/0 -> nat-1")),
	unknown("SS-NET-6", "subnets unknown", training, both(
		func(s *Subject, _ *Policy) { s.SubnetIDs = facts.Unknown[[]string]() },
		subnet("subnet-a", func(f *facts.SubnetFact) { f.HasS3GatewayRoute = false }))),

	// SS-NET-7
	pass("SS-NET-7", "default group stripped", network, func(s *Subject, _ *Policy) {
		s.DefaultSecurityGroupID, s.DefaultSecurityGroupRules = "sg-default", facts.Known([]string{})
	}),
	unknown("SS-NET-7", "not observed", network, nil),
	fail("SS-NET-7", "rules on the default group", network, func(s *Subject, _ *Policy) {
		s.DefaultSecurityGroupID = "sg-default"
		s.DefaultSecurityGroupRules = facts.Known([]string{"inbound tcp 3389 0.0.0.0/0", "outbound all traffic 0.0.0.0/0"})
	}, errAt(-1, "sg-default", "It has the rules inbound tcp 3389 0.0.0.0/0; outbound all traffic 0.0.0.0/0.")),
	unknown("SS-NET-7", "rules unknown at plan", network, func(s *Subject, _ *Policy) {
		s.DefaultSecurityGroupRules = facts.Unknown[[]string]()
	}),

	// SS-DATA-2 on a network: its S3 gateway endpoint's policy
	pass("SS-DATA-2", "gateway policy of this account only", network, func(s *Subject, _ *Policy) { s.OpenS3Gateways = facts.Known([]string{}) }),
	fail("SS-DATA-2", "gateway policy put back to allow-all", network, func(s *Subject, _ *Policy) {
		s.OpenS3Gateways = facts.Known([]string{"vpce-0s3"})
	}, errAt(0, "vpce-0s3", "can write to or read from any account's bucket")),
	unknown("SS-DATA-2", "gateway not observed (plan)", network, nil),

	// SS-NET-8
	pass("SS-NET-8", "every endpoint exists", network, func(s *Subject, _ *Policy) { s.MissingInterfaceEndpoints = facts.Known([]string{}) }),
	fail("SS-NET-8", "endpoints deleted", network, func(s *Subject, _ *Policy) {
		s.MissingInterfaceEndpoints = facts.Known([]string{"com.amazonaws.eu-west-1.sagemaker.runtime", "com.amazonaws.eu-west-1.kms"})
	},
		errAt(0, "com.amazonaws.eu-west-1.sagemaker.runtime", "the interface endpoint for com.amazonaws.eu-west-1.sagemaker.runtime is missing"),
		errAt(1, "com.amazonaws.eu-west-1.kms", `network "core" has none that is available`)),
	unknown("SS-NET-8", "endpoints unknown at plan", network, func(s *Subject, _ *Policy) {
		s.MissingInterfaceEndpoints = facts.Unknown[[]string]()
	}),

	// SS-ENC-1
	pass("SS-ENC-1", "output under the CMK", training, nil),
	pass("SS-ENC-1", "same key through an alias", training, func(s *Subject, _ *Policy) {
		s.OutputKMSKeyARN = facts.Known("alias/churn")
		s.Facts.Keys["alias/churn"] = s.Facts.Keys[testKey]
	}),
	pass("SS-ENC-1", "same key by ID", training, func(s *Subject, _ *Policy) {
		s.OutputKMSKeyARN = facts.Known("1234abcd-12ab-34cd-56ef-1234567890ab")
	}),
	fail("SS-ENC-1", "no output key", training, func(s *Subject, _ *Policy) { s.OutputKMSKeyARN = facts.Null[string]() },
		errAt(-1, "", "No KMS key is set for the training output")),
	fail("SS-ENC-1", "AWS managed key", training, func(s *Subject, _ *Policy) { s.OutputKMSKeyARN = facts.Known("alias/aws/s3") },
		errAt(-1, "alias/aws/s3", "AWS managed key alias/aws/s3")),
	fail("SS-ENC-1", "another key", training, func(s *Subject, _ *Policy) { s.OutputKMSKeyARN = facts.Known(otherKey) },
		errAt(-1, otherKey, "not the workload's key "+testKey)),
	unknown("SS-ENC-1", "output key unknown", training, func(s *Subject, _ *Policy) { s.OutputKMSKeyARN = facts.Unknown[string]() }),
	pass("SS-ENC-1", "processing outputs under the CMK", training, func(s *Subject, _ *Policy) { s.Kind = KindProcessingJob }),
	fail("SS-ENC-1", "processing outputs without a key", training, func(s *Subject, _ *Policy) {
		s.Kind, s.OutputKMSKeyARN = KindProcessingJob, facts.Null[string]()
	}, errAt(-1, "", "No KMS key is set for the processing output")),

	// SS-ENC-2
	pass("SS-ENC-2", "volume under the CMK", training, nil),
	pass("SS-ENC-2", "NVMe type without key", endpoint, func(s *Subject, _ *Policy) {
		s.InstanceType, s.VolumeKMSKeyARN = facts.Known("ml.g5.xlarge"), facts.Null[string]()
	}),
	fail("SS-ENC-2", "no volume key", training, func(s *Subject, _ *Policy) { s.VolumeKMSKeyARN = facts.Null[string]() },
		errAt(-1, "", "No KMS key is set for the ML storage volume")),
	fail("SS-ENC-2", "key on an NVMe type", training, func(s *Subject, _ *Policy) { s.InstanceType = facts.Known("ml.g5.xlarge") },
		errAt(-1, testKey, "ml.g5.xlarge has local NVMe instance storage")),
	fail("SS-ENC-2", "instance type does not exist", endpoint, func(s *Subject, _ *Policy) {
		s.InstanceType = facts.Known("ml.x9.huge")
		s.Facts.InstanceTypes["ml.x9.huge"] = facts.InstanceTypeFact{Name: "ml.x9.huge"}
	}, errAt(-1, "ml.x9.huge", "instance type ml.x9.huge does not exist")),
	unknown("SS-ENC-2", "volume key unknown", training, func(s *Subject, _ *Policy) { s.VolumeKMSKeyARN = facts.Unknown[string]() }),
	unknown("SS-ENC-2", "instance type unknown", training, func(s *Subject, _ *Policy) {
		s.InstanceType, s.VolumeKMSKeyARN = facts.Unknown[string](), facts.Known(otherKey)
	}),
	unknown("SS-ENC-2", "instance type not fetched", training, func(s *Subject, _ *Policy) {
		s.InstanceType, s.VolumeKMSKeyARN = facts.Known("ml.p5.48xlarge"), facts.Null[string]()
	}),

	// SS-ENC-3
	pass("SS-ENC-3", "encryption on", training, nil),
	fail("SS-ENC-3", "encryption off", training, func(s *Subject, _ *Policy) { s.InterContainerEncryption = facts.Known(false) },
		errAt(-1, "", "EnableInterContainerTrafficEncryption is false")),
	fail("SS-ENC-3", "encryption unset", training, func(s *Subject, _ *Policy) { s.InterContainerEncryption = facts.Null[bool]() },
		errAt(-1, "", "inter-container traffic encryption is off")),
	unknown("SS-ENC-3", "encryption unknown", training, func(s *Subject, _ *Policy) { s.InterContainerEncryption = facts.Unknown[bool]() }),

	// SS-ENC-4
	pass("SS-ENC-4", "capture under the CMK", endpoint, nil),
	nothing("SS-ENC-4", "capture off", endpoint, func(s *Subject, _ *Policy) {
		s.DataCapture = DataCapture{Enabled: facts.Known(false), KMSKeyARN: facts.Null[string]()}
	}, "data capture is off"),
	fail("SS-ENC-4", "capture without key", endpoint, func(s *Subject, _ *Policy) { s.DataCapture.KMSKeyARN = facts.Null[string]() },
		errAt(-1, "", "data capture is not encrypted with the workload's CMK")),
	fail("SS-ENC-4", "capture under another key", endpoint, func(s *Subject, _ *Policy) { s.DataCapture.KMSKeyARN = facts.Known(otherKey) },
		errAt(-1, otherKey, "uses key "+otherKey)),
	unknown("SS-ENC-4", "capture key unknown", endpoint, func(s *Subject, _ *Policy) { s.DataCapture.KMSKeyARN = facts.Unknown[string]() }),
	unknown("SS-ENC-4", "capture switch unknown", endpoint, func(s *Subject, _ *Policy) {
		s.DataCapture = DataCapture{Enabled: facts.Unknown[bool](), KMSKeyARN: facts.Null[string]()}
	}),

	// SS-ENC-5
	pass("SS-ENC-5", "log group under the CMK", training, nil),
	pass("SS-ENC-5", "existing group under the CMK", training, func(s *Subject, _ *Policy) {
		s.LogGroups[0].KMSKeyARN = facts.Null[string]()
		s.Facts.LogGroups[testLogs] = facts.LogGroupFact{Name: testLogs, Found: true, KMSKeyARN: testKey}
	}),
	fail("SS-ENC-5", "log group without key", training, func(s *Subject, _ *Policy) { s.LogGroups[0].KMSKeyARN = facts.Null[string]() },
		errAt(0, testLogs, "No KMS key is set for the log group "+testLogs)),
	fail("SS-ENC-5", "existing group without key", network, func(s *Subject, _ *Policy) {
		s.LogGroups[0].KMSKeyARN = facts.Null[string]()
		s.Facts.LogGroups["/sagesafe/core/flow-logs"] = facts.LogGroupFact{Name: "/sagesafe/core/flow-logs", Found: true}
	}, errAt(0, "/sagesafe/core/flow-logs", "No KMS key is set")),
	fail("SS-ENC-5", "group does not exist", training, func(s *Subject, _ *Policy) {
		s.LogGroups[0] = LogGroup{Name: testLogs, KMSKeyARN: facts.Null[string](), RetentionDays: facts.Null[int64]()}
		s.Facts.LogGroups[testLogs] = facts.LogGroupFact{Name: testLogs}
	}, errAt(0, testLogs, "log group "+testLogs+" does not exist")),
	// A model monitor's runs log to /aws/sagemaker/ProcessingJobs like any
	// processing job's.
	pass("SS-ENC-5", "monitor's log group under the CMK", monitor, nil),
	fail("SS-ENC-5", "monitor's log group without key", monitor, func(s *Subject, _ *Policy) { s.LogGroups[0].KMSKeyARN = facts.Null[string]() },
		errAt(0, testLogs, "No KMS key is set for the log group "+testLogs)),
	unknown("SS-ENC-5", "log group key unknown", training, func(s *Subject, _ *Policy) { s.LogGroups[0].KMSKeyARN = facts.Unknown[string]() }),

	// SS-KMS-1
	pass("SS-KMS-1", "customer key", training, nil),
	pass("SS-KMS-1", "key resource", kmsKey, nil),
	nothing("SS-KMS-1", "preflight not asked", preflight, nil, "kms_key_arn was not given"),
	fail("SS-KMS-1", "no key", training, func(s *Subject, _ *Policy) { s.KMSKeyARN = facts.Null[string]() },
		errAt(-1, "", "training job \"churn\" has no KMS key")),
	fail("SS-KMS-1", "key does not exist", endpoint, func(s *Subject, _ *Policy) {
		s.Facts.Keys[testKey] = facts.KeyFact{Ref: testKey}
	}, errAt(-1, testKey, "KMS key "+testKey+" does not exist")),
	fail("SS-KMS-1", "AWS managed key pending deletion", kmsKey, key(func(f *facts.KeyFact) {
		f.Manager, f.State = "AWS", "PendingDeletion"
	}), errAt(-1, testKey, "KeyManager is AWS (want CUSTOMER); KeyState is PendingDeletion (want Enabled).")),
	fail("SS-KMS-1", "asymmetric key in another region", preflight, both(
		func(s *Subject, _ *Policy) { s.KMSKeyARN = facts.Known(testKey) },
		key(func(f *facts.KeyFact) { f.Spec, f.Usage, f.Region = "RSA_2048", "SIGN_VERIFY", "us-east-1" })),
		errAt(-1, testKey, "KeySpec is RSA_2048 (want SYMMETRIC_DEFAULT); KeyUsage is SIGN_VERIFY (want ENCRYPT_DECRYPT); its region is us-east-1 (want eu-west-1).")),
	pass("SS-KMS-1", "key of an allowed account", endpoint, both(
		func(_ *Subject, p *Policy) { p.AllowedKeyAccounts = []string{"999999999999"} },
		key(func(f *facts.KeyFact) { f.Account = "999999999999" }))),
	fail("SS-KMS-1", "key of another account", training, key(func(f *facts.KeyFact) { f.Account = "999999999999" }),
		errAt(-1, testKey, "it belongs to account 999999999999, not this account (111122223333), and guardrails.allowed_key_accounts does not list 999999999999")),
	fail("SS-KMS-1", "key of an account other than the allowed ones", preflight, both(
		func(s *Subject, p *Policy) {
			s.KMSKeyARN = facts.Known(testKey)
			p.AllowedKeyAccounts = []string{"444455556666"}
		},
		key(func(f *facts.KeyFact) { f.Account = "999999999999" })),
		errAt(-1, testKey, "add 999999999999 to allowed_key_accounts")),
	unknown("SS-KMS-1", "key unknown", training, func(s *Subject, _ *Policy) { s.KMSKeyARN = facts.Unknown[string]() }),
	fail("SS-KMS-1", "this account unknown", training, func(s *Subject, _ *Policy) { s.AccountID = "" },
		errAt(-1, testKey, "it belongs to account "+testAccount+", not this account (which the provider does not know")),
	pass("SS-KMS-1", "this account unknown, key account listed", training, func(s *Subject, p *Policy) {
		s.AccountID, p.AllowedKeyAccounts = "", []string{testAccount}
	}),
	unknown("SS-KMS-1", "key not fetched", training, func(s *Subject, _ *Policy) { delete(s.Facts.Keys, testKey) }),

	// SS-KMS-2
	pass("SS-KMS-2", "rotating key", network, nil),
	nothing("SS-KMS-2", "a missing key is SS-KMS-1's", kmsKey, key(func(f *facts.KeyFact) { *f = facts.KeyFact{Ref: testKey} }),
		"KMS key "+testKey+" does not exist (SS-KMS-1)"),
	pass("SS-KMS-2", "AWS managed keys are SS-KMS-1's", training, key(func(f *facts.KeyFact) {
		f.Manager, f.RotationEnabled = "AWS", false
	})),
	fail("SS-KMS-2", "rotation off", kmsKey, key(func(f *facts.KeyFact) { f.RotationEnabled = false }),
		errAt(-1, testKey, "Automatic rotation is disabled on customer-managed key "+testKey)),
	unknown("SS-KMS-2", "key unknown", kmsKey, both(
		func(s *Subject, _ *Policy) { s.KMSKeyARN = facts.Unknown[string]() },
		key(func(f *facts.KeyFact) { f.RotationEnabled = false }))),

	// SS-TLS-1
	pass("SS-TLS-1", "https endpoint", providerSubject, nil),
	pass("SS-TLS-1", "plain http to LocalStack", providerSubject, func(s *Subject, _ *Policy) {
		s.Endpoints = []facts.Endpoint{{URL: "http://localhost.localstack.cloud:4566", Source: "endpoint_url"}}
	}),
	fail("SS-TLS-1", "plain http to a remote host", providerSubject, func(s *Subject, _ *Policy) {
		s.Endpoints = append(s.Endpoints, facts.Endpoint{Service: "sagemaker", URL: "http://example.com:4566", Source: "endpoints.sagemaker"})
	}, errAt(1, "http://example.com:4566", "(set by endpoints.sagemaker)")),
	unknown("SS-TLS-1", "endpoint URL unknown", providerSubject, func(s *Subject, _ *Policy) {
		s.Endpoints = []facts.Endpoint{{Service: "sagemaker", URL: "", Source: "endpoints.sagemaker"}}
	}),

	// SS-TLS-2
	pass("SS-TLS-2", "TLS-only bucket", training, nil),
	nothing("SS-TLS-2", "no S3 locations", endpoint, func(s *Subject, _ *Policy) { s.S3 = nil }, `endpoint "churn-ep" has no S3 locations`),
	nothing("SS-TLS-2", "a missing bucket is SS-DATA-1's", training, bucket(func(f *facts.BucketFact) { *f = facts.BucketFact{} }),
		"bucket churn-data does not exist (SS-DATA-1)"),
	fail("SS-TLS-2", "https URL instead of s3://", training, func(s *Subject, _ *Policy) {
		s.S3[2].URI = facts.Known("https://churn-data.s3.amazonaws.com/models/")
	}, errAt(0, "https://churn-data.s3.amazonaws.com/models/", "output location https://churn-data.s3.amazonaws.com/models/ is not an s3:// URI")),
	fail("SS-TLS-2", "no TLS deny warns", training, bucket(func(f *facts.BucketFact) { f.DeniesInsecureTransport = false }),
		warnAt(0, "churn-data", "(input, checkpoint, output data) has no Deny for aws:SecureTransport=false")),
	fail("SS-TLS-2", "no TLS deny is an error when strict", endpoint, both(strict,
		bucket(func(f *facts.BucketFact) { f.DeniesInsecureTransport = false })),
		errAt(0, "churn-data", "aws:SecureTransport")),
	unknown("SS-TLS-2", "locations unknown", training, both(
		func(s *Subject, _ *Policy) {
			for i := range s.S3 {
				s.S3[i].URI = facts.Unknown[string]()
			}
		}, bucket(func(f *facts.BucketFact) { f.DeniesInsecureTransport = false }))),

	// SS-DATA-1
	pass("SS-DATA-1", "SSE-KMS bucket", training, nil),
	nothing("SS-DATA-1", "no S3 locations", preflight, nil, "the workload has no S3 locations"),
	nothing("SS-DATA-1", "no location names a bucket", training, func(s *Subject, _ *Policy) {
		s.S3 = []S3Location{{URI: facts.Known("https://churn-data.s3.amazonaws.com/train/"), Role: "input"}}
	}, "is an s3:// URI (SS-TLS-2)"),
	fail("SS-DATA-1", "SSE-S3 bucket warns and names checkpoints", training, bucket(func(f *facts.BucketFact) { f.DefaultSSEKMS = false }),
		warnAt(0, "churn-data", "CheckpointConfig has no KMS setting")),
	fail("SS-DATA-1", "SSE-S3 bucket is an error when strict", preflight, both(
		func(s *Subject, p *Policy) {
			p.StrictDataBuckets = true
			s.S3 = []S3Location{{URI: facts.Known("s3://churn-data/in/"), Index: 3, Role: "input"}}
		}, bucket(func(f *facts.BucketFact) { f.DefaultSSEKMS = false })),
		errAt(3, "churn-data", "is not SSE-KMS")),
	fail("SS-DATA-1", "bucket does not exist", endpoint, func(s *Subject, _ *Policy) {
		s.Facts.Buckets["churn-data"] = facts.BucketFact{Name: "churn-data"}
	}, warnAt(0, "churn-data", "bucket churn-data does not exist")),
	unknown("SS-DATA-1", "locations unknown", training, both(
		func(s *Subject, _ *Policy) {
			for i := range s.S3 {
				s.S3[i].URI = facts.Unknown[string]()
			}
		}, bucket(func(f *facts.BucketFact) { f.DefaultSSEKMS = false }))),

	// SS-DATA-2
	pass("SS-DATA-2", "bucket of this account", training, nil),
	fail("SS-DATA-2", "a missing bucket at plan: the apply may create it", training, bucket(func(f *facts.BucketFact) { *f = facts.BucketFact{Name: "churn-data"} }),
		warnAt(0, "churn-data", "if it still does not exist then, the apply is refused")),
	fail("SS-DATA-2", "a missing bucket at apply: anyone may register it", training, both(
		func(s *Subject, _ *Policy) { s.Stage = StageApply },
		bucket(func(f *facts.BucketFact) { *f = facts.BucketFact{Name: "churn-data"} })),
		errAt(0, "churn-data", "belongs to whoever creates it first")),
	fail("SS-DATA-2", "a bucket gone from under the live workload", training, both(
		func(s *Subject, _ *Policy) { s.Stage = StageLive },
		bucket(func(f *facts.BucketFact) { *f = facts.BucketFact{Name: "churn-data"} })),
		errAt(0, "churn-data", "belongs to whoever creates it first")),
	fail("SS-DATA-2", "a legacy bucket name cannot be asked about", training, func(s *Subject, _ *Policy) {
		s.S3 = []S3Location{{URI: facts.Known("s3://Legacy_Foreign/in/"), Index: 0, Role: "input"}}
	}, errAt(0, "Legacy_Foreign", "not a DNS-compliant bucket name")),
	fail("SS-DATA-2", "bucket of another account", training, bucket(theirs),
		errAt(0, "churn-data", "(input, checkpoint, output data) with ExpectedBucketOwner 111122223333")),
	fail("SS-DATA-2", "preflight bucket of another account, even when not strict", preflight, both(
		func(s *Subject, _ *Policy) {
			s.S3 = []S3Location{{URI: facts.Known("s3://churn-data/out/"), Index: 2, Role: "output"}}
		}, bucket(theirs)),
		errAt(2, "churn-data", "ExpectedBucketOwner 111122223333")),
	unknown("SS-DATA-2", "locations unknown", training, both(
		func(s *Subject, _ *Policy) {
			for i := range s.S3 {
				s.S3[i].URI = facts.Unknown[string]()
			}
		}, bucket(theirs))),
	unknown("SS-DATA-2", "owner not asked", training, bucket(func(f *facts.BucketFact) { f.OwnerChecked, f.OwnedByCaller = false, false })),
	nothing("SS-DATA-1", "another account's bucket is SS-DATA-2's", training, bucket(theirs), "bucket churn-data belongs to another account (SS-DATA-2)"),
	nothing("SS-TLS-2", "another account's bucket is SS-DATA-2's", training, bucket(theirs), "bucket churn-data belongs to another account (SS-DATA-2)"),

	// SS-IAM-1
	pass("SS-IAM-1", "scoped trust", training, nil),
	nothing("SS-IAM-1", "preflight not asked", preflight, nil, "role_arn was not given"),
	fail("SS-IAM-1", "other principals", executionRole, role(func(f *facts.RoleFact) {
		f.TrustProblems = []string{`statement "Ec2" trusts service principal ec2.amazonaws.com`}
	}), errAt(-1, testRole, "ec2.amazonaws.com")),
	fail("SS-IAM-1", "missing conditions on a role sagesafe did not create", preflight, both(
		func(s *Subject, _ *Policy) { s.RoleARN = facts.Known(testRole) },
		role(func(f *facts.RoleFact) {
			f.SourceConditions = nil
			f.MissingConditions = []string{
				"trust statement 0 lets sagemaker.amazonaws.com assume the role without an aws:SourceAccount condition",
				"trust statement 0 lets sagemaker.amazonaws.com assume the role without an aws:SourceArn condition",
			}
		})),
		errAt(-1, testRole, "Its trust policy: trust statement 0 lets sagemaker.amazonaws.com assume the role without an aws:SourceAccount condition; trust statement 0")),
	fail("SS-IAM-1", "conditions naming another account", training, role(func(f *facts.RoleFact) {
		f.SourceConditions = []facts.TrustCondition{
			{Statement: "statement 0", Key: "aws:SourceAccount", Values: []string{"999999999999"}},
			{Statement: "statement 0", Key: "aws:SourceArn", Values: []string{"arn:aws:sagemaker:eu-west-1:999999999999:*"}},
		}
	}), errAt(-1, testRole, `trust statement 0 allows aws:SourceAccount "999999999999": it is not this account (111122223333); `+
		`trust statement 0 allows aws:SourceArn "arn:aws:sagemaker:eu-west-1:999999999999:*": its account is 999999999999, not 111122223333.`)),
	fail("SS-IAM-1", "source ARN of another partition and region, or with wildcards", endpoint, role(func(f *facts.RoleFact) {
		f.SourceConditions[1].Values = []string{"arn:aws-cn:sagemaker:cn-north-1:111122223333:endpoint/*", "arn:aws:sagemaker:*:*:*", "*"}
	}), errAt(-1, testRole, `"arn:aws-cn:sagemaker:cn-north-1:111122223333:endpoint/*": its partition is aws-cn, not aws, its region is cn-north-1, not eu-west-1; `+
		`trust statement 0 allows aws:SourceArn "arn:aws:sagemaker:*:*:*": its region is *, not eu-west-1, its account is *, not 111122223333; `+
		`trust statement 0 allows aws:SourceArn "*": it is not an ARN.`)),
	fail("SS-IAM-1", "this account unknown: no condition value can be shown to be its", training, both(
		func(s *Subject, _ *Policy) { s.AccountID = "" },
		role(func(*facts.RoleFact) {})),
		errAt(-1, testRole, `allows aws:SourceAccount "111122223333": it is not this account (which the provider does not know`+
			`: it did not learn it from sts:GetCallerIdentity); trust statement 0 allows aws:SourceArn "arn:aws:sagemaker:eu-west-1:111122223333:training-job/*": its account 111122223333 is not this account (which`)),
	// The trust must let SageMaker assume the role for this job.
	fail("SS-IAM-1", "a training role given to a processing job", processing, nil,
		errAt(-1, testRole, `No statement's aws:SourceArn conditions admit arn:aws:sagemaker:eu-west-1:111122223333:processing-job/churn-stats (each under its own operator)`)),
	pass("SS-IAM-1", "a processing role given to a processing job", processing, role(func(f *facts.RoleFact) {
		f.SourceConditions[1].Values = []string{"arn:aws:sagemaker:eu-west-1:111122223333:processing-job/*"}
	})),
	pass("SS-IAM-1", "the generic form admits every job", processing, role(func(f *facts.RoleFact) {
		f.SourceConditions[1].Values = []string{"arn:aws:sagemaker:eu-west-1:111122223333:*"}
	})),
	pass("SS-IAM-1", "one job's ARN, lower-case, with ?", training, role(func(f *facts.RoleFact) {
		f.SourceConditions[1].Values = []string{"arn:aws:sagemaker:eu-west-1:111122223333:training-job/chur?"}
	})),
	fail("SS-IAM-1", "another job's ARN", training, role(func(f *facts.RoleFact) {
		f.SourceConditions[1].Values = []string{"arn:aws:sagemaker:eu-west-1:111122223333:training-job/churn-2*"}
	}), errAt(-1, testRole, "training-job/churn (each under its own operator)")),
	// Each condition under its own operator (red team, issue 15).
	fail("SS-IAM-1", "StringEquals takes * literally", training, role(func(f *facts.RoleFact) {
		f.SourceConditions[1].Operator = "StringEquals"
		f.SourceConditions[1].Values = []string{"arn:aws:sagemaker:eu-west-1:111122223333:training-job/*"}
	}), errAt(-1, testRole, "training-job/churn (each under its own operator)")),
	pass("SS-IAM-1", "StringEquals naming the job", training, role(func(f *facts.RoleFact) {
		f.SourceConditions[1].Operator = "StringEquals"
		f.SourceConditions[1].Values = []string{"arn:aws:sagemaker:eu-west-1:111122223333:training-job/churn"}
	})),
	pass("SS-IAM-1", "StringLike with a wildcard", training, role(func(f *facts.RoleFact) {
		f.SourceConditions[1].Operator = "StringLike"
		f.SourceConditions[1].Values = []string{"arn:aws:sagemaker:eu-west-1:111122223333:training-job/*"}
	})),
	fail("SS-IAM-1", "ArnNotLike excluding the job", training, role(func(f *facts.RoleFact) {
		f.SourceConditions = append(f.SourceConditions, facts.TrustCondition{Statement: "statement 0", Key: "aws:SourceArn",
			Operator: "ArnNotLike", Values: []string{"arn:aws:sagemaker:eu-west-1:111122223333:training-job/*"}})
	}), errAt(-1, testRole, "training-job/churn (each under its own operator)")),
	pass("SS-IAM-1", "an exclusion of another account is no foreign condition", training, role(func(f *facts.RoleFact) {
		f.SourceConditions = append(f.SourceConditions, facts.TrustCondition{Statement: "statement 0", Key: "aws:SourceArn",
			Operator: "ArnNotLike", Values: []string{"arn:aws:sagemaker:eu-west-1:999999999999:*"}})
	})),
	pass("SS-IAM-1", "another statement admits the job", processing, role(func(f *facts.RoleFact) {
		f.SourceConditions = append(f.SourceConditions,
			facts.TrustCondition{Statement: "statement 1", Key: "aws:SourceAccount", Values: []string{testAccount}},
			facts.TrustCondition{Statement: "statement 1", Key: "aws:SourceArn", Values: []string{"arn:aws:sagemaker:eu-west-1:111122223333:processing-job/*"}})
	})),
	fail("SS-IAM-1", "one foreign value among this account's", executionRole, role(func(f *facts.RoleFact) {
		f.SourceConditions[0].Values = []string{testAccount, "999999999999"}
	}), errAt(-1, testRole, `aws:SourceAccount "999999999999": it is not this account`)),
	fail("SS-IAM-1", "missing conditions on a managed role", endpoint,
		role(func(f *facts.RoleFact) { f.MissingConditions = []string{"statement lacks aws:SourceArn"} }),
		errAt(-1, testRole, "role churn-exec has no confused-deputy conditions")),
	fail("SS-IAM-1", "role does not exist", training, func(s *Subject, _ *Policy) {
		s.Facts.Roles[testRole] = facts.RoleFact{Ref: testRole}
	}, errAt(-1, testRole, "IAM role "+testRole+" does not exist")),
	fail("SS-IAM-1", "no role", training, func(s *Subject, _ *Policy) { s.RoleARN = facts.Null[string]() },
		errAt(-1, "", "has no execution role")),
	unknown("SS-IAM-1", "role unknown", training, both(
		func(s *Subject, _ *Policy) { s.RoleARN = facts.Unknown[string]() },
		role(func(f *facts.RoleFact) { f.TrustProblems = []string{"wildcard principal *"} }))),

	// SS-IAM-2
	pass("SS-IAM-2", "narrow role", executionRole, nil),
	nothing("SS-IAM-2", "a missing role is SS-IAM-1's", training, role(func(f *facts.RoleFact) { *f = facts.RoleFact{Ref: testRole} }),
		"IAM role "+testRole+" does not exist (SS-IAM-1)"),
	fail("SS-IAM-2", "broad role", training, role(func(f *facts.RoleFact) {
		f.BroadPermissions = []string{"arn:aws:iam::aws:policy/AmazonSageMakerFullAccess is attached.", `inline policy "all" allows * on *`}
	}), errAt(-1, testRole, "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess is attached; inline policy \"all\" allows * on *.")),
	unknown("SS-IAM-2", "role unknown", training, both(
		func(s *Subject, _ *Policy) { s.RoleARN = facts.Unknown[string]() },
		role(func(f *facts.RoleFact) { f.BroadPermissions = []string{"AdministratorAccess is attached"} }))),

	// SS-IAM-3
	pass("SS-IAM-3", "generated data scientist", personaRole, nil),
	fail("SS-IAM-3", "managed policy attached", personaRole, func(s *Subject, _ *Policy) {
		s.PersonaRole.V.Attached = []string{"arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"}
	}, errAt(-1, "", "managed policy arn:aws:iam::aws:policy/AmazonSageMakerFullAccess is attached")),
	fail("SS-IAM-3", "unguarded create added", personaRole, func(s *Subject, _ *Policy) {
		s.PersonaRole.V.Inline["added"] = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sagemaker:CreateNotebookInstance","Resource":"*"}]}`
	}, errAt(-1, "", "sagemaker:CreateNotebookInstance is allowed without a Deny")),
	unknown("SS-IAM-3", "documents unknown", personaRole, func(s *Subject, _ *Policy) {
		s.PersonaRole = facts.Unknown[PersonaRoleDocuments]()
	}),

	// SS-IAM-4
	pass("SS-IAM-4", "MFA and SAML", personaRole, nil),
	fail("SS-IAM-4", "no MFA", personaRole, func(s *Subject, _ *Policy) {
		s.PersonaRole.V.Trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}`
	}, errAt(-1, "", "without Bool aws:MultiFactorAuthPresent = true")),
	unknown("SS-IAM-4", "documents unknown", personaRole, func(s *Subject, _ *Policy) {
		s.PersonaRole = facts.Unknown[PersonaRoleDocuments]()
	}),

	// SS-IAM-5
	pass("SS-IAM-5", "the organisation's boundary", executionRole, withBoundary("arn:aws:iam::"+testAccount+":policy/org-boundary")),
	fail("SS-IAM-5", "no boundary", executionRole, withBoundary(""),
		errAt(0, "churn-exec", "permissions boundary is none; role_permissions_boundary_arn in the provider's guardrails is arn:aws:iam::"+testAccount+":policy/org-boundary")),
	fail("SS-IAM-5", "another boundary on the second role", executionRole, func(s *Subject, p *Policy) {
		withBoundary("arn:aws:iam::"+testAccount+":policy/org-boundary")(s, p)
		s.RoleBoundaries = append(s.RoleBoundaries, RoleBoundary{Role: "net-flow-logs", Boundary: facts.Known("arn:aws:iam::" + testAccount + ":policy/other")})
	}, errAt(1, "net-flow-logs", "permissions boundary is arn:aws:iam::"+testAccount+":policy/other")),
	unknown("SS-IAM-5", "role created by the apply", executionRole, func(s *Subject, p *Policy) {
		withBoundary("")(s, p)
		s.RoleBoundaries[0].Boundary = facts.Unknown[string]()
	}),
	nothing("SS-IAM-5", "the guardrails require no boundary", executionRole, func(s *Subject, _ *Policy) {
		s.RoleBoundaries = []RoleBoundary{{Role: "churn-exec", Boundary: facts.Known("")}}
	}, "role_permissions_boundary_arn is not set"),
	nothing("SS-IAM-5", "no role", executionRole, func(_ *Subject, p *Policy) {
		p.RoleBoundaryARN = "arn:aws:iam::" + testAccount + ":policy/org-boundary"
	}, "makes and is given no IAM role"),
	pass("SS-IAM-5", "given execution role with the boundary", training, givenRoleBoundary("arn:aws:iam::"+testAccount+":policy/org-boundary")),
	fail("SS-IAM-5", "given execution role without the boundary", training, givenRoleBoundary(""),
		errAt(-1, testRole, "permissions boundary is none")),
	unknown("SS-IAM-5", "given execution role created by the apply", training, func(s *Subject, p *Policy) {
		givenRoleBoundary("")(s, p)
		s.RoleARN = facts.Unknown[string]()
	}),
	nothing("SS-IAM-5", "given execution role missing", training, func(s *Subject, p *Policy) {
		givenRoleBoundary("")(s, p)
		s.Facts.Roles[testRole] = facts.RoleFact{Ref: testRole}
	}, "does not exist (SS-IAM-1)"),
	// The boundary itself must exist and cap (red team).
	fail("SS-IAM-5", "a boundary that lets roles out", executionRole, func(s *Subject, p *Policy) {
		withBoundary("arn:aws:iam::"+testAccount+":policy/org-boundary")(s, p)
		s.Facts.Policies[p.RoleBoundaryARN] = facts.PolicyFact{Found: true, Escapes: []string{"iam:CreateRole", "sts:AssumeRole"}}
	}, errAt(-1, "arn:aws:iam::"+testAccount+":policy/org-boundary", "allows iam:CreateRole, sts:AssumeRole")),
	fail("SS-IAM-5", "a boundary that lets roles pass roles it does not cap", executionRole, func(s *Subject, p *Policy) {
		withBoundary("arn:aws:iam::"+testAccount+":policy/org-boundary")(s, p)
		s.Facts.Policies[p.RoleBoundaryARN] = facts.PolicyFact{Found: true, UncappedRoles: []string{"arn:aws:iam::" + testAccount + ":role/ml-legacy"}}
	}, errAt(-1, "arn:aws:iam::"+testAccount+":policy/org-boundary", "reach arn:aws:iam::"+testAccount+":role/ml-legacy, which do not carry it")),
	pass("SS-IAM-5", "the only uncapped role is one this plan gives the boundary", executionRole, func(s *Subject, p *Policy) {
		withBoundary("arn:aws:iam::"+testAccount+":policy/org-boundary")(s, p)
		s.Facts.Policies[p.RoleBoundaryARN] = facts.PolicyFact{Found: true, UncappedRoles: []string{"arn:aws:iam::" + testAccount + ":role/" + s.RoleBoundaries[0].Role}}
	}),
	fail("SS-IAM-5", "two roles lost the boundary: the plan restoring one warns of the other (red team: no deadlock)", executionRole, func(s *Subject, p *Policy) {
		withBoundary("arn:aws:iam::"+testAccount+":policy/org-boundary")(s, p)
		s.Facts.Policies[p.RoleBoundaryARN] = facts.PolicyFact{Found: true, UncappedRoles: []string{
			"arn:aws:iam::" + testAccount + ":role/" + s.RoleBoundaries[0].Role, "arn:aws:iam::" + testAccount + ":role/fraud-exec"}}
	}, warnAt(-1, "arn:aws:iam::"+testAccount+":policy/org-boundary", "reach arn:aws:iam::"+testAccount+":role/fraud-exec, which do not carry it")),
	fail("SS-IAM-5", "a given role is never taken for one the plan restores (red team)", executionRole, func(s *Subject, p *Policy) {
		withBoundary("arn:aws:iam::"+testAccount+":policy/org-boundary")(s, p)
		s.RoleBoundaries = []RoleBoundary{{Role: "scheduler_role_arn", Boundary: facts.Unknown[string](), Given: true}}
		s.Facts.Policies[p.RoleBoundaryARN] = facts.PolicyFact{Found: true, UncappedRoles: []string{"arn:aws:iam::" + testAccount + ":role/x/Scheduler_Role_ARN"}}
	}, errAt(-1, "arn:aws:iam::"+testAccount+":policy/org-boundary", "role/x/Scheduler_Role_ARN, which do not carry it")),
	fail("SS-IAM-5", "the roles a boundary reaches could not be read: warned, not held", executionRole, func(s *Subject, p *Policy) {
		withBoundary("arn:aws:iam::"+testAccount+":policy/org-boundary")(s, p)
		s.Facts.Policies[p.RoleBoundaryARN] = facts.PolicyFact{Found: true, RolesUnread: "AccessDenied: iam:ListRoles"}
	}, warnAt(-1, "arn:aws:iam::"+testAccount+":policy/org-boundary", "Allow the deployer iam:ListRoles and iam:GetRole")),
	fail("SS-IAM-5", "uncapped roles stay an error when the notebook instances could not be read (red team)", executionRole, func(s *Subject, p *Policy) {
		withBoundary("arn:aws:iam::"+testAccount+":policy/org-boundary")(s, p)
		s.Facts.Policies[p.RoleBoundaryARN] = facts.PolicyFact{Found: true, UncappedRoles: []string{"arn:aws:iam::" + testAccount + ":role/ml-admin"},
			NotebooksUnread: "AccessDeniedException: sagemaker:ListNotebookInstances"}
	}, errAt(-1, "arn:aws:iam::"+testAccount+":policy/org-boundary", "reach arn:aws:iam::"+testAccount+":role/ml-admin, which do not carry it"),
		warnAt(-1, "arn:aws:iam::"+testAccount+":policy/org-boundary", "Allow the deployer sagemaker:ListNotebookInstances")),
	fail("SS-IAM-5", "the notebook instances a boundary reaches could not be read: warned, not held", executionRole, func(s *Subject, p *Policy) {
		withBoundary("arn:aws:iam::"+testAccount+":policy/org-boundary")(s, p)
		s.Facts.Policies[p.RoleBoundaryARN] = facts.PolicyFact{Found: true, NotebooksUnread: "AccessDeniedException: sagemaker:ListNotebookInstances"}
	}, warnAt(-1, "arn:aws:iam::"+testAccount+":policy/org-boundary", "Allow the deployer sagemaker:ListNotebookInstances")),
	fail("SS-IAM-5", "a boundary that lets roles open a notebook instance whose role it does not cap", executionRole, func(s *Subject, p *Policy) {
		withBoundary("arn:aws:iam::"+testAccount+":policy/org-boundary")(s, p)
		s.Facts.Policies[p.RoleBoundaryARN] = facts.PolicyFact{Found: true, UncappedNotebooks: []string{
			"arn:aws:sagemaker:us-east-1:" + testAccount + ":notebook-instance/ml-legacy (role arn:aws:iam::" + testAccount + ":role/admin)"}}
	}, errAt(-1, "arn:aws:iam::"+testAccount+":policy/org-boundary", "reach arn:aws:sagemaker:us-east-1:"+testAccount+":notebook-instance/ml-legacy (role")),
	fail("SS-IAM-5", "a boundary that lets roles run code as objects whose roles are not read: warned, not held", executionRole, func(s *Subject, p *Policy) {
		withBoundary("arn:aws:iam::"+testAccount+":policy/org-boundary")(s, p)
		s.Facts.Policies[p.RoleBoundaryARN] = facts.PolicyFact{Found: true, UnverifiedReach: []string{
			"lambda:UpdateFunctionCode on arn:aws:lambda:*:" + testAccount + ":function:ml-*"}}
	}, warnAt(-1, "arn:aws:iam::"+testAccount+":policy/org-boundary", "It allows lambda:UpdateFunctionCode on arn:aws:lambda:*:"+testAccount+":function:ml-*")),
	fail("SS-IAM-5", "a boundary that does not exist", training, func(s *Subject, p *Policy) {
		givenRoleBoundary("arn:aws:iam::"+testAccount+":policy/org-boundary")(s, p)
		s.Facts.Policies[p.RoleBoundaryARN] = facts.PolicyFact{}
	}, errAt(-1, "arn:aws:iam::"+testAccount+":policy/org-boundary", "names a managed policy IAM does not know")),
	unknown("SS-IAM-5", "the boundary not looked up", executionRole, func(s *Subject, p *Policy) {
		withBoundary("arn:aws:iam::"+testAccount+":policy/org-boundary")(s, p)
		delete(s.Facts.Policies, p.RoleBoundaryARN)
	}),
	// sagesafe_preflight asked about a role checks its boundary (red team).
	fail("SS-IAM-5", "preflight: role without the boundary", preflight, func(s *Subject, p *Policy) {
		givenRoleBoundary("")(s, p)
		s.RoleARN = facts.Known(testRole)
	}, errAt(-1, testRole, "permissions boundary is none")),
	nothing("SS-IAM-5", "preflight not asked about a role", preflight, func(s *Subject, p *Policy) {
		givenRoleBoundary("")(s, p)
		s.RoleARN = facts.Null[string]()
	}, "makes and is given no IAM role"),

	// SS-MON-1
	pass("SS-MON-1", "alarms with actions enabled", endpoint, nil),
	fail("SS-MON-1", "no alarms", training, func(s *Subject, _ *Policy) { s.Alarms = facts.Null[[]Alarm]() },
		errAt(-1, "", "training job \"churn\" has no alarms")),
	fail("SS-MON-1", "alarm missing", training, firstAlarm(func(a *Alarm) { a.Exists = false }),
		errAt(0, "churn-disk", "The disk alarm churn-disk is expected")),
	fail("SS-MON-1", "alarm changed so that it never fires", training, firstAlarm(func(a *Alarm) {
		a.Exists, a.Unlike = false, "TreatMissingData ignore (want notBreaching)"
	}), errAt(0, "churn-disk", "was changed: TreatMissingData ignore (want notBreaching). The next apply restores it.")),
	fail("SS-MON-1", "actions disabled", endpoint, func(s *Subject, _ *Policy) {
		s.Alarms.V[1].ActionsEnabled = false
	}, errAt(1, "churn-ep-latency", "ActionsEnabled is false on alarm churn-ep-latency")),
	unknown("SS-MON-1", "alarms unknown", training, func(s *Subject, _ *Policy) { s.Alarms = facts.Unknown[[]Alarm]() }),

	// SS-MON-2
	pass("SS-MON-2", "alarms with actions", training, nil),
	nothing("SS-MON-2", "a missing alarm is SS-MON-1's", training, firstAlarm(func(a *Alarm) { a.Exists, a.Actions = false, facts.Null[[]string]() }),
		"alarm churn-disk is missing (SS-MON-1)"),
	nothing("SS-MON-2", "no alarms is SS-MON-1's", training, func(s *Subject, _ *Policy) { s.Alarms = facts.Known([]Alarm{}) },
		`training job "churn" has no alarms (SS-MON-1)`),
	fail("SS-MON-2", "no actions warns", training, firstAlarm(func(a *Alarm) { a.Actions = facts.Known([]string{}) }),
		warnAt(0, "churn-disk", "has no alarm action")),
	fail("SS-MON-2", "no actions is an error when required", endpoint, both(
		func(_ *Subject, p *Policy) { p.RequireAlarmActions = true },
		firstAlarm(func(a *Alarm) { a.Actions = facts.Null[[]string]() })),
		errAt(0, "churn-ep-5xx", "alarm churn-ep-5xx has no actions")),
	unknown("SS-MON-2", "actions unknown", training, firstAlarm(func(a *Alarm) { a.Actions = facts.Unknown[[]string]() })),
	fail("SS-MON-2", "another account's topic, another region's, not an ARN", training, firstAlarm(func(a *Alarm) {
		a.Actions = facts.Known([]string{"arn:aws:sns:eu-west-1:999999999999:exfil", "arn:aws:sns:us-east-1:111122223333:ml-alerts", "ops@example.com", testTopic})
	}), warnAt(0, "arn:aws:sns:eu-west-1:999999999999:exfil (account 999999999999), arn:aws:sns:us-east-1:111122223333:ml-alerts (region us-east-1), ops@example.com (not an ARN)",
		"notifications go outside this account (111122223333) and its region")),
	pass("SS-MON-2", "an EC2 action of the region", training, firstAlarm(func(a *Alarm) {
		a.Actions = facts.Known([]string{"arn:aws:automate:eu-west-1:ec2:recover", testTopic})
	})),
	pass("SS-MON-2", "a topic under a key CloudWatch may use", endpoint, topicFact(func(t *facts.TopicFact) {
		t.KMSKey, t.Key = testKey, &facts.KeyFact{Found: true, ARN: testKey, Manager: "CUSTOMER", State: "Enabled"}
	})),
	unknown("SS-MON-2", "the topic was not looked up", training, func(s *Subject, _ *Policy) { delete(s.Facts.Topics, testTopic) }),
	fail("SS-MON-2", "the topic does not exist: a warning at plan", training, topicFact(func(t *facts.TopicFact) { *t = facts.TopicFact{ARN: testTopic} }),
		warnAt(-1, testTopic, "the same apply may create the topic")),
	fail("SS-MON-2", "the topic does not exist: refused at apply", training, both(
		func(s *Subject, p *Policy) { s.Stage, p.RequireAlarmActions = StageApply, true },
		topicFact(func(t *facts.TopicFact) { *t = facts.TopicFact{ARN: testTopic} })),
		errAt(-1, testTopic, "SNS does not know "+testTopic+", so nobody is told when an alarm fires")),
	fail("SS-MON-2", "the topic does not exist: a warning without require_alarm_actions", endpoint, both(
		func(s *Subject, p *Policy) { s.Stage, p.RequireAlarmActions = StageLive, false },
		topicFact(func(t *facts.TopicFact) { *t = facts.TopicFact{ARN: testTopic} })),
		warnAt(-1, testTopic, "does not exist")),
	fail("SS-MON-2", "nobody confirmed a subscription", training, topicFact(func(t *facts.TopicFact) { t.Confirmed, t.Pending = 0, 2 }),
		warnAt(-1, testTopic, "(2 pending), so an alarm sent to it reaches no one")),
	fail("SS-MON-2", "the AWS managed key", endpoint, requiredTopic(func(t *facts.TopicFact) {
		t.KMSKey, t.Key = "alias/aws/sns", &facts.KeyFact{Ref: "alias/aws/sns", Found: true, Manager: "AWS"}
	}), errAt(-1, testTopic, "is encrypted with an AWS managed key, which CloudWatch cannot use")),
	fail("SS-MON-2", "a disabled key", endpoint, requiredTopic(func(t *facts.TopicFact) {
		t.KMSKey, t.Key = testKey, &facts.KeyFact{Found: true, ARN: testKey, Manager: "CUSTOMER", State: "Disabled"}
	}), errAt(-1, testTopic, "is encrypted with a key that is Disabled")),
	fail("SS-MON-2", "a key CloudWatch may not use", endpoint, requiredTopic(func(t *facts.TopicFact) {
		t.KMSKey, t.Key = testKey, &facts.KeyFact{Found: true, ARN: testKey, Manager: "CUSTOMER", State: "Enabled"}
		t.KeyPolicyProblem = "does not let cloudwatch.amazonaws.com call kms:Decrypt"
	}), errAt(-1, testTopic, "CloudWatch may not use its key")),
	fail("SS-MON-2", "a topic policy that denies CloudWatch", endpoint, requiredTopic(func(t *facts.TopicFact) {
		t.PolicyProblem = `has an access policy whose statement "NoCW" denies cloudwatch.amazonaws.com sns:Publish on it`
	}), errAt(-1, testTopic, `CloudWatch may not publish to it`)),
	fail("SS-MON-2", "a topic policy that cannot be judged: warned, not held", endpoint, requiredTopic(func(t *facts.TopicFact) {
		t.PolicyUnread = "access policy cannot be read: unknown element"
	}), warnAt(-1, testTopic, "whether CloudWatch may publish to it could not be judged")),
	fail("SS-MON-2", "a key whose policy cannot be read", endpoint, topicFact(func(t *facts.TopicFact) {
		t.KMSKey, t.Key = testKey, &facts.KeyFact{Found: true, ARN: testKey, Manager: "CUSTOMER", State: "Enabled"}
		t.KeyPolicyUnread = "AccessDeniedException"
	}), warnAt(-1, testTopic, "could not be read")),

	// SS-MON-3
	pass("SS-MON-3", "a year", training, nil),
	pass("SS-MON-3", "never expire", network, nil),
	nothing("SS-MON-3", "short retention when no minimum", training, func(s *Subject, p *Policy) {
		p.MinLogRetentionDays = 0
		s.LogGroups[0].RetentionDays = facts.Known(int64(1))
	}, "the guardrails require no log retention"),
	fail("SS-MON-3", "30 days", training, func(s *Subject, _ *Policy) { s.LogGroups[0].RetentionDays = facts.Known(int64(30)) },
		errAt(0, testLogs, "Its retention is 30 days; min_log_retention_days requires at least 365")),
	fail("SS-MON-3", "existing group keeps a week", endpoint, func(s *Subject, _ *Policy) {
		s.LogGroups[0].RetentionDays = facts.Null[int64]()
		s.Facts.LogGroups["/aws/sagemaker/Endpoints/churn-ep"] = facts.LogGroupFact{Found: true, KMSKeyARN: testKey, RetentionDays: 7}
	}, errAt(0, "/aws/sagemaker/Endpoints/churn-ep", "keeps logs for only 7 days")),
	pass("SS-MON-3", "monitor's log group keeps a year", monitor, nil),
	fail("SS-MON-3", "monitor's log group keeps 30 days", monitor, func(s *Subject, _ *Policy) { s.LogGroups[0].RetentionDays = facts.Known(int64(30)) },
		errAt(0, testLogs, "Its retention is 30 days; min_log_retention_days requires at least 365")),
	unknown("SS-MON-3", "retention unknown", training, func(s *Subject, _ *Policy) { s.LogGroups[0].RetentionDays = facts.Unknown[int64]() }),

	// SS-MON-4
	pass("SS-MON-4", "blue/green with own alarms", endpoint, nil),
	fail("SS-MON-4", "not blue/green", endpoint, func(s *Subject, _ *Policy) { s.Deployment.BlueGreen = facts.Known(false) },
		errAt(-1, "", "updates of endpoint \"churn-ep\" are not blue/green")),
	fail("SS-MON-4", "no rollback alarms", endpoint, func(s *Subject, _ *Policy) { s.Deployment.RollbackAlarms = facts.Known([]string{}) },
		errAt(-1, "", "lists no alarms")),
	fail("SS-MON-4", "rollback on a foreign alarm", endpoint, func(s *Subject, _ *Policy) {
		s.Deployment.RollbackAlarms = facts.Known([]string{"churn-ep-5xx", "someone-elses-alarm"})
	}, errAt(1, "someone-elses-alarm", "the alarms of endpoint \"churn-ep\" are churn-ep-5xx, churn-ep-latency, churn-ep-invocations-anomaly, churn-ep-latency-anomaly")),
	unknown("SS-MON-4", "deployment unknown", endpoint, func(s *Subject, _ *Policy) {
		s.Deployment = Deployment{BlueGreen: facts.Unknown[bool](), RollbackAlarms: facts.Unknown[[]string]()}
	}),

	// SS-AVL-2
	pass("SS-AVL-2", "scales from 2 to 10", endpoint, func(s *Subject, _ *Policy) { s.Autoscaling = facts.Known(ScalingBounds{Min: 2, Max: 10}) }),
	fail("SS-AVL-2", "max above the cap", endpoint, func(s *Subject, _ *Policy) { s.Autoscaling = facts.Known(ScalingBounds{Min: 2, Max: 11}) },
		errAt(-1, "max_capacity", "may scale out to 11 instances")),
	fail("SS-AVL-2", "min below the floor", endpoint, func(s *Subject, p *Policy) {
		p.MinEndpointInstances = 3
		s.Autoscaling = facts.Known(ScalingBounds{Min: 2, Max: 4})
	}, errAt(-1, "min_capacity", "may scale in to 2 instance(s)")),
	fail("SS-AVL-2", "min above max", endpoint, func(s *Subject, p *Policy) { s.Autoscaling = facts.Known(ScalingBounds{Min: 5, Max: 4}) },
		errAt(-1, "min_capacity", "minimum above its maximum")),
	unknown("SS-AVL-2", "bounds unknown", endpoint, func(s *Subject, _ *Policy) { s.Autoscaling = facts.Unknown[ScalingBounds]() }),
	pass("SS-AVL-2", "fixed count at the cap", endpoint, func(s *Subject, _ *Policy) { s.InstanceCount = facts.Known(int64(10)) }),
	fail("SS-AVL-2", "fixed count above the cap", endpoint, func(s *Subject, _ *Policy) { s.InstanceCount = facts.Known(int64(500)) },
		errAt(-1, "", "runs 500 instances")),
	fail("SS-AVL-2", "autoscaled count above the cap", endpoint, func(s *Subject, _ *Policy) {
		s.InstanceCount = facts.Known(int64(11))
		s.Autoscaling = facts.Known(ScalingBounds{Min: 2, Max: 10})
	}, errAt(-1, "", "runs 11 instances")),
	unknown("SS-AVL-2", "fixed count unknown", endpoint, func(s *Subject, _ *Policy) { s.InstanceCount = facts.Unknown[int64]() }),
	pass("SS-AVL-2", "scheduled action within the bounds", endpoint, func(s *Subject, _ *Policy) {
		s.Autoscaling = facts.Known(ScalingBounds{Min: 2, Max: 10, Scheduled: []ScheduledBounds{
			{Name: "night", Min: facts.Known(int64(2)), Max: facts.Known(int64(4))}, {Name: "day", Min: facts.Null[int64](), Max: facts.Known(int64(10))}}})
	}),
	fail("SS-AVL-2", "scheduled action above the cap", endpoint, func(s *Subject, _ *Policy) {
		s.Autoscaling = facts.Known(ScalingBounds{Min: 2, Max: 10, Scheduled: []ScheduledBounds{{Name: "burst", Min: facts.Null[int64](), Max: facts.Known(int64(1000))}}})
	}, errAt(-1, "burst", "Scheduled action burst's maximum is 1000")),
	fail("SS-AVL-2", "scheduled action below the floor", endpoint, func(s *Subject, _ *Policy) {
		s.Autoscaling = facts.Known(ScalingBounds{Min: 2, Max: 10, Scheduled: []ScheduledBounds{{Name: "night", Min: facts.Known(int64(1)), Max: facts.Null[int64]()}}})
	}, errAt(-1, "night", "Scheduled action night's minimum is 1")),
	fail("SS-AVL-2", "scale-out suspended", endpoint, func(s *Subject, _ *Policy) {
		s.Autoscaling = facts.Known(ScalingBounds{Min: 2, Max: 10, ScaleOutSuspended: true})
	}, errAt(-1, "suspended", "DynamicScalingOutSuspended")),

	// SS-MON-6
	pass("SS-MON-6", "anomaly alarms on invocations and latency", endpoint, nil),
	fail("SS-MON-6", "latency anomaly alarm missing", endpoint, func(s *Subject, _ *Policy) { s.Alarms.V[3].Exists = false },
		errAt(-1, "ModelLatency", "has no anomaly alarm on ModelLatency")),
	fail("SS-MON-6", "invocations alarm turned into a fixed threshold", endpoint, func(s *Subject, _ *Policy) { s.Alarms.V[2].AnomalyOf = "" },
		errAt(-1, "Invocations", "has no anomaly alarm on Invocations")),
	unknown("SS-MON-6", "alarms unknown", endpoint, func(s *Subject, _ *Policy) { s.Alarms = facts.Unknown[[]Alarm]() }),
	// SS-MON-7
	pass("SS-MON-7", "monitored endpoint captures requests, encrypted", monitor, nil),
	fail("SS-MON-7", "capture off", monitor, func(s *Subject, _ *Policy) { s.DataCapture.Enabled = facts.Known(false) },
		errAt(-1, "", "does not capture data")),
	fail("SS-MON-7", "no capture config", monitor, func(s *Subject, _ *Policy) { s.DataCapture = DataCapture{} },
		errAt(-1, "", "does not capture data")),
	fail("SS-MON-7", "responses only", monitor, func(s *Subject, _ *Policy) { s.DataCapture.InputCaptured = facts.Known(false) },
		errAt(-1, "", "does not capture requests")),
	fail("SS-MON-7", "capture without key", monitor, func(s *Subject, _ *Policy) { s.DataCapture.KMSKeyARN = facts.Known("") },
		errAt(-1, "", "not encrypted")),
	fail("SS-MON-7", "capture to a non-s3 destination", monitor, func(s *Subject, _ *Policy) { s.DataCapture.DestinationURI = facts.Known("https://x") },
		errAt(-1, "", "not an s3:// location")),
	fail("SS-MON-7", "sampling 0%", monitor, func(s *Subject, _ *Policy) { s.DataCapture.SamplingPercent = facts.Known[int64](0) },
		errAt(-1, "", "InitialSamplingPercentage is 0%: no request is captured")),
	fail("SS-MON-7", "sampling not read", monitor, func(s *Subject, _ *Policy) { s.DataCapture.SamplingPercent = facts.Null[int64]() },
		errAt(-1, "", "InitialSamplingPercentage is not set")),
	pass("SS-MON-7", "sampling 1%", monitor, func(s *Subject, _ *Policy) { s.DataCapture.SamplingPercent = facts.Known[int64](1) }),
	unknown("SS-MON-7", "endpoint known after apply", monitor, func(s *Subject, _ *Policy) { s.DataCapture.Enabled = facts.Unknown[bool]() }),
	// SS-MON-5
	pass("SS-MON-5", "flow log records all traffic", network, func(s *Subject, _ *Policy) {
		s.FlowLog = facts.Known(FlowLogState{LogGroup: "/sagesafe/core/flow-logs", Recording: "fl-1"})
	}),
	fail("SS-MON-5", "no flow log", network, func(s *Subject, _ *Policy) {
		s.FlowLog = facts.Known(FlowLogState{LogGroup: "/sagesafe/core/flow-logs"})
	}, errAt(-1, "/sagesafe/core/flow-logs", "The VPC has no flow logs.")),
	fail("SS-MON-5", "flow log records rejected traffic only", network, func(s *Subject, _ *Policy) {
		s.FlowLog = facts.Known(FlowLogState{LogGroup: "/sagesafe/core/flow-logs", Others: []string{"fl-2 (REJECT traffic to /sagesafe/core/flow-logs)"}})
	}, errAt(-1, "/sagesafe/core/flow-logs", "The VPC's flow logs are fl-2 (REJECT traffic to /sagesafe/core/flow-logs). None records ALL traffic into /sagesafe/core/flow-logs.")),
	unknown("SS-MON-5", "flow log unknown at plan", network, func(s *Subject, _ *Policy) { s.FlowLog = facts.Unknown[FlowLogState]() }),

	// SS-AVL-1
	pass("SS-AVL-1", "two instances", endpoint, nil),
	pass("SS-AVL-1", "one instance when allowed", endpoint, func(s *Subject, p *Policy) {
		p.MinEndpointInstances = 1
		s.InstanceCount = facts.Known(int64(1))
	}),
	fail("SS-AVL-1", "one instance", endpoint, func(s *Subject, _ *Policy) { s.InstanceCount = facts.Known(int64(1)) },
		errAt(-1, "", "instance_count is 1; min_endpoint_instances requires at least 2")),
	fail("SS-AVL-1", "count unset", endpoint, func(s *Subject, _ *Policy) { s.InstanceCount = facts.Null[int64]() },
		errAt(-1, "", "has no instance count")),
	unknown("SS-AVL-1", "count unknown", endpoint, func(s *Subject, _ *Policy) { s.InstanceCount = facts.Unknown[int64]() }),

	// SS-GOV-1
	pass("SS-GOV-1", "tagged", executionRole, nil),
	nothing("SS-GOV-1", "preflight not asked", preflight, nil, "tags was not given"),
	nothing("SS-GOV-1", "the guardrails require no tags", training, func(s *Subject, p *Policy) {
		p.RequiredTags = nil
		s.Tags = facts.Null[map[string]string]()
	}, "the guardrails require no tags (required_tags is empty)"),
	fail("SS-GOV-1", "tag missing", kmsKey, func(_ *Subject, p *Policy) { p.RequiredTags = []string{"team", "cost-center"} },
		errAt(-1, "cost-center", "required_tags is team, cost-center; its tags (with default_tags) are team.")),
	fail("SS-GOV-1", "no tags", training, func(s *Subject, _ *Policy) { s.Tags = facts.Null[map[string]string]() },
		errAt(-1, "team", "its tags (with default_tags) are none")),
	unknown("SS-GOV-1", "tags unknown", training, func(s *Subject, _ *Policy) { s.Tags = facts.Unknown[map[string]string]() }),
	pass("SS-GOV-1", "budget tagged", budget, nil),
	fail("SS-GOV-1", "budget without the tag", budget, func(s *Subject, _ *Policy) { s.Tags = facts.Known(map[string]string{"owner": "finops"}) },
		errAt(-1, "team", "its tags (with default_tags) are owner")),

	// SS-GOV-2
	pass("SS-GOV-2", "allowed family", training, nil),
	nothing("SS-GOV-2", "empty list allows all", training, func(s *Subject, p *Policy) {
		p.AllowedInstanceTypes = nil
		s.InstanceType = facts.Known("ml.p4d.24xlarge")
	}, "the guardrails allow every instance type (allowed_instance_types is empty)"),
	fail("SS-GOV-2", "other family", endpoint, func(s *Subject, _ *Policy) { s.InstanceType = facts.Known("ml.p4d.24xlarge") },
		errAt(-1, "ml.p4d.24xlarge", "ml.p4d.24xlarge matches none of allowed_instance_types (ml.m5.*, ml.g5.*)")),
	unknown("SS-GOV-2", "type unknown", training, func(s *Subject, _ *Policy) { s.InstanceType = facts.Unknown[string]() }),

	// SS-GOV-3
	pass("SS-GOV-3", "an hour", training, nil),
	nothing("SS-GOV-3", "no limit", training, func(s *Subject, p *Policy) {
		p.MaxTrainingRuntimeSeconds = 0
		s.MaxRuntimeSeconds = facts.Known(int64(3000000))
	}, "the guardrails set no runtime limit"),
	fail("SS-GOV-3", "too long", training, func(s *Subject, _ *Policy) { s.MaxRuntimeSeconds = facts.Known(int64(300000)) },
		errAt(-1, "", "max_runtime_seconds is 300000; max_training_runtime_seconds allows at most 259200")),
	fail("SS-GOV-3", "unset", training, func(s *Subject, _ *Policy) { s.MaxRuntimeSeconds = facts.Null[int64]() },
		errAt(-1, "", "has no maximum runtime")),
	unknown("SS-GOV-3", "runtime unknown", training, func(s *Subject, _ *Policy) { s.MaxRuntimeSeconds = facts.Unknown[int64]() }),

	// SS-SUP-1
	pass("SS-SUP-1", "ECR image by digest", training, nil),
	pass("SS-SUP-1", "this account's ECR when no list", endpoint, func(_ *Subject, p *Policy) { p.AllowedImageAccounts = nil }),
	fail("SS-SUP-1", "another account's ECR when no list", endpoint, func(s *Subject, p *Policy) {
		p.AllowedImageAccounts = nil
		s.Image = facts.Known("999999999999.dkr.ecr.eu-west-1.amazonaws.com/trainer@" + testDigest)
	}, errAt(-1, "999999999999.dkr.ecr.eu-west-1.amazonaws.com/trainer@"+testDigest, "images may come from this account and allowed_image_accounts: 111122223333.")),
	pass("SS-SUP-1", "an account the list allows", endpoint, func(s *Subject, p *Policy) {
		p.AllowedImageAccounts = []string{"763104351884"}
		s.Image = facts.Known("763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference:2.3-cpu@" + testDigest)
	}),
	fail("SS-SUP-1", "Docker Hub image", training, func(s *Subject, _ *Policy) { s.Image = facts.Known("pytorch/pytorch:2.3") },
		errAt(-1, "pytorch/pytorch:2.3", "is not an Amazon ECR image URI")),
	fail("SS-SUP-1", "foreign account, by tag", endpoint, func(s *Subject, _ *Policy) {
		s.Image = facts.Known("763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference:2.3-cpu")
	},
		errAt(-1, "763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference:2.3-cpu", "images may come from this account and allowed_image_accounts: 111122223333"),
		warnAt(-1, "763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference:2.3-cpu", `tag "2.3-cpu"`)),
	fail("SS-SUP-1", "no tag means latest", training, func(s *Subject, _ *Policy) { s.Image = facts.Known(testRepo) },
		warnAt(-1, testRepo, `tag "latest"`)),
	fail("SS-SUP-1", "no image", training, func(s *Subject, _ *Policy) { s.Image = facts.Null[string]() },
		errAt(-1, "", "has no container image")),
	unknown("SS-SUP-1", "image unknown", training, func(s *Subject, _ *Policy) { s.Image = facts.Unknown[string]() }),
	// This account unknown (the provider did not learn it): fail closed,
	// only the listed accounts pass.
	fail("SS-SUP-1", "this account unknown and no list", training, func(s *Subject, p *Policy) {
		s.AccountID, p.AllowedImageAccounts = "", nil
	}, errAt(-1, testRepo+"@"+testDigest, "images may come from this account and allowed_image_accounts: none (this account is not known to the provider")),
	pass("SS-SUP-1", "this account unknown, image account listed", training, func(s *Subject, p *Policy) {
		s.AccountID, p.AllowedImageAccounts = "", []string{testAccount}
	}),

	// SS-AUD-1
	pass("SS-AUD-1", "multi-region trail logging all management events", auditTrail, nil),
	pass("SS-AUD-1", "preflight: existing trail", auditPreflight, nil),
	fail("SS-AUD-1", "logging stopped, single region, write only, KMS excluded", auditTrail, trail(func(t *facts.TrailFact) {
		t.Logging, t.MultiRegion, t.ManagementEvents, t.ExcludedSources = false, false, "WriteOnly", []string{"kms.amazonaws.com"}
	}), errAt(-1, "ml-audit", "it records only its home region; its logging is stopped; it records only WriteOnly management events; it excludes the management events of kms.amazonaws.com")),
	fail("SS-AUD-1", "no management events", auditTrail, trail(func(t *facts.TrailFact) { t.ManagementEvents = "" }),
		errAt(-1, "ml-audit", "it records no management events")),
	fail("SS-AUD-1", "preflight: account has no trail", auditPreflight, trail(func(t *facts.TrailFact) { *t = facts.TrailFact{} }),
		errAt(-1, "", "the account has no CloudTrail trail")),
	unknown("SS-AUD-1", "trail created by the apply", auditTrail, atPlan),
	nothing("SS-AUD-1", "preflight not asked", auditPreflight, func(s *Subject, _ *Policy) { s.Audit.Live = facts.Null[facts.TrailFact]() }, "trail was not given"),

	// SS-COST-1
	pass("SS-COST-1", "SageMaker budget notifying the ops topic", budget, nil),
	pass("SS-COST-1", "one of two notifications has a subscriber", budget, budgetEdit(func(b *Budget) { b.Notifications[1].Subscribers = nil })),
	fail("SS-COST-1", "nobody notified", budget, budgetEdit(func(b *Budget) { b.Notifications = nil }),
		errAt(-1, "ml-spend", "no notification tells a subscriber")),
	fail("SS-COST-1", "notifications without subscribers", budget, budgetEdit(func(b *Budget) {
		b.Notifications = []BudgetNotification{{Type: "ACTUAL", Comparison: "GREATER_THAN", Unit: "PERCENTAGE", Percent: 80}}
	}), errAt(-1, "ml-spend", "no notification tells a subscriber")),
	fail("SS-COST-1", "zero limit", budget, budgetEdit(func(b *Budget) { b.LimitUSD = 0 }),
		errAt(-1, "ml-spend", "its limit is 0 USD")),
	fail("SS-COST-1", "filter changed to another service", budget, budgetEdit(func(b *Budget) { b.Services = []string{"Amazon Elastic Compute Cloud - Compute"} }),
		errAt(-1, "ml-spend", "not only \"Amazon SageMaker\"")),
	fail("SS-COST-1", "limit too high to cap anything, threshold never reached", budget, budgetEdit(func(b *Budget) {
		b.LimitUSD = 1e12
		b.Notifications = []BudgetNotification{{Type: "ACTUAL", Comparison: "GREATER_THAN", Unit: "PERCENTAGE", Percent: 1e9, Subscribers: []string{testTopic}}}
	}), errAt(-1, "ml-spend", "its limit is 1e+12 USD")),
	fail("SS-COST-1", "odd type, negative threshold, topic of another account", budget, budgetEdit(func(b *Budget) {
		b.Notifications = []BudgetNotification{{Type: "bogus", Comparison: "GREATER_THAN", Unit: "PERCENTAGE", Percent: -5,
			Subscribers: []string{"arn:aws:sns:eu-west-1:999999999999:not-ours"}}}
	}), errAt(-1, "ml-spend", "no notification tells a subscriber in time")),
	fail("SS-COST-1", "only topics of another account or region", budget, budgetEdit(func(b *Budget) {
		b.Notifications[0].Subscribers = []string{"arn:aws:sns:eu-west-1:999999999999:ml-alerts"}
		b.Notifications[1].Subscribers = []string{"arn:aws:sns:us-east-1:111122223333:ml-alerts", "finops@example.com"}
	}), errAt(-1, "ml-spend", "no notification tells a subscriber in time")),
	fail("SS-COST-1", "ACTUAL above 100 %, FORECASTED above 200 %", budget, budgetEdit(func(b *Budget) {
		b.Notifications[0].Percent, b.Notifications[1].Percent = 100.5, 201
	}), errAt(-1, "ml-spend", "no notification tells a subscriber in time")),
	pass("SS-COST-1", "ACTUAL at 100 %, FORECASTED at 200 %", budget, budgetEdit(func(b *Budget) {
		b.Notifications[0].Percent, b.Notifications[1].Percent = 100, 200
	})),
	fail("SS-COST-1", "only a forecast tells (no forecast for about five weeks)", budget, budgetEdit(func(b *Budget) {
		b.Notifications[0].Subscribers = nil
	}), errAt(-1, "ml-spend", "only FORECASTED notifications tell a subscriber")),
	fail("SS-COST-1", "counting starts in 2099, limit follows spending", budget, budgetEdit(func(b *Budget) {
		b.Now, b.Start, b.End = time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC), time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
		b.AutoAdjust = true
	}), errAt(-1, "ml-spend", "its limit follows past or forecast spending (AutoAdjustData), so it caps nothing; it counts spending only from 2099-01-01.")),
	fail("SS-COST-1", "counting stops within a month", budget, budgetEdit(func(b *Budget) {
		b.Now, b.Start, b.End = time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 20, 0, 0, 0, 0, time.UTC)
	}), errAt(-1, "ml-spend", "it stops counting on 2026-12-20")),
	pass("SS-COST-1", "this month to 2087 (AWS's default period)", budget, budgetEdit(func(b *Budget) {
		b.Now, b.Start, b.End = time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2087, 6, 15, 0, 0, 0, 0, time.UTC)
	})),
	fail("SS-COST-1", "less than, or an absolute value", budget, budgetEdit(func(b *Budget) {
		b.Notifications[0].Comparison = "LESS_THAN"
		b.Notifications[1].Unit = "ABSOLUTE_VALUE"
	}), errAt(-1, "ml-spend", "no notification tells a subscriber in time")),
	fail("SS-COST-1", "net of credits and refunds", budget, budgetEdit(func(b *Budget) { b.Offsets = []string{"credits", "refunds"} }),
		errAt(-1, "ml-spend", "net of credits and refunds (its filter does not exclude RECORD_TYPE Credit and Refund")),
	fail("SS-COST-1", "net of refunds alone", budget, budgetEdit(func(b *Budget) { b.Offsets = []string{"refunds"} }),
		errAt(-1, "ml-spend", "net of refunds (its filter")),
	fail("SS-COST-1", "topic does not exist", budget, func(s *Subject, _ *Policy) {
		budgetEdit(func(b *Budget) { b.Topics = map[string]BudgetTopic{testTopic: {}} })(s, nil)
		s.Stage = StageApply
	}, errAt(-1, testTopic, "does not exist")),
	fail("SS-COST-1", "topic's policy does not let AWS Budgets publish (live)", budget, func(s *Subject, _ *Policy) {
		budgetEdit(func(b *Budget) {
			b.Topics = map[string]BudgetTopic{testTopic: {Found: true, Refused: "no statement allows it"}}
		})(s, nil)
		s.Stage = StageLive
	}, errAt(-1, testTopic, "does not let AWS Budgets publish")),
	fail("SS-COST-1", "topic missing at plan: the same apply may create it", budget, budgetEdit(func(b *Budget) { b.Topics = map[string]BudgetTopic{testTopic: {}} }),
		warnAt(-1, testTopic, "checked again before the budget is created")),
	fail("SS-COST-1", "topic takes notifications from any account's budget", budget, budgetEdit(func(b *Budget) {
		b.Topics = map[string]BudgetTopic{testTopic: {Found: true, Unscoped: true}}
	}), warnAt(-1, testTopic, "without an aws:SourceAccount")),
	fail("SS-COST-1", "the topic's key could not be judged: not held", budget, func(s *Subject, _ *Policy) {
		budgetEdit(func(b *Budget) {
			b.Topics = map[string]BudgetTopic{testTopic: {Found: true, KeyUnverified: "the policy of its KMS key k cannot be read (AccessDenied)"}}
		})(s, nil)
		s.Stage = StageLive
	}, warnAt(-1, testTopic, "whether AWS Budgets may use the key")),
	unknown("SS-COST-1", "topic not looked up", budget, budgetEdit(func(b *Budget) { b.Topics = nil })),
	unknown("SS-COST-1", "topics known after apply", budget, func(s *Subject, _ *Policy) { s.Budget = facts.Unknown[Budget]() }),

	// SS-AUD-2
	pass("SS-AUD-2", "encrypted with the given key, validated", auditTrail, nil),
	fail("SS-AUD-2", "no key, no validation", auditTrail, trail(func(t *facts.TrailFact) { t.KMSKeyARN, t.LogFileValidation = "", false }),
		errAt(-1, "ml-audit", "not encrypted with a customer-managed key"), errAt(-1, "ml-audit", "log file validation off")),
	fail("SS-AUD-2", "key changed out of band", auditTrail, trail(func(t *facts.TrailFact) { t.KMSKeyARN = testKey + "0" }),
		errAt(-1, "ml-audit", "kms_key_arn is "+testKey)),
	fail("SS-AUD-2", "key of another account at plan", auditTrail, func(s *Subject, p *Policy) {
		atPlan(s, p)
		s.Audit.KMSKeyARN = facts.Known("arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab")
	}, errAt(-1, "arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab", "belongs to account 444455556666")),
	pass("SS-AUD-2", "key of an allowed account", auditTrail, func(s *Subject, p *Policy) {
		k := "arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"
		p.AllowedKeyAccounts = []string{"444455556666"}
		s.Audit.KMSKeyARN = facts.Known(k)
		trail(func(t *facts.TrailFact) { t.KMSKeyARN = k })(s, p)
	}),
	fail("SS-AUD-2", "an alias is not a key ARN", auditTrail, func(s *Subject, p *Policy) {
		atPlan(s, p)
		s.Audit.KMSKeyARN = facts.Known("arn:aws:kms:eu-west-1:111122223333:alias/ml")
	}, errAt(-1, "arn:aws:kms:eu-west-1:111122223333:alias/ml", "is not a KMS key ARN")),
	unknown("SS-AUD-2", "key unknown at plan", auditTrail, func(s *Subject, p *Policy) {
		atPlan(s, p)
		s.Audit.KMSKeyARN = facts.Unknown[string]()
	}),

	// SS-AUD-3
	pass("SS-AUD-3", "private versioned bucket", auditTrail, nil),
	fail("SS-AUD-3", "bucket policy replaced, versioning suspended", auditTrail, trail(func(t *facts.TrailFact) { t.TLSOnly, t.Versioned = false, false }),
		errAt(-1, "ml-audit-logs", "its policy does not deny requests without TLS (aws:SecureTransport false); versioning is not enabled")),
	fail("SS-AUD-3", "ACLs and public access", auditTrail, trail(func(t *facts.TrailFact) { t.BucketOwnerEnforced, t.PublicAccessBlocked = false, false }),
		errAt(-1, "ml-audit-logs", "object ownership is not BucketOwnerEnforced")),
	unknown("SS-AUD-3", "bucket created by the apply", auditTrail, atPlan),
	nothing("SS-AUD-3", "preflight: no trail", auditPreflight, trail(func(t *facts.TrailFact) { *t = facts.TrailFact{} }), "the account has no trail (SS-AUD-1)"),

	// SS-AUD-4
	pass("SS-AUD-4", "encrypted log group kept a year", auditTrail, nil),
	pass("SS-AUD-4", "log group never expires", auditPreflight, trail(func(t *facts.TrailFact) { t.LogGroupRetentionDays = 0 })),
	fail("SS-AUD-4", "retention 0 at plan", auditTrail, func(s *Subject, p *Policy) {
		atPlan(s, p)
		s.Audit.RetentionDays = facts.Known(int64(0))
	}, errAt(-1, "", "retention_days is 0; min_log_retention_days requires at least 365")),
	fail("SS-AUD-4", "no log group", auditPreflight, trail(func(t *facts.TrailFact) { t.LogGroup = "" }),
		errAt(-1, "ml-audit", "delivers to no CloudWatch Logs group")),
	fail("SS-AUD-4", "unencrypted, short retention", auditTrail, trail(func(t *facts.TrailFact) { t.LogGroupKMSKeyARN, t.LogGroupRetentionDays = "", 30 }),
		errAt(-1, "/sagesafe/ml-audit/trail", "no kmsKeyId"), errAt(-1, "/sagesafe/ml-audit/trail", "Its retention is 30 days")),
	unknown("SS-AUD-4", "retention unknown", auditTrail, func(s *Subject, p *Policy) {
		atPlan(s, p)
		s.Audit.RetentionDays = facts.Unknown[int64]()
	}),

	// SS-AUD-5
	pass("SS-AUD-5", "every class watched", auditTrail, nil),
	fail("SS-AUD-5", "a filter deleted, an alarm without actions", auditTrail, trail(func(t *facts.TrailFact) {
		t.MetricFilters = slices.DeleteFunc(slices.Clone(t.MetricFilters), func(f facts.MetricFilterFact) bool { return f.Name == "ml-audit-kms_key_disabled" })
		t.Alarms = slices.Clone(t.Alarms)
		t.Alarms[len(t.Alarms)-1].Actions = nil
	}), errAt(2, "kms_key_disabled", "No metric filter on /sagesafe/ml-audit/trail has exactly the pattern {($.eventSource=kms.amazonaws.com)"),
		errAt(len(AuditEventClasses)-1, "unauthorized_api_calls", "notify nobody")),
	fail("SS-AUD-5", "a CIS pattern with an extra term does not count", auditPreflight, trail(func(t *facts.TrailFact) {
		t.MetricFilters = slices.Clone(t.MetricFilters)
		t.MetricFilters[3].Pattern = strings.Replace(t.MetricFilters[3].Pattern, "{", "{($.eventSource=iam.amazonaws.com) && (", 1) + ")"
		t.Alarms = t.Alarms[:0:0]
	}), auditAllMissingAlarms()...),
	fail("SS-AUD-5", "no alarm_actions at plan", auditTrail, func(s *Subject, p *Policy) {
		atPlan(s, p)
		s.Audit.AlarmActions = facts.Known([]string{})
	}, errAt(-1, "", "nor the provider's name a topic")),
	fail("SS-AUD-5", "audit alarms to another account's topic", auditTrail, func(s *Subject, _ *Policy) {
		s.Audit.AlarmActions = facts.Known([]string{"arn:aws:sns:eu-west-1:999999999999:exfil"})
	}, warnAt(-1, "arn:aws:sns:eu-west-1:999999999999:exfil (account 999999999999)", "the audit alarms of audit trail \"ml-audit\": notifications go outside this account")),
	fail("SS-AUD-5", "the audit alarms' topic does not exist", auditTrail, func(s *Subject, _ *Policy) {
		s.Stage = StageLive
		s.Facts.Topics[testTopic] = facts.TopicFact{ARN: testTopic}
	}, errAt(-1, testTopic, "SNS does not know "+testTopic)),
	fail("SS-AUD-5", "nobody subscribed to the audit alarms' topic", auditTrail, topicFact(func(t *facts.TopicFact) { t.Confirmed = 0 }),
		warnAt(-1, testTopic, "has no confirmed subscription")),
	unknown("SS-AUD-5", "filters created by the apply", auditTrail, atPlan),
	nothing("SS-AUD-5", "no log group", auditPreflight, trail(func(t *facts.TrailFact) { t.LogGroup = "" }), "delivers to no log group (SS-AUD-4)"),
}

// withBoundary sets the guardrails' boundary to the organisation's and gives
// the subject one role whose boundary is have.
func withBoundary(have string) func(*Subject, *Policy) {
	return func(s *Subject, p *Policy) {
		orgBoundary(s, p)
		s.RoleBoundaries = []RoleBoundary{{Role: "churn-exec", Boundary: facts.Known(have)}}
	}
}

// orgBoundary sets the guardrails' boundary to the organisation's, a policy
// that exists and lets no role out of its cap (as fetched).
func orgBoundary(s *Subject, p *Policy) {
	p.RoleBoundaryARN = "arn:aws:iam::" + testAccount + ":policy/org-boundary"
	if s.Facts.Policies == nil {
		s.Facts.Policies = map[string]facts.PolicyFact{}
	}
	s.Facts.Policies[p.RoleBoundaryARN] = facts.PolicyFact{ARN: p.RoleBoundaryARN, Found: true}
}

// givenRoleBoundary sets the guardrails' boundary to the organisation's and
// the boundary of the workload's execution role (as fetched) to have.
func givenRoleBoundary(have string) func(*Subject, *Policy) {
	return func(s *Subject, p *Policy) {
		orgBoundary(s, p)
		f := s.Facts.Roles[testRole]
		f.Boundary = have
		s.Facts.Roles[testRole] = f
	}
}

// personaRole is a data scientist persona role with the documents
// iampolicy generates.
func personaRole() *Subject {
	spec := iampolicy.PersonaSpec{
		Persona: iampolicy.PersonaDataScientist, Partition: "aws", Region: testRegion, AccountID: testAccount,
		SubnetIDs: []string{"subnet-0123456789abcdef0"}, SecurityGroupIDs: []string{"sg-0123456789abcdef0"},
		KMSKeyARN:         "arn:aws:kms:" + testRegion + ":" + testAccount + ":key/1234abcd-12ab-34cd-56ef-1234567890ab",
		ExecutionRoleARNs: []string{"arn:aws:iam::" + testAccount + ":role/exec"},
		AccountPrincipals: []string{testAccount},
		SAMLProviderARN:   "arn:aws:iam::" + testAccount + ":saml-provider/sso",
	}
	policy, _, err := iampolicy.PersonaPolicy(spec)
	if err != nil {
		panic(err)
	}
	trust, err := iampolicy.PersonaTrust(spec)
	if err != nil {
		panic(err)
	}
	return &Subject{
		Kind: KindPersonaRole, Name: "scientists", Region: testRegion, AccountID: testAccount, Partition: "aws",
		PersonaRole: facts.Known(PersonaRoleDocuments{Trust: trust.JSON(), Inline: map[string]string{"persona": policy.JSON()}}),
	}
}

func TestChecks(t *testing.T) {
	for _, c := range checkCases {
		t.Run(c.id+"/"+string(c.kind)+"/"+c.name, func(t *testing.T) {
			check := checks[c.id]
			if check == nil {
				t.Fatalf("no check for %s", c.id)
			}
			ctl, _ := Lookup(c.id)
			s, p := c.base(), testPolicy()
			if !ctl.Applies(s.Kind) {
				t.Fatalf("%s does not apply to %s subjects", c.id, s.Kind)
			}
			if c.mut != nil {
				c.mut(s, &p)
			}
			if c.kind == fails && len(c.want) == 0 {
				t.Fatal("a failing case must expect findings")
			}
			var findings []Finding
			var skipped bool
			var idleReasons []string
			for _, f := range check(s, p) {
				if f.Severity != skipSeverity {
					findings = append(findings, f)
					continue
				}
				if f.Control != c.id || f.Field == FieldNone || f.Summary == "" {
					t.Errorf("skip record lacks control, field or reason: %+v", f)
				}
				skipped = true
				if SkipKind(f.Index) == SkipNotApplicable {
					idleReasons = append(idleReasons, f.Summary)
				}
			}
			// A passing case is held: something was checked and passed.
			if c.kind == passes && skipped {
				t.Errorf("a passing case must check something, but the check skipped: %+v", check(s, p))
			}
			if c.kind == idle && !slices.ContainsFunc(idleReasons, func(r string) bool { return strings.Contains(r, c.reason) }) {
				t.Errorf("nothing to check must be recorded with a reason containing %q; got %q", c.reason, idleReasons)
			}
			// An unknown value (or object not looked up) is not checked, and
			// the check says so: the control is "not_checked", never held.
			// (SS-TLS-1's Subject has "" both for an unknown URL and for an
			// unset one, which is the SDK's https default.)
			if c.kind == unknowns && !skipped && c.id != "SS-TLS-1" {
				t.Errorf("an unknown value must be recorded as skipped")
			}
			assertFindings(t, c.id, findings, c.want)
		})
	}
}

func assertFindings(t *testing.T, id string, got []Finding, want []exp) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Control != id || g.Severity != w.sev || g.Index != w.index || g.Object != w.obj {
			t.Errorf("finding %d = {%s %s index %d object %q}, want {%s %s index %d object %q}",
				i, g.Control, g.Severity, g.Index, g.Object, id, w.sev, w.index, w.obj)
		}
		if g.Field == FieldNone || g.Summary == "" || g.Evidence == "" {
			t.Errorf("finding %d lacks field, summary or evidence: %+v", i, g)
		}
		if !strings.Contains(g.Summary+"\n"+g.Evidence, w.text) {
			t.Errorf("finding %d does not mention %q:\nsummary:  %s\nevidence: %s", i, w.text, g.Summary, g.Evidence)
		}
	}
}

// TestEveryControlIsCheckedAndTested fails when a control lacks a check or a
// passing, failing or unknown-value case above.
func TestEveryControlIsCheckedAndTested(t *testing.T) {
	tested := map[string]map[caseKind]bool{}
	for _, c := range checkCases {
		if _, ok := Lookup(c.id); !ok {
			t.Errorf("case %q names unknown control %s", c.name, c.id)
		}
		if tested[c.id] == nil {
			tested[c.id] = map[caseKind]bool{}
		}
		tested[c.id][c.kind] = true
	}
	for _, c := range Catalog {
		if checks[c.ID] == nil {
			t.Errorf("%s has no check", c.ID)
		}
		for _, k := range []caseKind{passes, fails, unknowns} {
			if !tested[c.ID][k] {
				t.Errorf("%s has no %s case", c.ID, k)
			}
		}
	}
	for id := range checks {
		if _, ok := Lookup(id); !ok {
			t.Errorf("check %s is not in the catalog", id)
		}
	}
}

// auditAllMissingAlarms is SS-AUD-5's findings when no alarm exists and the
// IAM policy filter (class 3) is not the CIS pattern.
func auditAllMissingAlarms() []exp {
	var want []exp
	for i, c := range AuditEventClasses {
		text := "No alarm watches the metric"
		if i == 3 {
			text = "No metric filter on /sagesafe/ml-audit/trail has exactly the pattern"
		}
		want = append(want, errAt(i, c.Name, text))
	}
	return want
}

// TestAuditPatternsFitCloudWatch: CloudWatch Logs refuses a filter pattern
// over 1024 characters, and a class name doubles as a filter name suffix.
func TestAuditPatternsFitCloudWatch(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range AuditEventClasses {
		if len(c.Pattern) > 1024 || seen[c.Name] || c.Source == "" || c.Title == "" {
			t.Errorf("%s: pattern of %d characters, repeated name or no source/title", c.Name, len(c.Pattern))
		}
		seen[c.Name] = true
	}
}

// topicFact changes the fact of the test topic every alarm notifies.
func topicFact(mut func(*facts.TopicFact)) func(*Subject, *Policy) {
	return func(s *Subject, _ *Policy) {
		t := s.Facts.Topics[testTopic]
		mut(&t)
		s.Facts.Topics[testTopic] = t
	}
}

// requiredTopic is topicFact with require_alarm_actions set: what makes the
// topic reach nobody is then an error.
func requiredTopic(mut func(*facts.TopicFact)) func(*Subject, *Policy) {
	return both(func(_ *Subject, p *Policy) { p.RequireAlarmActions = true }, topicFact(mut))
}
