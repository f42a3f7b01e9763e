package network

import (
	"fmt"
	"maps"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/shared"
)

// Tags the resource sets on every object it creates.
const (
	// TagNetwork holds the network's name on every object; import and
	// teardown find the objects by it.
	TagNetwork = "sagesafe:network"
	// TagRole says what the object is within the network.
	TagRole = "sagesafe:role"
	// TagZone holds the Availability Zone of a subnet and its route table.
	TagZone = "sagesafe:availability-zone"
	tagName = "Name"
)

// Values of TagRole.
const (
	roleVPC               = "vpc"
	roleSubnet            = "private-subnet"
	roleRouteTable        = "route-table"
	roleWorkloadSG        = "workload-security-group"
	roleEndpointSG        = "endpoint-security-group"
	roleS3Gateway         = "s3-gateway-endpoint"
	roleInterfaceEndpoint = "interface-endpoint"
	roleFlowLog           = "flow-log"
	roleFlowLogRole       = "flow-log-role"
	roleFlowLogGroup      = "flow-log-group"
)

// flowLogPolicyName is the name of the delivery role's inline policy.
const flowLogPolicyName = "vpc-flow-logs-delivery"

// s3Key is the key of the gateway endpoint in vpc_endpoint_ids.
const s3Key = "s3"

// reservedTag reports whether a tag key is set by the resource itself.
func reservedTag(k string) bool {
	return k == tagName || strings.HasPrefix(k, "sagesafe:")
}

// spec is the desired network: everything reconcile, observe and drift need.
type spec struct {
	Name          string
	CIDR          string
	AZs           []string
	SubnetCIDRs   []string // SubnetCIDRs[i] is in AZs[i]
	KMSKeyARN     string
	RetentionDays int64
	Services      []string          // interface endpoint short names, sorted
	Tags          map[string]string // default_tags merged with tags, no reserved keys
	// Boundary is the permissions boundary the flow-log role must carry:
	// the provider's role_permissions_boundary_arn (SS-IAM-5), "" for none
	// required (a boundary the role has is then left alone).
	Boundary string

	Region    string
	Partition string
	AccountID string
}

// LogGroupName is the flow-log group of the network called name.
func LogGroupName(name string) string { return "/sagesafe/network/" + name + "/flow-logs" }

// RoleName is the flow-log delivery role of the network called name in region.
func RoleName(name, region string) string { return name + "-flow-logs-" + region }

func (s spec) logGroupName() string { return LogGroupName(s.Name) }
func (s spec) roleName() string     { return RoleName(s.Name, s.Region) }

func (s spec) roleARN() string {
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", s.Partition, s.AccountID, s.roleName())
}

// serviceName is the VPC endpoint service name of a short name.
func (s spec) serviceName(short string) string {
	prefix := "com.amazonaws."
	if s.Partition == "aws-cn" {
		prefix = "cn.com.amazonaws."
	}
	return prefix + s.Region + "." + short
}

// shortService is the inverse of serviceName; ok is false for services of
// another region or naming scheme.
func (s spec) shortService(full string) (string, bool) {
	for _, prefix := range []string{"com.amazonaws." + s.Region + ".", "cn.com.amazonaws." + s.Region + "."} {
		if short, ok := strings.CutPrefix(full, prefix); ok {
			return short, true
		}
	}
	return "", false
}

func (s spec) s3PrefixListName() string { return s.serviceName("s3") }

// tags returns every tag an object with the given role and Name suffix
// carries (suffix "" names it after the network).
func (s spec) tags(role, suffix string, extra map[string]string) map[string]string {
	out := maps.Clone(s.Tags)
	if out == nil {
		out = map[string]string{}
	}
	name := s.Name
	if suffix != "" {
		name += "-" + suffix
	}
	out[tagName] = name
	out[TagNetwork] = s.Name
	out[TagRole] = role
	maps.Copy(out, extra)
	return out
}

func (s spec) ec2Tags(role, suffix string, extra map[string]string) []ec2types.Tag {
	return shared.TagList(s.tags(role, suffix, extra), ec2Tag)
}

func (s spec) tagSpec(rt ec2types.ResourceType, role, suffix string, extra map[string]string) []ec2types.TagSpecification {
	return []ec2types.TagSpecification{{ResourceType: rt, Tags: s.ec2Tags(role, suffix, extra)}}
}

// ec2Tag and ec2TagKeyValue adapt shared.TagList and shared.TagMap to EC2's
// tag type.
func ec2Tag(k, v *string) ec2types.Tag { return ec2types.Tag{Key: k, Value: v} }

func ec2TagKeyValue(t ec2types.Tag) (k, v *string) { return t.Key, t.Value }

// s3EndpointPolicy renders the S3 gateway endpoint's policy: buckets of this
// account plus ECR's layer bucket (iampolicy.S3GatewayEndpointPolicy says
// which and why).
func (s spec) s3EndpointPolicy() (string, error) {
	d, err := iampolicy.S3GatewayEndpointPolicy(s.Partition, s.Region, s.AccountID)
	if err != nil {
		return "", fmt.Errorf("building the S3 gateway endpoint's policy: %w", err)
	}
	return d.JSON(), nil
}

// flowLogDocuments renders the delivery role's trust policy and inline
// policy for this network.
func (s spec) flowLogDocuments() (trust, policy string, err error) {
	t, err := iampolicy.FlowLogsTrustPolicy(s.Partition, s.Region, s.AccountID)
	if err != nil {
		return "", "", fmt.Errorf("building the flow-log role's trust policy: %w", err)
	}
	p, err := iampolicy.FlowLogsPolicy(s.Partition, s.Region, s.AccountID, s.logGroupName())
	if err != nil {
		return "", "", fmt.Errorf("building the flow-log role's policy: %w", err)
	}
	return t.JSON(), p.JSON(), nil
}

// Desired security group rules. A rule is one atom: one protocol/port range
// and one peer (security group, prefix list or CIDR).
type rule struct {
	Proto string // "-1", "tcp", ...
	From  int32  // -1 when the protocol has no ports
	To    int32
	Peer  string // "sg-...", "pl-...", CIDR or IPv6 CIDR
	Desc  string // for humans; not compared
}

// key identifies a rule for comparison (the description is ignored).
func (r rule) key() string { return fmt.Sprintf("%s|%d|%d|%s", r.Proto, r.From, r.To, r.Peer) }

// String phrases a rule: "tcp 443 sg-0abc", "all traffic sg-0abc".
func (r rule) String() string {
	ports := "all traffic"
	switch {
	case r.Proto == "-1":
	case r.From == r.To:
		ports = fmt.Sprintf("%s %d", r.Proto, r.From)
	default:
		ports = fmt.Sprintf("%s %d-%d", r.Proto, r.From, r.To)
	}
	return ports + " " + r.Peer
}

// groupRules are the desired rules of one security group.
type groupRules struct {
	Ingress, Egress []rule
}

// workloadRules: members talk to each other on every port (distributed
// training needs both directions), and reach the interface endpoints and S3
// over HTTPS only.
func workloadRules(workload, endpoint, prefixList string) groupRules {
	return groupRules{
		Ingress: []rule{{Proto: "-1", From: -1, To: -1, Peer: workload, Desc: "sagesafe: between members (distributed training)"}},
		Egress: []rule{
			{Proto: "-1", From: -1, To: -1, Peer: workload, Desc: "sagesafe: between members (distributed training)"},
			{Proto: "tcp", From: 443, To: 443, Peer: endpoint, Desc: "sagesafe: HTTPS to the interface endpoints"},
			{Proto: "tcp", From: 443, To: 443, Peer: prefixList, Desc: "sagesafe: HTTPS to S3 through the gateway endpoint"},
		},
	}
}

// endpointRules: HTTPS in from the workload group only, nothing out.
func endpointRules(workload string) groupRules {
	return groupRules{
		Ingress: []rule{{Proto: "tcp", From: 443, To: 443, Peer: workload, Desc: "sagesafe: HTTPS from the workload security group"}},
	}
}

// rulesOf splits a security group's permissions into rule atoms.
func rulesOf(perms []ec2types.IpPermission) []rule {
	var out []rule
	for _, p := range perms {
		proto := aws.ToString(p.IpProtocol)
		from, to := int32(-1), int32(-1)
		if proto != "-1" {
			if p.FromPort != nil {
				from = *p.FromPort
			}
			if p.ToPort != nil {
				to = *p.ToPort
			}
		}
		base := rule{Proto: proto, From: from, To: to}
		for _, g := range p.UserIdGroupPairs {
			r := base
			r.Peer, r.Desc = aws.ToString(g.GroupId), aws.ToString(g.Description)
			out = append(out, r)
		}
		for _, pl := range p.PrefixListIds {
			r := base
			r.Peer, r.Desc = aws.ToString(pl.PrefixListId), aws.ToString(pl.Description)
			out = append(out, r)
		}
		for _, c := range p.IpRanges {
			r := base
			r.Peer, r.Desc = aws.ToString(c.CidrIp), aws.ToString(c.Description)
			out = append(out, r)
		}
		for _, c := range p.Ipv6Ranges {
			r := base
			r.Peer, r.Desc = aws.ToString(c.CidrIpv6), aws.ToString(c.Description)
			out = append(out, r)
		}
	}
	return out
}

// permission turns one rule atom back into an IpPermission.
func (r rule) permission() ec2types.IpPermission {
	p := ec2types.IpPermission{IpProtocol: aws.String(r.Proto)}
	if r.Proto != "-1" {
		p.FromPort, p.ToPort = aws.Int32(r.From), aws.Int32(r.To)
	}
	desc := nilIfEmpty(r.Desc)
	switch {
	case strings.HasPrefix(r.Peer, "sg-"):
		p.UserIdGroupPairs = []ec2types.UserIdGroupPair{{GroupId: aws.String(r.Peer), Description: desc}}
	case strings.HasPrefix(r.Peer, "pl-"):
		p.PrefixListIds = []ec2types.PrefixListId{{PrefixListId: aws.String(r.Peer), Description: desc}}
	case strings.Contains(r.Peer, ":"):
		p.Ipv6Ranges = []ec2types.Ipv6Range{{CidrIpv6: aws.String(r.Peer), Description: desc}}
	default:
		p.IpRanges = []ec2types.IpRange{{CidrIp: aws.String(r.Peer), Description: desc}}
	}
	return p
}

func nilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// diffRules returns the live rules that are not wanted and the wanted rules
// that are missing.
func diffRules(want, have []rule) (extra, missing []rule) {
	wantKeys := map[string]bool{}
	for _, r := range want {
		wantKeys[r.key()] = true
	}
	haveKeys := map[string]bool{}
	for _, r := range have {
		haveKeys[r.key()] = true
		if !wantKeys[r.key()] {
			extra = append(extra, r)
		}
	}
	for _, r := range want {
		if !haveKeys[r.key()] {
			missing = append(missing, r)
		}
	}
	return extra, missing
}
