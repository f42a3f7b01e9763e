package guardrail

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/iampolicy"
)

// Conventions shared by every check:
//   - an Unknown value is skipped: it is checked again at apply;
//   - in a preflight a Null value means "not asked" and is skipped; for other
//     kinds a Null value the workload needs is a finding;
//   - an ID absent from a Facts map was not fetched and is skipped; one that is
//     present with Found=false is reported as missing, by the control that
//     needs it;
//   - a check that has nothing to check says so (r.nothingToCheck): the
//     guardrails require nothing of it, the workload has none of what it
//     checks, or the object it checks is missing (another control's
//     finding). Its control is then "not_checked" with that reason, never
//     held: held means something was checked and passed.

// checks maps every control ID to its check.
var checks = map[string]func(*Subject, Policy) []Finding{
	"SS-NET-1":  checkInVPC,
	"SS-NET-2":  checkPrivateSubnets,
	"SS-NET-3":  checkSecurityGroups,
	"SS-NET-4":  checkNetworkIsolation,
	"SS-NET-5":  checkMultiAZ,
	"SS-NET-6":  checkS3GatewayRoute,
	"SS-NET-7":  checkDefaultSecurityGroup,
	"SS-NET-8":  checkInterfaceEndpoints,
	"SS-ENC-1":  checkOutputKey,
	"SS-ENC-2":  checkVolumeKey,
	"SS-ENC-3":  checkInterContainerEncryption,
	"SS-ENC-4":  checkDataCaptureKey,
	"SS-ENC-5":  checkLogGroupKeys,
	"SS-KMS-1":  checkKeyUsable,
	"SS-KMS-2":  checkKeyRotation,
	"SS-TLS-1":  checkEndpointTLS,
	"SS-TLS-2":  checkS3Transport,
	"SS-DATA-1": checkBucketEncryption,
	"SS-DATA-2": checkBucketOwner,
	"SS-IAM-1":  checkRoleTrust,
	"SS-IAM-2":  checkRolePermissions,
	"SS-IAM-3":  checkPersonaLaunch,
	"SS-IAM-4":  checkPersonaTrust,
	"SS-IAM-5":  checkRoleBoundary,
	"SS-MON-1":  checkAlarmsEnabled,
	"SS-MON-2":  checkAlarmActions,
	"SS-MON-3":  checkLogRetention,
	"SS-MON-4":  checkDeployment,
	"SS-MON-5":  checkFlowLog,
	"SS-MON-6":  checkAnomalyAlarms,
	"SS-MON-7":  checkCaptureForMonitor,
	"SS-AVL-1":  checkInstanceCount,
	"SS-AVL-2":  checkScalingBounds,
	"SS-GOV-1":  checkRequiredTags,
	"SS-GOV-2":  checkInstanceTypeAllowed,
	"SS-GOV-3":  checkMaxRuntime,
	"SS-SUP-1":  checkImageSource,
	"SS-AUD-1":  checkTrailRecording,
	"SS-AUD-2":  checkTrailEncryption,
	"SS-AUD-3":  checkTrailBucket,
	"SS-AUD-4":  checkTrailLogGroup,
	"SS-AUD-5":  checkTrailAlarms,
	"SS-COST-1": checkBudget,
}

// ---- network ----

func checkInVPC(s *Subject, _ Policy) []Finding {
	r := report{id: "SS-NET-1"}
	for _, l := range []struct {
		v     facts.Value[[]string]
		field Field
		what  string
	}{
		{s.SubnetIDs, FieldSubnetIDs, "subnets"},
		{s.SecurityGroupIDs, FieldSecurityGroupIDs, "security groups"},
	} {
		state := "empty"
		switch need(s, l.v) {
		case skip:
			r.skipValue(s, l.field, l.v.State)
			continue
		case absent:
			state = "not set"
		case present:
			if len(l.v.V) > 0 {
				continue
			}
		}
		r.add(SeverityError, l.field, -1, "", fmt.Sprintf("%s has no %s", label(s), l.what),
			fmt.Sprintf("%s is %s, so SageMaker would run the instances outside your VPC.", l.field, state))
	}
	oneVPC(s, &r)
	return r.out
}

// vpcMember is a subnet or security group of a workload and its VPC.
type vpcMember struct {
	field      Field
	index      int
	what, id   string
	vpc        string
	descriptor string // "subnet subnet-a (vpc-1)"
}

// oneVPC reports every subnet and security group that is not in the VPC of
// the workload's first subnet (or, without subnets, of its first group).
// Objects not looked up, missing (SS-NET-2 and SS-NET-3 report those) or of
// unknown VPC are left out.
func oneVPC(s *Subject, r *report) {
	var members []vpcMember
	add := func(field Field, what string, ids []string, vpcOf func(string) (vpc string, fetched, found bool)) {
		for i, id := range ids {
			vpc, fetched, found := vpcOf(id)
			switch {
			case !fetched:
				r.notLookedUp(field, what+" "+id)
			case found && vpc != "":
				members = append(members, vpcMember{field: field, index: i, what: what, id: id, vpc: vpc,
					descriptor: what + " " + id + " (" + vpc + ")"})
			}
		}
	}
	add(FieldSubnetIDs, "subnet", known(s.SubnetIDs), func(id string) (string, bool, bool) {
		f, ok := s.Facts.Subnets[id]
		return f.VPCID, ok, f.Found
	})
	add(FieldSecurityGroupIDs, "security group", known(s.SecurityGroupIDs), func(id string) (string, bool, bool) {
		f, ok := s.Facts.SecurityGroups[id]
		return f.VPCID, ok, f.Found
	})
	if len(members) == 0 {
		return
	}
	home := members[0]
	all := make([]string, len(members))
	for i, m := range members {
		all[i] = m.descriptor
	}
	for _, m := range members {
		if m.vpc == home.vpc {
			continue
		}
		r.add(SeverityError, m.field, m.index, m.id,
			fmt.Sprintf("%s %s is in %s, another VPC than %s", m.what, m.id, m.vpc, home.descriptor),
			fmt.Sprintf("The subnets and security groups of %s are in more than one VPC: %s. SageMaker attaches the instances' network interfaces "+
				"to the subnets with the security groups, so all of them must be in one VPC, the one whose routes, endpoints and flow logs the other controls check. "+
				"Use subnets and security groups of one VPC.",
				label(s), strings.Join(all, ", ")))
	}
}

func checkPrivateSubnets(s *Subject, _ Policy) []Finding {
	r := report{id: "SS-NET-2"}
	r.skipList(s, FieldSubnetIDs, s.SubnetIDs)
	for i, id := range known(s.SubnetIDs) {
		f, fetched := s.Facts.Subnets[id]
		switch {
		case !fetched:
			r.notLookedUp(FieldSubnetIDs, "subnet "+id)
		case !f.Found:
			r.notFound(s, FieldSubnetIDs, i, "subnet", id)
		case !f.Private:
			r.add(SeverityError, FieldSubnetIDs, i, id, "subnet "+id+" is not private", subnetExposure(f))
		}
	}
	return r.out
}

// subnetExposure says why a subnet is not private: the posture
// assessment's reasons (posture.AssessSubnet), which name each route and
// target at fault and the launch setting.
func subnetExposure(f facts.SubnetFact) string {
	return sentences(f.Reasons, "It was assessed as not private.")
}

func routeTable(f facts.SubnetFact) string {
	if f.RouteTableIsMain {
		return f.RouteTableID + " (the VPC's main route table; the subnet has no explicit association)"
	}
	return f.RouteTableID
}

func checkSecurityGroups(s *Subject, _ Policy) []Finding {
	r := report{id: "SS-NET-3"}
	// Egress to public addresses fails the groups sagesafe creates (the
	// network's) and warns about the groups a workload is given.
	egressSeverity := SeverityWarning
	if s.Kind == KindNetwork {
		egressSeverity = SeverityError
	}
	r.skipList(s, FieldSecurityGroupIDs, s.SecurityGroupIDs)
	for i, id := range known(s.SecurityGroupIDs) {
		f, fetched := s.Facts.SecurityGroups[id]
		switch {
		case !fetched:
			r.notLookedUp(FieldSecurityGroupIDs, "security group "+id)
			continue
		case !f.Found:
			r.notFound(s, FieldSecurityGroupIDs, i, "security group", id)
			continue
		}
		if len(f.OpenIngress) > 0 {
			r.add(SeverityError, FieldSecurityGroupIDs, i, id, "security group "+id+" allows ingress from the internet",
				"It allows "+sentences(f.OpenIngress, "")+" Remove these rules; allow only private ranges or security groups.")
		}
		var egress []string
		for _, e := range f.PublicEgress {
			if e.PrefixList != "" && routedToGatewayEndpoint(s, e.PrefixList) {
				continue // reaches the service through the VPC's gateway endpoint, not the internet
			}
			egress = append(egress, e.Rule)
		}
		if len(egress) > 0 {
			r.add(egressSeverity, FieldSecurityGroupIDs, i, id, "security group "+id+" allows egress to the internet",
				"It allows "+sentences(egress, "")+" Limit outbound rules to private ranges, security groups, and prefix lists the subnets route to a gateway VPC endpoint.")
		}
	}
	return r.out
}

// routedToGatewayEndpoint reports whether every subnet of s is known and
// routes prefix list pl to a gateway VPC endpoint (vpce-), so traffic to
// the list's addresses stays on the AWS network.
func routedToGatewayEndpoint(s *Subject, pl string) bool {
	ids := known(s.SubnetIDs)
	if len(ids) == 0 {
		return false
	}
	for _, id := range ids {
		f, fetched := s.Facts.Subnets[id]
		if !fetched || !f.Found || !slices.ContainsFunc(f.Routes, func(rt facts.Route) bool {
			return rt.Destination == pl && strings.HasPrefix(rt.Target, "vpce-")
		}) {
			return false
		}
	}
	return true
}

func checkNetworkIsolation(s *Subject, _ Policy) []Finding {
	return requireOn(s, "SS-NET-4", s.NetworkIsolation, FieldNetworkIsolation, "network isolation", "EnableNetworkIsolation")
}

func checkMultiAZ(s *Subject, _ Policy) []Finding {
	r := report{id: "SS-NET-5"}
	if r.skipList(s, FieldSubnetIDs, s.SubnetIDs) {
		return r.out
	}
	zones := map[string]bool{}
	var where []string
	for _, id := range known(s.SubnetIDs) {
		f, fetched := s.Facts.Subnets[id]
		if !fetched {
			r.notLookedUp(FieldSubnetIDs, "subnet "+id) // its zone is not known yet
			return r.out
		}
		if f.Found { // a missing subnet is reported by SS-NET-2
			zones[f.AvailabilityZone] = true
			where = append(where, id+" ("+f.AvailabilityZone+")")
		}
	}
	if len(where) == 0 { // missing subnets are SS-NET-2's finding
		r.nothingToCheck(FieldSubnetIDs, "none of the subnets exists (SS-NET-2)")
		return r.out
	}
	if len(zones) >= 2 {
		return nil
	}
	r.add(SeverityError, FieldSubnetIDs, -1, "", label(s)+" spans only one Availability Zone",
		"Its subnets are all in one zone: "+strings.Join(where, ", ")+".")
	return r.out
}

func checkS3GatewayRoute(s *Subject, _ Policy) []Finding {
	r := report{id: "SS-NET-6"}
	r.skipList(s, FieldSubnetIDs, s.SubnetIDs)
	for i, id := range known(s.SubnetIDs) {
		f, fetched := s.Facts.Subnets[id]
		if !fetched {
			r.notLookedUp(FieldSubnetIDs, "subnet "+id)
			continue
		}
		if !f.Found {
			r.nothingToCheck(FieldSubnetIDs, "subnet "+id+" does not exist (SS-NET-2)")
			continue
		}
		if f.HasS3GatewayRoute {
			continue
		}
		r.add(SeverityWarning, FieldSubnetIDs, i, id, "subnet "+id+" has no route to an S3 gateway endpoint",
			fmt.Sprintf("Its route table %s has no route from an S3 prefix list (pl-) to a gateway endpoint (vpce-); its routes are %s.",
				routeTable(f), formatRoutes(f.Routes)))
	}
	return r.out
}

func formatRoutes(routes []facts.Route) string {
	if len(routes) == 0 {
		return "none"
	}
	parts := make([]string, len(routes))
	for i, rt := range routes {
		parts[i] = rt.Destination + " -> " + rt.Target
	}
	return strings.Join(parts, ", ")
}

// The network-only checks below run on what the network observed of its
// live VPC; a Null or Unknown value (a plan) is skipped.

func checkDefaultSecurityGroup(s *Subject, _ Policy) []Finding {
	r := report{id: "SS-NET-7"}
	if !s.DefaultSecurityGroupRules.IsKnown() {
		r.skipLive(FieldDefaultSecurityGroup, "the default security group")
		return r.out
	}
	rules := known(s.DefaultSecurityGroupRules)
	if len(rules) == 0 {
		return nil
	}
	g := orRef(s.DefaultSecurityGroupID, "of the VPC")
	r.add(SeverityError, FieldDefaultSecurityGroup, -1, s.DefaultSecurityGroupID,
		fmt.Sprintf("default security group %s of %s has %d rule(s)", g, label(s), len(rules)),
		"It has the rules "+sentences(rules, "")+" The default security group must have none.")
	return r.out
}

func checkInterfaceEndpoints(s *Subject, _ Policy) []Finding {
	r := report{id: "SS-NET-8"}
	if !s.MissingInterfaceEndpoints.IsKnown() {
		r.skipLive(FieldInterfaceEndpoints, "the interface endpoints")
	}
	for i, svc := range known(s.MissingInterfaceEndpoints) {
		r.add(SeverityError, FieldInterfaceEndpoints, i, svc, "the interface endpoint for "+svc+" is missing",
			fmt.Sprintf("interface_endpoints requires an interface VPC endpoint for %s, and %s has none that is available, so workloads in its private subnets cannot reach %s privately.", svc, label(s), svc))
	}
	return r.out
}

func checkFlowLog(s *Subject, _ Policy) []Finding {
	r := report{id: "SS-MON-5"}
	if !s.FlowLog.IsKnown() {
		r.skipLive(FieldFlowLog, "the VPC's flow logs")
		return r.out
	}
	if s.FlowLog.V.Recording != "" {
		return nil
	}
	f := s.FlowLog.V
	group := orRef(f.LogGroup, "its log group")
	ev := "The VPC has no flow logs."
	if len(f.Others) > 0 {
		ev = "The VPC's flow logs are " + sentences(f.Others, "") + " None records ALL traffic into " + group + "."
	}
	r.add(SeverityError, FieldFlowLog, -1, f.LogGroup, "no flow log of "+label(s)+" records all traffic into "+group, ev)
	return r.out
}

// ---- encryption ----

func checkOutputKey(s *Subject, _ Policy) []Finding {
	r := report{id: "SS-ENC-1"}
	what := "training output"
	if s.Kind == KindProcessingJob {
		what = "processing output"
	}
	r.workloadKey(s, FieldOutputKMSKey, -1, "", what, s.OutputKMSKeyARN)
	return r.out
}

func checkVolumeKey(s *Subject, _ Policy) []Finding {
	r := report{id: "SS-ENC-2"}
	if !s.InstanceType.IsKnown() {
		r.skipValue(s, FieldInstanceType, s.InstanceType.State)
		return r.out
	}
	if s.VolumeKMSKeyARN.State == facts.StateUnknown {
		r.skipValue(s, FieldVolumeKMSKey, facts.StateUnknown)
		return r.out
	}
	it, key := s.InstanceType.V, s.VolumeKMSKeyARN
	f, fetched := s.Facts.InstanceTypes[it]
	switch {
	case fetched && !f.Found:
		r.notFound(s, FieldInstanceType, -1, "instance type", it)
	case fetched && f.InstanceStorageSupported:
		if key.IsKnown() && key.V != "" {
			r.add(SeverityError, FieldVolumeKMSKey, -1, key.V, "a volume KMS key is set for instance type "+it,
				it+" has local NVMe instance storage, which is encrypted in hardware; SageMaker rejects a volume KMS key for it, so the key must be left unset.")
		}
	case !fetched && key.State == facts.StateNull:
		// The type may have NVMe storage, where no key is right: decide once it is fetched.
		r.notLookedUp(FieldInstanceType, "instance type "+it)
	default:
		r.workloadKey(s, FieldVolumeKMSKey, -1, "", "ML storage volume", key)
	}
	return r.out
}

func checkInterContainerEncryption(s *Subject, _ Policy) []Finding {
	return requireOn(s, "SS-ENC-3", s.InterContainerEncryption, FieldInterContainerEncryption,
		"inter-container traffic encryption", "EnableInterContainerTrafficEncryption")
}

func checkDataCaptureKey(s *Subject, _ Policy) []Finding {
	r := report{id: "SS-ENC-4"}
	switch e := s.DataCapture.Enabled; {
	case !e.IsKnown():
		r.skipValue(s, FieldDataCapture, e.State)
		return r.out
	case !e.V:
		r.skip(SkipNotApplicable, FieldDataCapture, "not applicable: data capture is off")
		return r.out
	}
	r.workloadKey(s, FieldDataCapture, -1, "", "data capture", s.DataCapture.KMSKeyARN)
	return r.out
}

func checkLogGroupKeys(s *Subject, _ Policy) []Finding {
	r := report{id: "SS-ENC-5"}
	for i, lg := range s.LogGroups {
		if _, fetched := s.Facts.LogGroups[lg.Name]; !fetched && (lg.KMSKeyARN.State == facts.StateNull || lg.RetentionDays.State == facts.StateNull) {
			r.notLookedUp(FieldLogGroups, "log group "+lg.Name)
		}
		lg, exists := resolveLogGroup(s, lg)
		if !exists {
			r.add(SeverityError, FieldLogGroups, i, lg.Name, "log group "+lg.Name+" does not exist",
				"No log group "+lg.Name+" was found; SageMaker would create it on first write, without a KMS key.")
			continue
		}
		r.workloadKey(s, FieldLogGroups, i, lg.Name, "log group "+lg.Name, lg.KMSKeyARN)
	}
	return r.out
}

// resolveLogGroup fills a log group's Null settings from its fetched facts.
// exists is false when the group's settings come from nowhere: it was looked
// up, does not exist, and the plan does not create it.
func resolveLogGroup(s *Subject, lg LogGroup) (_ LogGroup, exists bool) {
	f, fetched := s.Facts.LogGroups[lg.Name]
	if !fetched {
		return lg, true
	}
	if !f.Found {
		return lg, lg.KMSKeyARN.State != facts.StateNull || lg.RetentionDays.State != facts.StateNull
	}
	if lg.KMSKeyARN.State == facts.StateNull {
		lg.KMSKeyARN = facts.Known(f.KMSKeyARN)
	}
	if lg.RetentionDays.State == facts.StateNull {
		lg.RetentionDays = facts.Known(f.RetentionDays)
	}
	return lg, true
}

// ---- keys ----

func checkKeyUsable(s *Subject, p Policy) []Finding {
	r := report{id: "SS-KMS-1"}
	presence := need(s, s.KMSKeyARN)
	if presence == skip {
		r.skipValue(s, FieldKMSKey, s.KMSKeyARN.State)
		return r.out
	}
	ref := s.KMSKeyARN.V
	if presence == absent || ref == "" {
		r.add(SeverityError, FieldKMSKey, -1, "", label(s)+" has no KMS key",
			"kms_key_arn is not set, so there is no customer-managed key to encrypt the workload's data with.")
		return r.out
	}
	k, fetched := s.Facts.Keys[ref]
	switch {
	case !fetched:
		r.notLookedUp(FieldKMSKey, "KMS key "+ref)
		return r.out
	case !k.Found:
		r.notFound(s, FieldKMSKey, -1, "KMS key", ref)
		return r.out
	}
	var problems []string
	want := func(what, got, wanted string) {
		if got != wanted {
			problems = append(problems, fmt.Sprintf("%s is %s (want %s)", what, orNone(got), wanted))
		}
	}
	want("KeyManager", k.Manager, "CUSTOMER")
	want("KeySpec", k.Spec, "SYMMETRIC_DEFAULT")
	want("KeyUsage", k.Usage, "ENCRYPT_DECRYPT")
	want("KeyState", k.State, "Enabled")
	if s.Region != "" && k.Region != "" {
		want("its region", k.Region, s.Region)
	}
	if k.Account != "" && !allowedAccount(s, k.Account, p.AllowedKeyAccounts) {
		problems = append(problems, fmt.Sprintf(
			"it belongs to account %s, not %s, and guardrails.allowed_key_accounts does not list %s; "+
				"use a key of this account, or have the platform team add %s to allowed_key_accounts",
			k.Account, thisAccount(s), k.Account, k.Account))
	}
	if len(problems) > 0 {
		r.add(SeverityError, FieldKMSKey, -1, ref, "KMS key "+ref+" is not an enabled customer-managed key for this workload",
			"Key "+orRef(k.ARN, ref)+": "+sentences(problems, ""))
	}
	return r.out
}

func checkKeyRotation(s *Subject, _ Policy) []Finding {
	r := report{id: "SS-KMS-2"}
	if !s.KMSKeyARN.IsKnown() {
		r.skipValue(s, FieldKMSKey, s.KMSKeyARN.State)
		return r.out
	}
	ref := s.KMSKeyARN.V
	k, fetched := s.Facts.Keys[ref]
	if !fetched && ref != "" {
		r.notLookedUp(FieldKMSKey, "KMS key "+ref)
		return r.out
	}
	// Missing keys are SS-KMS-1's findings; AWS rotates its managed keys
	// every year (that they are not the workload's CMK is SS-KMS-1's finding).
	if r.absentObject(FieldKMSKey, "KMS key", ref, k.Found, "SS-KMS-1") {
		return r.out
	}
	if k.Manager != facts.KeyManagerCustomer || k.RotationEnabled {
		return nil
	}
	r.add(SeverityError, FieldKMSKey, -1, ref, "KMS key "+ref+" does not rotate automatically",
		"Automatic rotation is disabled on customer-managed key "+orRef(k.ARN, ref)+".")
	return r.out
}

// workloadKey reports when v, the key that encrypts what, is not the
// workload's customer-managed key (Subject.KMSKeyARN).
func (r *report) workloadKey(s *Subject, field Field, index int, object, what string, v facts.Value[string]) {
	p := need(s, v)
	if p == skip {
		r.skipValue(s, field, v.State)
		return
	}
	ref := v.V
	var ev string
	switch {
	case p == absent || ref == "":
		ev = fmt.Sprintf("No KMS key is set for the %s, so it is encrypted with a key AWS chooses and manages rather than the workload's CMK.", what)
	case awsManaged(s, ref):
		ev = fmt.Sprintf("The %s uses the AWS managed key %s instead of the workload's CMK.", what, ref)
	case s.KMSKeyARN.IsKnown() && s.KMSKeyARN.V != "" && !sameKey(s, ref, s.KMSKeyARN.V):
		ev = fmt.Sprintf("The %s uses key %s, not the workload's key %s (kms_key_arn).", what, ref, s.KMSKeyARN.V)
	default:
		return
	}
	if object == "" {
		object = ref
	}
	r.add(SeverityError, field, index, object, what+" is not encrypted with the workload's CMK", ev)
}

func awsManaged(s *Subject, ref string) bool {
	if strings.HasPrefix(ref, "alias/aws/") || strings.Contains(ref, ":alias/aws/") {
		return true
	}
	k, ok := s.Facts.Keys[ref]
	return ok && k.Found && k.Manager == facts.KeyManagerAWS
}

// sameKey reports whether two key references (ID, ARN, alias) name the same
// key, using the fetched facts for aliases.
func sameKey(s *Subject, a, b string) bool {
	if a == b {
		return true
	}
	ka, okA := s.Facts.Keys[a]
	kb, okB := s.Facts.Keys[b]
	if okA && okB && ka.Found && kb.Found && ka.ARN != "" {
		return ka.ARN == kb.ARN
	}
	ida, idb := keyID(a), keyID(b)
	return ida != "" && ida == idb
}

// keyID returns the key ID of a key ARN or bare key ID, "" for aliases.
func keyID(ref string) string {
	if a, err := arn.Parse(ref); err == nil {
		if id, ok := strings.CutPrefix(a.Resource, "key/"); ok && a.Service == "kms" {
			return id
		}
		return ""
	}
	if strings.Contains(ref, ":") || strings.HasPrefix(ref, "alias/") {
		return ""
	}
	return ref
}

// ---- transport and data ----

func checkEndpointTLS(s *Subject, _ Policy) []Finding {
	r := report{id: "SS-TLS-1"}
	for i, e := range s.Endpoints {
		if e.URL == "" {
			continue // unset, or unknown until apply
		}
		if err := facts.CheckEndpointURL(e.URL); err != nil {
			r.add(SeverityError, FieldEndpointURL, i, e.URL, "endpoint "+e.URL+" is not reached over TLS",
				fmt.Sprintf("%v (set by %s).", err, orNone(e.Source)))
		}
	}
	return r.out
}

func checkS3Transport(s *Subject, p Policy) []Finding {
	r := report{id: "SS-TLS-2"}
	r.noS3Locations(s)
	for _, l := range s.S3 {
		if !l.URI.IsKnown() {
			r.skipValue(s, locField(l), l.URI.State)
			continue
		}
		if _, ok := facts.S3Bucket(l.URI.V); !ok {
			r.add(SeverityError, locField(l), l.Index, l.URI.V,
				fmt.Sprintf("%s location %s is not an s3:// URI", locRole(l), l.URI.V),
				fmt.Sprintf("%q is not of the form s3://bucket/prefix.", l.URI.V))
		}
	}
	for _, b := range bucketUses(s) {
		f, fetched := s.Facts.Buckets[b.name]
		if !fetched {
			r.notLookedUp(locField(b.loc), "bucket "+b.name)
			continue
		}
		switch {
		case !f.Found:
			r.nothingToCheck(locField(b.loc), "bucket "+b.name+" does not exist (SS-DATA-1)")
			continue
		case foreign(f):
			r.nothingToCheck(locField(b.loc), "bucket "+b.name+" belongs to another account (SS-DATA-2)")
			continue
		case f.DeniesInsecureTransport:
			continue
		}
		r.add(errorIf(p.StrictDataBuckets), locField(b.loc), b.loc.Index, b.name, "bucket "+b.name+" allows requests without TLS",
			fmt.Sprintf("The policy of bucket %s (%s data) has no Deny for aws:SecureTransport=false, so clients other than SageMaker can use it over plain HTTP.",
				b.name, strings.Join(b.roles, ", ")))
	}
	return r.out
}

func checkBucketEncryption(s *Subject, p Policy) []Finding {
	r := report{id: "SS-DATA-1"}
	sev := errorIf(p.StrictDataBuckets)
	r.skipUnknownLocations(s)
	r.noBuckets(s)
	for _, b := range bucketUses(s) {
		f, fetched := s.Facts.Buckets[b.name]
		switch {
		case !fetched:
			r.notLookedUp(locField(b.loc), "bucket "+b.name)
		case foreign(f):
			r.nothingToCheck(locField(b.loc), "bucket "+b.name+" belongs to another account (SS-DATA-2)")
		case !f.Found:
			r.add(sev, locField(b.loc), b.loc.Index, b.name, "bucket "+b.name+" does not exist",
				fmt.Sprintf("No bucket %s was found for the %s data; if it is created in the same apply, its encryption is checked at the next plan.",
					b.name, strings.Join(b.roles, ", ")))
		case !f.DefaultSSEKMS:
			ev := fmt.Sprintf("The default encryption of bucket %s (%s data) is not SSE-KMS, so objects written without an explicit key are encrypted with SSE-S3 only.",
				b.name, strings.Join(b.roles, ", "))
			if slices.Contains(b.roles, "checkpoint") {
				ev += " Training checkpoints are written that way: CheckpointConfig has no KMS setting."
			}
			r.add(sev, locField(b.loc), b.loc.Index, b.name, "bucket "+b.name+" does not default to SSE-KMS", ev)
		}
	}
	return r.out
}

// checkBucketOwner refuses every bucket S3 says belongs to another account
// (asked with ExpectedBucketOwner = this account). A missing bucket is
// SS-DATA-1's finding; a bucket whose owner was not asked is skipped.
func checkBucketOwner(s *Subject, _ Policy) []Finding {
	r := report{id: "SS-DATA-2"}
	if s.Kind == KindNetwork {
		return checkGatewayPolicy(s, r)
	}
	r.skipUnknownLocations(s)
	r.noBuckets(s)
	for _, b := range bucketUses(s) {
		f, fetched := s.Facts.Buckets[b.name]
		switch {
		case !facts.ValidBucketName(b.name):
			r.add(SeverityError, locField(b.loc), b.loc.Index, b.name, "bucket name "+b.name+" is not DNS-compliant",
				fmt.Sprintf("%q (%s data) is not a DNS-compliant bucket name (lower-case letters, digits, dots and hyphens): S3 creates no such buckets any more, "+
					"and sagesafe cannot ask S3 who owns one, so it cannot tell this bucket from another account's.", b.name, strings.Join(b.roles, ", ")))
			continue
		case !fetched:
			r.notLookedUp(locField(b.loc), "bucket "+b.name)
			continue
		case !f.Found:
			missingBucket(&r, s, b)
			continue
		case !f.OwnerChecked:
			r.notLookedUp(locField(b.loc), "the owner of bucket "+b.name)
			continue
		}
		if foreign(f) {
			r.add(SeverityError, locField(b.loc), b.loc.Index, b.name, "bucket "+b.name+" belongs to another account",
				fmt.Sprintf("S3 refused bucket %s (%s data) with ExpectedBucketOwner %s but answers it without: it is not owned by this account, so what is written there belongs to its owner and what is read from there is theirs to change.",
					b.name, strings.Join(b.roles, ", "), orRef(s.AccountID, "(the caller's account)")))
		}
	}
	return r.out
}

// missingBucket is SS-DATA-2 for a bucket that does not exist: a name
// nobody owns is a name anyone can register, in their own account, and
// SageMaker then writes the data there (outputs are uploaded when the job
// ends, data capture runs for the endpoint's life). At plan time the same
// apply may still create it, so it is a warning that names the apply-time
// refusal; at apply and on the live object it is an error.
func missingBucket(r *report, s *Subject, b bucketUse) {
	ev := fmt.Sprintf("No bucket %s exists (%s data). A bucket name belongs to whoever creates it first, in any account: if someone else registers it, "+
		"SageMaker writes %s's data to their bucket and reads its inputs from it.", b.name, strings.Join(b.roles, ", "), label(s))
	if s.Stage == StagePlan {
		r.add(SeverityWarning, locField(b.loc), b.loc.Index, b.name, "bucket "+b.name+" does not exist yet",
			ev+" If this apply creates it, it is checked again just before "+label(s)+" is created; if it still does not exist then, the apply is refused.")
		return
	}
	r.add(SeverityError, locField(b.loc), b.loc.Index, b.name, "bucket "+b.name+" does not exist", ev)
}

// checkGatewayPolicy is SS-DATA-2 for a network: its S3 gateway endpoint,
// the only way its workloads reach S3, lets them reach only buckets of
// this account.
func checkGatewayPolicy(s *Subject, r report) []Finding {
	if !s.OpenS3Gateways.IsKnown() {
		r.skipLive(FieldS3Gateway, "the S3 gateway endpoint's policy")
		return r.out
	}
	for i, id := range s.OpenS3Gateways.V {
		r.add(SeverityError, FieldS3Gateway, i, id, "S3 gateway endpoint "+id+" lets workloads reach buckets of other accounts",
			fmt.Sprintf("Its policy is not %s's own (only buckets of account %s, aws:ResourceAccount, and ECR's layer bucket), so a workload in the network, "+
				"or code running in it, can write to or read from any account's bucket through it.", label(s), orRef(s.AccountID, "(the caller's account)")))
	}
	return r.out
}

// foreign reports whether S3 said the bucket belongs to another account.
func foreign(f facts.BucketFact) bool { return f.Found && f.OwnerChecked && !f.OwnedByCaller }

// bucketUse is one bucket the workload uses, with the first location that
// names it (where bucket-level findings are attached) and every role it has.
type bucketUse struct {
	name  string
	loc   S3Location
	roles []string
}

func bucketUses(s *Subject) []bucketUse {
	var out []bucketUse
	at := map[string]int{}
	for _, l := range s.S3 {
		if !l.URI.IsKnown() {
			continue
		}
		name, ok := facts.S3Bucket(l.URI.V)
		if !ok {
			continue
		}
		i, seen := at[name]
		if !seen {
			i = len(out)
			at[name] = i
			out = append(out, bucketUse{name: name, loc: l})
		}
		if role := locRole(l); !slices.Contains(out[i].roles, role) {
			out[i].roles = append(out[i].roles, role)
		}
	}
	return out
}

func locField(l S3Location) Field {
	if l.Field == FieldNone {
		return FieldS3URIs
	}
	return l.Field
}

func locRole(l S3Location) string {
	if l.Role == "" {
		return "S3"
	}
	return strings.ReplaceAll(l.Role, "_", " ")
}

// ---- identity ----

func checkRoleTrust(s *Subject, _ Policy) []Finding {
	r := report{id: "SS-IAM-1"}
	switch need(s, s.RoleARN) {
	case skip:
		r.skipValue(s, FieldRoleARN, s.RoleARN.State)
		return r.out
	case absent:
		r.add(SeverityError, FieldRoleARN, -1, "", label(s)+" has no execution role", "role_arn is not set.")
		return r.out
	}
	ref := s.RoleARN.V
	f, fetched := s.Facts.Roles[ref]
	switch {
	case !fetched:
		r.notLookedUp(FieldRoleARN, "IAM role "+ref)
		return r.out
	case !f.Found:
		r.notFound(s, FieldRoleARN, -1, "IAM role", ref)
		return r.out
	}
	name := orRef(f.Name, ref)
	if len(f.TrustProblems) > 0 {
		r.add(SeverityError, FieldRoleARN, -1, ref, "role "+name+" can be assumed by principals other than SageMaker",
			"Its trust policy: "+sentences(f.TrustProblems, ""))
	}
	if len(f.MissingConditions) > 0 {
		r.add(SeverityError, FieldRoleARN, -1, ref, "role "+name+" has no confused-deputy conditions in its trust policy",
			"Its trust policy: "+sentences(f.MissingConditions, ""))
	}
	foreign := foreignSourceConditions(s, f.SourceConditions)
	if len(foreign) > 0 {
		r.add(SeverityError, FieldRoleARN, -1, ref, "role "+name+"'s confused-deputy conditions do not name this account and region",
			"Its trust policy: "+sentences(foreign, ""))
	}
	if job, ok := jobARN(s); ok && len(foreign) == 0 && !trustAdmits(f.SourceConditions, job) {
		r.add(SeverityError, FieldRoleARN, -1, ref, "role "+name+"'s trust policy does not let SageMaker assume it for "+label(s),
			fmt.Sprintf("No statement's aws:SourceArn conditions admit %s (each under its own operator), so SageMaker could not assume the role and the job would fail "+
				"when it starts; a role made for another kind of workload (a training role for a processing job, say) has this trust. "+
				"Use an execution role of the right purpose (sagesafe_execution_role purpose = %q).", job, jobPurpose[s.Kind]))
	}
	return r.out
}

// jobPurpose is the execution-role purpose whose trust admits a job kind.
var jobPurpose = map[Kind]string{KindTrainingJob: "training", KindProcessingJob: "processing"}

// jobARN is the ARN SageMaker puts in aws:SourceArn when it assumes the
// execution role for the subject's job: known only for training and
// processing jobs whose name is known. (Endpoints' models carry the literal
// "...:<account>:*" the SageMaker guide prescribes; a monitor's runs get
// names Scheduler makes.)
func jobARN(s *Subject) (string, bool) {
	resource := map[Kind]string{KindTrainingJob: "training-job/", KindProcessingJob: "processing-job/"}[s.Kind]
	if resource == "" || s.Name == "" || s.AccountID == "" || s.Region == "" {
		return "", false
	}
	return arn.ARN{Partition: orRef(s.Partition, "aws"), Service: "sagemaker", Region: s.Region, AccountID: s.AccountID,
		Resource: resource + strings.ToLower(s.Name)}.String(), true
}

// trustAdmits reports whether some trust statement's aws:SourceArn
// conditions admit job: a statement without one admits any (the missing
// condition is SS-IAM-1's other finding); one with them admits job when
// each allowing condition has a value that matches it and no excluding
// condition (ArnNotLike, StringNotEquals, ...) has one, under the
// condition's own operator: StringEquals takes * literally, StringLike
// matches the whole string, ArnEquals and ArnLike each of the six ARN parts.
// Job names appear lower-case in SageMaker ARNs.
func trustAdmits(conditions []facts.TrustCondition, job string) bool {
	byStatement := map[string][]facts.TrustCondition{}
	for _, c := range conditions {
		byStatement[c.Statement] = append(byStatement[c.Statement], c)
	}
	if len(byStatement) == 0 {
		return true
	}
	for _, cs := range byStatement {
		admits := true
		for _, c := range cs {
			if !strings.EqualFold(c.Key, "aws:SourceArn") {
				continue
			}
			matched := slices.ContainsFunc(c.Values, func(v string) bool { return conditionMatches(c.Operator, v, job) })
			if matched == c.Negated() {
				admits = false
			}
		}
		if admits {
			return true
		}
	}
	return false
}

// conditionMatches says whether value satisfies one condition value under
// operator (its negation aside: StringNotLike matches as StringLike does).
func conditionMatches(operator, pattern, value string) bool {
	switch strings.ToLower(strings.Replace(operator, "Not", "", 1)) {
	case "stringequals":
		return pattern == value
	case "stringlike":
		return globMatch(pattern, value)
	default: // ArnEquals, ArnLike (both take wildcards per ARN part)
		return arnLike(pattern, value)
	}
}

// globMatch matches value against an IAM string pattern: * any run of
// characters, ? one character, case-sensitive.
func globMatch(pattern, value string) bool {
	re := "^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(pattern)) + "$"
	ok, err := regexp.MatchString(re, value)
	return err == nil && ok
}

// arnLike matches an ARN against an ArnLike pattern: the six colon-separated
// parts one by one, * any run of characters and ? one character within a
// part.
func arnLike(pattern, value string) bool {
	pp, vp := strings.SplitN(pattern, ":", 6), strings.SplitN(value, ":", 6)
	if len(pp) != 6 || len(vp) != 6 {
		return false
	}
	for i := range pp {
		if !globMatch(pp[i], vp[i]) {
			return false
		}
	}
	return true
}

// foreignSourceConditions lists the trust condition values that do not tie
// the role to the caller: every aws:SourceAccount value must be this
// account, and every aws:SourceArn value an ARN of this partition, region and
// account (wildcards only in its resource part). A condition that names
// someone else is no protection: it lets SageMaker act for that account.
// An unknown account fails closed (no value can be shown to be this
// account's); an unknown partition or region is not compared.
func foreignSourceConditions(s *Subject, conditions []facts.TrustCondition) []string {
	var out []string
	for _, c := range conditions {
		if c.Negated() {
			continue // it excludes its values: naming another account there narrows the trust
		}
		for _, v := range c.Values {
			var wrong []string
			switch {
			case strings.EqualFold(c.Key, "aws:SourceAccount"):
				if s.AccountID == "" || v != s.AccountID {
					wrong = append(wrong, "it is not "+thisAccount(s))
				}
			default: // aws:SourceArn
				a, err := arn.Parse(v)
				if err != nil {
					wrong = append(wrong, "it is not an ARN")
					break
				}
				if s.AccountID == "" {
					wrong = append(wrong, "its account "+orNone(a.AccountID)+" is not "+thisAccount(s))
				}
				for _, part := range []struct{ what, got, want string }{
					{"partition", a.Partition, s.Partition},
					{"region", a.Region, s.Region},
					{"account", a.AccountID, s.AccountID},
				} {
					if part.want != "" && part.got != part.want {
						wrong = append(wrong, fmt.Sprintf("its %s is %s, not %s", part.what, orNone(part.got), part.want))
					}
				}
			}
			if len(wrong) > 0 {
				out = append(out, fmt.Sprintf("trust %s allows %s %q: %s", c.Statement, c.Key, v, strings.Join(wrong, ", ")))
			}
		}
	}
	return out
}

func checkRolePermissions(s *Subject, _ Policy) []Finding {
	r := report{id: "SS-IAM-2"}
	if !s.RoleARN.IsKnown() {
		r.skipValue(s, FieldRoleARN, s.RoleARN.State)
		return r.out
	}
	ref := s.RoleARN.V
	f, fetched := s.Facts.Roles[ref]
	if !fetched && ref != "" {
		r.notLookedUp(FieldRoleARN, "IAM role "+ref)
		return r.out
	}
	if r.absentObject(FieldRoleARN, "IAM role", ref, f.Found, "SS-IAM-1") {
		return r.out
	}
	if len(f.BroadPermissions) == 0 {
		return nil
	}
	r.add(SeverityError, FieldRoleARN, -1, ref, "role "+orRef(f.Name, ref)+" has broad permissions",
		sentences(f.BroadPermissions, ""))
	return r.out
}

// checkPersonaLaunch judges a persona role's permissions with
// iampolicy.PersonaLaunchProblems.
func checkPersonaLaunch(s *Subject, _ Policy) []Finding {
	r := report{id: "SS-IAM-3"}
	if !s.PersonaRole.IsKnown() {
		r.skipValue(s, FieldPersonaPolicy, s.PersonaRole.State)
		return r.out
	}
	if p := iampolicy.PersonaLaunchProblems(s.PersonaRole.V.Inline, s.PersonaRole.V.Attached); len(p) > 0 {
		r.add(SeverityError, FieldPersonaPolicy, -1, "", label(s)+" lets a person launch workloads outside the guardrails",
			sentences(p, ""))
	}
	return r.out
}

// checkPersonaTrust judges a persona role's trust policy with
// iampolicy.PersonaTrustProblems.
func checkPersonaTrust(s *Subject, _ Policy) []Finding {
	r := report{id: "SS-IAM-4"}
	if !s.PersonaRole.IsKnown() {
		r.skipValue(s, FieldPersonaTrust, s.PersonaRole.State)
		return r.out
	}
	if p := iampolicy.PersonaTrustProblems(s.PersonaRole.V.Trust, s.Partition, s.AccountID); len(p) > 0 {
		r.add(SeverityError, FieldPersonaTrust, -1, "", label(s)+" can be assumed without MFA or a SAML sign-in of this account",
			sentences(p, ""))
	}
	return r.out
}

// checkRoleBoundary: every role the subject is or makes, and the execution
// role a workload is given, carries the guardrails' permissions boundary
// (SS-IAM-5). Opt-in: without role_permissions_boundary_arn there is
// nothing to check.
func checkRoleBoundary(s *Subject, p Policy) []Finding {
	r := report{id: "SS-IAM-5"}
	if p.RoleBoundaryARN == "" {
		r.nothingToCheck(FieldRoleBoundary, "the guardrails require no permissions boundary (role_permissions_boundary_arn is not set)")
		return r.out
	}
	given := r.givenRoleBoundary(s, p)
	for i, b := range s.RoleBoundaries {
		if !b.Boundary.IsKnown() {
			r.skipValue(s, FieldRoleBoundary, b.Boundary.State)
			continue
		}
		if b.Boundary.V != p.RoleBoundaryARN {
			r.add(SeverityError, FieldRoleBoundary, i, b.Role, "role "+orRef(b.Role, "(to be created)")+" does not carry the organisation's permissions boundary",
				boundaryEvidence(b.Boundary.V, p))
		}
	}
	if !given && len(s.RoleBoundaries) == 0 {
		r.nothingToCheck(FieldRoleBoundary, label(s)+" makes and is given no IAM role")
		return r.out
	}
	r.boundaryPolicy(s, p)
	return r.out
}

// boundaryPolicy judges the boundary itself, as read from IAM: it must
// exist, and allow nothing that lets a role under it make or become a
// principal without it (posture.AssessBoundary); such a boundary caps
// nothing, whatever role carries it (red team, issue 15).
func (r *report) boundaryPolicy(s *Subject, p Policy) {
	b := p.RoleBoundaryARN
	f, ok := s.Facts.Policies[b]
	// A role this subject makes and gives the boundary (planned, or set by
	// the apply: Unknown) is not uncapped: the plan that restores its
	// boundary must not be refused for it. Nor for the other uncapped
	// roles, which are then a warning: when several sagesafe roles lost the
	// boundary (or a boundary is first required of existing roles), each
	// plan restores one, and refusing every plan for the others would leave
	// only a manual fix in IAM (red team).
	uncapped := slices.DeleteFunc(slices.Clone(f.UncappedRoles), func(role string) bool {
		return slices.ContainsFunc(s.RoleBoundaries, func(rb RoleBoundary) bool {
			return !rb.Given && strings.EqualFold(rb.Role, role[strings.LastIndex(role, "/")+1:]) &&
				(rb.Boundary.State == facts.StateUnknown || (rb.Boundary.IsKnown() && rb.Boundary.V == b))
		})
	})
	restores := len(uncapped) < len(f.UncappedRoles)
	switch {
	case !ok:
		r.notLookedUp(FieldRoleBoundary, "permissions boundary "+b)
	case !f.Found:
		r.add(SeverityError, FieldRoleBoundary, -1, b, "the permissions boundary "+b+" does not exist",
			"role_permissions_boundary_arn names a managed policy IAM does not know, so no role can carry it. Create the policy, or name the one that exists.")
	case len(f.Escapes) > 0:
		r.add(SeverityError, FieldRoleBoundary, -1, b, "the permissions boundary "+b+" caps nothing",
			"Its default version allows "+strings.Join(f.Escapes, ", ")+": a role under it can make or change a role, user or group without the boundary, "+
				"take it off, rewrite a policy, become root, or pass, assume or run code as a principal that does not carry the boundary, and so act beyond it. "+
				"Remove those actions from the boundary or deny them in it on \"*\"; allow role writes only with the condition iam:PermissionsBoundary = this policy; "+
				"and limit iam:PassRole, sts:AssumeRole and the actions marked \"on any resource\" to resources under your name prefix "+
				"(at least 3 literal characters, e.g. arn:aws:iam::<account>:role/<name_prefix>*).")
	case f.RolesUnread != "":
		r.add(SeverityWarning, FieldRoleBoundary, -1, b, "the roles the permissions boundary "+b+" lets pass or assume could not be read",
			"Its iam:PassRole or sts:AssumeRole statements name roles by prefix, and every existing role they reach must carry the boundary, "+
				"but IAM refused to list or read them ("+f.RolesUnread+"), so SS-IAM-5 is not held. "+
				"Allow the deployer iam:ListRoles and iam:GetRole (sagesafe_deployer_policy includes them; regenerate a policy made by an earlier version).")
	case len(uncapped) > 0:
		sev, note := SeverityError, ""
		if restores {
			sev, note = SeverityWarning, " This plan gives the boundary back to a role of "+label(s)+", so it is not refused for the others; the control is not held until they all carry it."
		}
		r.add(sev, FieldRoleBoundary, -1, b, "the permissions boundary "+b+" lets a role under it pass or assume roles it does not cap",
			"Its iam:PassRole or sts:AssumeRole statements reach "+someOf(uncapped, 5)+", which do not carry it as their permissions boundary: "+
				"a role under the boundary can hand one of them to a service or assume it, and act as that role beyond the boundary. "+
				"Put the boundary on those roles (sagesafe's roles take role_permissions_boundary_arn), delete the ones no longer used, "+
				"or narrow the statements' resources to names only roles that carry the boundary have."+note)
	}
	if !ok || !f.Found || len(f.Escapes) > 0 {
		return
	}
	if f.NotebooksUnread != "" {
		r.add(SeverityWarning, FieldRoleBoundary, -1, b, "the notebook instances the permissions boundary "+b+" lets open or update could not be read",
			"Its sagemaker:CreatePresignedNotebookInstanceUrl or UpdateNotebookInstance statements name notebook instances by prefix, and every existing one "+
				"they reach must run as a role that carries the boundary, but AWS refused to list or read them ("+f.NotebooksUnread+"), so SS-IAM-5 is not held. "+
				"Allow the deployer sagemaker:ListNotebookInstances and sagemaker:DescribeNotebookInstance "+
				"(sagesafe_deployer_policy includes them; regenerate a policy made by an earlier version).")
	}
	if len(f.UncappedNotebooks) > 0 {
		r.add(SeverityError, FieldRoleBoundary, -1, b, "the permissions boundary "+b+" lets a role under it open notebook instances whose roles it does not cap",
			"Its sagemaker:CreatePresignedNotebookInstanceUrl or UpdateNotebookInstance statements reach "+someOf(f.UncappedNotebooks, 5)+
				": a role under the boundary can open one, or give it a lifecycle script, and run code in it as its execution role, "+
				"which does not carry the boundary, and so act beyond it. "+
				"Put the boundary on those roles, delete the notebook instances no longer used, "+
				"or narrow the statements' resources to names only notebook instances whose roles carry the boundary have.")
	}
	if len(f.UnverifiedReach) > 0 {
		r.add(SeverityWarning, FieldRoleBoundary, -1, b, "the permissions boundary "+b+" lets a role under it run code as roles sagesafe does not read",
			"It allows "+someOf(f.UnverifiedReach, 5)+": each runs code or opens a console as the role of an existing function, instance, container, "+
				"build, stack or Studio profile of that name prefix, and sagesafe does not read which roles those are, so SS-IAM-5 is not held. "+
				"Deny those actions in the boundary on \"*\" unless every such object's role carries the boundary.")
	}
}

// someOf lists the first n of items, and how many more there are.
func someOf(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}

// givenRoleBoundary checks the execution role a workload is given (its
// boundary read by the posture fetcher); false when there is none to look
// at. A role that is unset or missing is SS-IAM-1's finding.
func (r *report) givenRoleBoundary(s *Subject, p Policy) bool {
	if (!slices.Contains(workloads, s.Kind) && s.Kind != KindPreflight) || s.RoleARN.State == facts.StateNull || (s.RoleARN.IsKnown() && s.RoleARN.V == "") {
		return false
	}
	if !s.RoleARN.IsKnown() {
		r.skipValue(s, FieldRoleARN, s.RoleARN.State)
		return true
	}
	ref := s.RoleARN.V
	f, fetched := s.Facts.Roles[ref]
	switch {
	case !fetched:
		r.notLookedUp(FieldRoleARN, "IAM role "+ref)
	case r.absentObject(FieldRoleARN, "IAM role", ref, f.Found, "SS-IAM-1"):
	case f.Boundary != p.RoleBoundaryARN:
		r.add(SeverityError, FieldRoleARN, -1, ref, "execution role "+orRef(f.Name, ref)+" does not carry the organisation's permissions boundary",
			boundaryEvidence(f.Boundary, p))
	}
	return true
}

func boundaryEvidence(have string, p Policy) string {
	return fmt.Sprintf("Its permissions boundary is %s; role_permissions_boundary_arn in the provider's guardrails is %s.", orNone(have), p.RoleBoundaryARN)
}

// ---- monitoring and availability ----

func checkAlarmsEnabled(s *Subject, _ Policy) []Finding {
	r := report{id: "SS-MON-1"}
	p := need(s, s.Alarms)
	if p == skip {
		r.skipValue(s, FieldAlarms, s.Alarms.State)
		return r.out
	}
	if p == absent || len(s.Alarms.V) == 0 {
		r.add(SeverityError, FieldAlarms, -1, "", label(s)+" has no alarms", "No CloudWatch alarms are defined for it.")
		return r.out
	}
	for i, a := range s.Alarms.V {
		switch {
		case !a.Exists && a.Unlike != "":
			r.add(SeverityError, FieldAlarms, i, a.Name, "alarm "+a.Name+" does not watch what sagesafe specifies",
				fmt.Sprintf("The %s alarm %s of %s was changed: %s. The next apply restores it.", orNone(a.Kind), a.Name, label(s), a.Unlike))
		case !a.Exists:
			r.add(SeverityError, FieldAlarms, i, a.Name, "alarm "+a.Name+" is missing",
				fmt.Sprintf("The %s alarm %s is expected for %s but does not exist in CloudWatch.", orNone(a.Kind), a.Name, label(s)))
		case !a.ActionsEnabled:
			r.add(SeverityError, FieldAlarms, i, a.Name, "alarm "+a.Name+" has its actions disabled",
				"ActionsEnabled is false on alarm "+a.Name+", so its actions never run.")
		}
	}
	return r.out
}

func checkAlarmActions(s *Subject, p Policy) []Finding {
	r := report{id: "SS-MON-2"}
	if !s.Alarms.IsKnown() {
		r.skipValue(s, FieldAlarms, s.Alarms.State)
	}
	if s.Alarms.IsKnown() && len(s.Alarms.V) == 0 {
		r.nothingToCheck(FieldAlarms, label(s)+" has no alarms (SS-MON-1)")
	}
	for i, a := range known(s.Alarms) {
		if !a.Exists {
			r.nothingToCheck(FieldAlarms, "alarm "+a.Name+" is missing (SS-MON-1)")
			continue
		}
		if a.Actions.State == facts.StateUnknown {
			r.skipValue(s, FieldAlarms, facts.StateUnknown)
		}
		if a.Actions.State == facts.StateUnknown {
			continue
		}
		if len(a.Actions.V) == 0 {
			r.add(errorIf(p.RequireAlarmActions), FieldAlarms, i, a.Name, "alarm "+a.Name+" has no actions",
				"Alarm "+a.Name+" has no alarm action (such as an SNS topic), so nobody is told when it fires.")
			continue
		}
		r.foreignActions(s, i, "alarm "+a.Name, a.Actions.V)
	}
	r.alarmTopics(s, workloadTopics(s), p.RequireAlarmActions)
	return r.out
}

// foreignActions warns about alarm actions outside this account and
// region: another account's topic receives the alarm's name, state and
// reason and may tell no one here (a warning, not a refusal: a central
// on-call account is a legitimate choice, but the control is not held on
// this account's own terms). An unknown account fails closed: every action
// is outside it.
func (r *report) foreignActions(s *Subject, index int, what string, actions []string) {
	var out []string
	for _, action := range actions {
		a, err := arn.Parse(action)
		switch {
		case err != nil:
			out = append(out, action+" (not an ARN)")
		case s.Region != "" && a.Region != s.Region:
			out = append(out, action+" (region "+orNone(a.Region)+")")
		case a.Service == "automate": // EC2 actions carry no account
		case s.AccountID == "" || a.AccountID != s.AccountID:
			out = append(out, action+" (account "+orNone(a.AccountID)+")")
		}
	}
	if len(out) > 0 {
		r.add(SeverityWarning, FieldAlarms, index, strings.Join(out, ", "), what+": notifications go outside "+thisAccount(s)+" and its region",
			fmt.Sprintf("%s: notifications go to %s, whose owner receives the alarm's name, state and reason, and nobody here may be told. "+
				"Use a topic of this account and region, or accept this warning for a central on-call account.", what, strings.Join(out, ", ")))
	}
}

func checkLogRetention(s *Subject, p Policy) []Finding {
	r := report{id: "SS-MON-3"}
	minDays := p.MinLogRetentionDays
	if minDays <= 0 {
		r.nothingToCheck(FieldLogGroups, "the guardrails require no log retention (min_log_retention_days is not set)")
		return r.out
	}
	for i, lg := range s.LogGroups {
		if _, fetched := s.Facts.LogGroups[lg.Name]; !fetched && lg.RetentionDays.State == facts.StateNull {
			r.notLookedUp(FieldLogGroups, "log group "+lg.Name)
		}
		lg, _ = resolveLogGroup(s, lg) // a missing group (never expires) is SS-ENC-5's finding
		d := lg.RetentionDays
		if d.State == facts.StateUnknown {
			r.skipValue(s, FieldLogGroups, d.State)
		}
		// Null means the default, never expire, which complies.
		if !d.IsKnown() || d.V == 0 || d.V >= minDays {
			continue
		}
		r.add(SeverityError, FieldLogGroups, i, lg.Name, fmt.Sprintf("log group %s keeps logs for only %d days", lg.Name, d.V),
			fmt.Sprintf("Its retention is %d days; min_log_retention_days requires at least %d (or never expire).", d.V, minDays))
	}
	return r.out
}

func checkDeployment(s *Subject, _ Policy) []Finding {
	r := report{id: "SS-MON-4"}
	d := s.Deployment
	if d.Unverified != "" {
		r.skip(SkipNotApplicable, FieldDeployment, d.Unverified)
		return r.out
	}
	for _, v := range []facts.State{d.BlueGreen.State, d.RollbackAlarms.State} {
		if v == facts.StateUnknown || (v == facts.StateNull && s.Kind == KindPreflight) {
			r.skipValue(s, FieldDeployment, v)
		}
	}
	if p := need(s, d.BlueGreen); p == absent || (p == present && !d.BlueGreen.V) {
		r.add(SeverityError, FieldDeployment, -1, "", "updates of "+label(s)+" are not blue/green",
			"Its DeploymentConfig has no blue/green update policy, so an update replaces the serving fleet without a baking period to roll back from.")
	}
	switch p := need(s, d.RollbackAlarms); {
	case p == skip:
	case p == absent || len(d.RollbackAlarms.V) == 0:
		r.add(SeverityError, FieldDeployment, -1, "", "updates of "+label(s)+" do not roll back automatically",
			"Its AutoRollbackConfiguration lists no alarms, so a failing update is never rolled back automatically.")
	case s.Alarms.IsKnown():
		own := make([]string, 0, len(s.Alarms.V))
		for _, a := range s.Alarms.V {
			own = append(own, a.Name)
		}
		for i, name := range d.RollbackAlarms.V {
			if !slices.Contains(own, name) {
				r.add(SeverityError, FieldDeployment, i, name, "rollback alarm "+name+" is not one of the endpoint's alarms",
					fmt.Sprintf("AutoRollbackConfiguration lists %s, but the alarms of %s are %s.", name, label(s), orNone(strings.Join(own, ", "))))
			}
		}
	}
	return r.out
}

func checkAnomalyAlarms(s *Subject, _ Policy) []Finding {
	r := report{id: "SS-MON-6"}
	if !s.Alarms.IsKnown() {
		r.skipValue(s, FieldAlarms, s.Alarms.State)
		return r.out
	}
	for _, metric := range EndpointAnomalyMetrics {
		if !slices.ContainsFunc(s.Alarms.V, func(a Alarm) bool { return a.Exists && a.AnomalyOf == metric }) {
			r.add(SeverityError, FieldAlarms, -1, metric, label(s)+" has no anomaly alarm on "+metric,
				fmt.Sprintf("No existing alarm compares %s with an ANOMALY_DETECTION_BAND, so a change from its usual pattern too small for the fixed thresholds goes unnoticed.", metric))
		}
	}
	return r.out
}

// checkCaptureForMonitor holds a monitor to what it needs of its endpoint's
// data capture: on, with the requests (Input) in it, a share of them above
// 0%, to an s3:// location, under a KMS key. Which key is SS-ENC-4's
// question on the endpoint; here any key will do, no key fails. The capture
// bucket itself is one of the monitor's S3 locations (SS-TLS-2, SS-DATA-*).
func checkCaptureForMonitor(s *Subject, _ Policy) []Finding {
	r := report{id: "SS-MON-7"}
	dc := s.DataCapture
	for _, st := range []facts.State{dc.Enabled.State, dc.InputCaptured.State, dc.DestinationURI.State, dc.KMSKeyARN.State, dc.SamplingPercent.State} {
		if st == facts.StateUnknown {
			r.skipValue(s, FieldDataCapture, st)
			return r.out
		}
	}
	fail := func(summary, evidence string) {
		r.add(SeverityError, FieldDataCapture, -1, "", label(s)+": "+summary, evidence)
	}
	if !dc.Enabled.IsKnown() || !dc.Enabled.V {
		fail("the endpoint does not capture data", "DataCaptureConfig.EnableCapture is not true: there is nothing for the monitor to compare with the baseline.")
		return r.out
	}
	if !dc.InputCaptured.IsKnown() || !dc.InputCaptured.V {
		fail("the endpoint does not capture requests", "DataCaptureConfig.CaptureOptions has no Input mode: a data-quality monitor compares the requests with the baseline.")
	}
	if p := dc.SamplingPercent; !p.IsKnown() || p.V <= 0 {
		fail("the endpoint captures none of its requests", fmt.Sprintf("DataCaptureConfig.InitialSamplingPercentage is %s: no request is captured, so every run "+
			"compares nothing with the baseline and drift goes unseen; capture a share above 0%% (data_capture.sampling_percentage).", samplingText(p)))
	}
	if uri := dc.DestinationURI; !uri.IsKnown() || !strings.HasPrefix(uri.V, "s3://") {
		fail("the capture destination is not an s3:// location", fmt.Sprintf("DataCaptureConfig.DestinationS3Uri is %q.", uri.V))
	}
	if k := dc.KMSKeyARN; !k.IsKnown() || k.V == "" {
		fail("the captured data is not encrypted with a KMS key", "DataCaptureConfig.KmsKeyId is not set.")
	}
	return r.out
}

func checkInstanceCount(s *Subject, p Policy) []Finding {
	r := report{id: "SS-AVL-1"}
	switch need(s, s.InstanceCount) {
	case skip:
		r.skipValue(s, FieldInstanceCount, s.InstanceCount.State)
	case absent:
		r.add(SeverityError, FieldInstanceCount, -1, "", label(s)+" has no instance count", "instance_count is not set.")
	case present:
		if n := s.InstanceCount.V; n < p.MinEndpointInstances {
			r.add(SeverityError, FieldInstanceCount, -1, "", fmt.Sprintf("%s runs %d instance(s)", label(s), n),
				fmt.Sprintf("instance_count is %d; min_endpoint_instances requires at least %d.", n, p.MinEndpointInstances))
		}
	}
	return r.out
}

func checkScalingBounds(s *Subject, p Policy) []Finding {
	r := report{id: "SS-AVL-2"}
	// The cap holds for the instances the variant runs, autoscaled or not:
	// a fixed instance_count of 500 costs as much as a maximum of 500.
	if s.InstanceCount.IsKnown() && s.InstanceCount.V > p.MaxEndpointInstances {
		r.add(SeverityError, FieldInstanceCount, -1, "", fmt.Sprintf("%s runs %d instances", label(s), s.InstanceCount.V),
			fmt.Sprintf("The instance count is %d; max_endpoint_instances allows at most %d.", s.InstanceCount.V, p.MaxEndpointInstances))
	}
	switch need(s, s.Autoscaling) {
	case skip:
		r.skipValue(s, FieldAutoscaling, s.Autoscaling.State)
		return r.out
	case absent:
		if !s.InstanceCount.IsKnown() {
			r.skipValue(s, FieldInstanceCount, s.InstanceCount.State)
		}
		return r.out
	}
	b := s.Autoscaling.V
	r.scalingBounds(s, p, "The autoscaling", "", facts.Known(b.Min), facts.Known(b.Max))
	if b.Min > b.Max {
		r.add(SeverityError, FieldAutoscaling, -1, "min_capacity", fmt.Sprintf("%s has an autoscaling minimum above its maximum", label(s)),
			fmt.Sprintf("The minimum is %d and the maximum %d.", b.Min, b.Max))
	}
	for _, a := range b.Scheduled {
		r.scalingBounds(s, p, "Scheduled action "+a.Name+"'s", a.Name, a.Min, a.Max)
	}
	if b.ScaleOutSuspended {
		r.add(SeverityError, FieldAutoscaling, -1, "suspended", fmt.Sprintf("%s cannot scale out: its scale-out is suspended", label(s)),
			"The scalable target's SuspendedState has DynamicScalingOutSuspended set, so the variant does not add instances under load.")
	}
	return r.out
}

// scalingBounds reports a minimum below min_endpoint_instances and a maximum
// above max_endpoint_instances; what names whose bounds they are, object
// the finding's object ("" for the target's own, reported as min_capacity
// and max_capacity). A bound that is not known (a scheduled action that
// leaves it as it is) is not reported.
func (r *report) scalingBounds(s *Subject, p Policy, what, object string, lo, hi facts.Value[int64]) {
	minObj, maxObj := "min_capacity", "max_capacity"
	if object != "" {
		minObj, maxObj = object, object
	}
	if lo.IsKnown() && lo.V < p.MinEndpointInstances {
		r.add(SeverityError, FieldAutoscaling, -1, minObj, fmt.Sprintf("%s may scale in to %d instance(s)", label(s), lo.V),
			fmt.Sprintf("%s minimum is %d; min_endpoint_instances (SS-AVL-1) requires at least %d.", what, lo.V, p.MinEndpointInstances))
	}
	if hi.IsKnown() && hi.V > p.MaxEndpointInstances {
		r.add(SeverityError, FieldAutoscaling, -1, maxObj, fmt.Sprintf("%s may scale out to %d instances", label(s), hi.V),
			fmt.Sprintf("%s maximum is %d; max_endpoint_instances allows at most %d.", what, hi.V, p.MaxEndpointInstances))
	}
}

// ---- governance and supply chain ----

func checkRequiredTags(s *Subject, p Policy) []Finding {
	r := report{id: "SS-GOV-1"}
	if len(p.RequiredTags) == 0 {
		r.nothingToCheck(FieldTags, "the guardrails require no tags (required_tags is empty)")
		return r.out
	}
	var tags map[string]string
	switch need(s, s.Tags) {
	case skip:
		r.skipValue(s, FieldTags, s.Tags.State)
		return r.out
	case present:
		tags = s.Tags.V
	}
	var missing []string
	for _, k := range p.RequiredTags {
		if _, ok := tags[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	have := make([]string, 0, len(tags))
	for k := range tags {
		have = append(have, k)
	}
	sort.Strings(have)
	r.add(SeverityError, FieldTags, -1, strings.Join(missing, ", "), label(s)+" lacks required tags "+strings.Join(missing, ", "),
		fmt.Sprintf("required_tags is %s; its tags (with default_tags) are %s.", strings.Join(p.RequiredTags, ", "), orNone(strings.Join(have, ", "))))
	return r.out
}

func checkInstanceTypeAllowed(s *Subject, p Policy) []Finding {
	r := report{id: "SS-GOV-2"}
	switch {
	case len(p.AllowedInstanceTypes) == 0:
		r.nothingToCheck(FieldInstanceType, "the guardrails allow every instance type (allowed_instance_types is empty)")
		return r.out
	case !s.InstanceType.IsKnown():
		r.skipValue(s, FieldInstanceType, s.InstanceType.State)
		return r.out
	case matchAny(p.AllowedInstanceTypes, s.InstanceType.V):
		return nil
	}
	it := s.InstanceType.V
	r.add(SeverityError, FieldInstanceType, -1, it, "instance type "+it+" is not allowed",
		fmt.Sprintf("%s matches none of allowed_instance_types (%s).", it, strings.Join(p.AllowedInstanceTypes, ", ")))
	return r.out
}

func checkMaxRuntime(s *Subject, p Policy) []Finding {
	r := report{id: "SS-GOV-3"}
	limit := p.MaxTrainingRuntimeSeconds
	if limit <= 0 {
		r.nothingToCheck(FieldMaxRuntime, "the guardrails set no runtime limit (max_training_runtime_seconds is not set)")
		return r.out
	}
	switch need(s, s.MaxRuntimeSeconds) {
	case skip:
		r.skipValue(s, FieldMaxRuntime, s.MaxRuntimeSeconds.State)
	case absent:
		r.add(SeverityError, FieldMaxRuntime, -1, "", label(s)+" has no maximum runtime", "max_runtime_seconds is not set.")
	case present:
		if v := s.MaxRuntimeSeconds.V; v > limit {
			r.add(SeverityError, FieldMaxRuntime, -1, "", fmt.Sprintf("%s may run for %d seconds", label(s), v),
				fmt.Sprintf("max_runtime_seconds is %d; max_training_runtime_seconds allows at most %d.", v, limit))
		}
	}
	return r.out
}

// imageAccounts are the accounts whose registries may supply images: the
// caller's own (when known) and allowed_image_accounts.
func imageAccounts(s *Subject, p Policy) []string {
	var out []string
	if s.AccountID != "" {
		out = append(out, s.AccountID)
	}
	for _, a := range p.AllowedImageAccounts {
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// allowedAccount reports whether account may be used where this account's
// objects are asked for: it is the caller's own or one the guardrails list.
// It fails closed: when the caller's account is not known (the provider did
// not learn it), only the listed accounts are allowed, so an unknown account
// never lets any other account through.
func allowedAccount(s *Subject, account string, listed []string) bool {
	return (s.AccountID != "" && account == s.AccountID) || slices.Contains(listed, account)
}

// thisAccount names the caller's account for an error, or says it is unknown.
func thisAccount(s *Subject) string {
	if s.AccountID == "" {
		return "this account (which the provider does not know: it did not learn it from sts:GetCallerIdentity)"
	}
	return "this account (" + s.AccountID + ")"
}

func checkImageSource(s *Subject, p Policy) []Finding {
	r := report{id: "SS-SUP-1"}
	switch need(s, s.Image) {
	case skip:
		r.skipValue(s, FieldImage, s.Image.State)
		return r.out
	case absent:
		r.add(SeverityError, FieldImage, -1, "", label(s)+" has no container image", "image is not set.")
		return r.out
	}
	img := s.Image.V
	e, ok := ParseECRImage(img)
	if !ok {
		r.add(SeverityError, FieldImage, -1, img, "image "+img+" is not from Amazon ECR",
			fmt.Sprintf("%q is not an Amazon ECR image URI (<account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag][@sha256:<digest>]).", img))
		return r.out
	}
	if !allowedAccount(s, e.Account, p.AllowedImageAccounts) {
		allowed := strings.Join(imageAccounts(s, p), ", ")
		if s.AccountID == "" {
			allowed = orNone(allowed) + " (this account is not known to the provider, so only the listed accounts are allowed)"
		}
		r.add(SeverityError, FieldImage, -1, img, "image "+img+" comes from account "+e.Account+", which is not allowed",
			fmt.Sprintf("Its registry belongs to account %s; images may come from this account and allowed_image_accounts: %s. To use another account's images (SageMaker's "+
				"prebuilt ones come from an AWS account of the region), add it to the provider's guardrails.allowed_image_accounts.",
				e.Account, allowed))
	}
	if e.Digest == "" {
		tag := e.Tag
		if tag == "" {
			tag = "latest"
		}
		r.add(SeverityWarning, FieldImage, -1, img, "image "+img+" is not pinned by digest",
			fmt.Sprintf("It is referenced by the tag %q, which can be moved to another image; use %s@sha256:<digest>.", tag, e.Repository))
	}
	return r.out
}

// ---- audit trail ----

// liveTrail returns the observed trail, or records why there is none to
// check: Unknown at plan (the apply creates or restores it), Null in a
// preflight that was not asked, no trail at all (SS-AUD-1's finding).
func (r *report) liveTrail(s *Subject, field Field) (facts.TrailFact, bool) {
	v := s.Audit.Live
	switch {
	case v.State == facts.StateUnknown:
		r.skip(SkipUntilApply, field, "observed only on the live trail, after apply")
	case !v.IsKnown():
		r.skipValue(s, field, v.State)
	case v.V.Trail == "" && r.id != "SS-AUD-1":
		r.nothingToCheck(field, "the account has no trail (SS-AUD-1)")
	default:
		return v.V, true
	}
	return facts.TrailFact{}, false
}

func checkTrailRecording(s *Subject, _ Policy) []Finding {
	r := report{id: "SS-AUD-1"}
	t, ok := r.liveTrail(s, FieldTrail)
	if !ok {
		return r.out
	}
	if t.Trail == "" {
		r.add(SeverityError, FieldTrail, -1, "", "the account has no CloudTrail trail in "+orRef(s.Region, "this region"),
			"DescribeTrails returned no trail (including multi-region trails of other regions), so nobody can tell who changed or deleted an ML resource.")
		return r.out
	}
	var gaps []string
	if !t.MultiRegion {
		gaps = append(gaps, "it records only its home region")
	}
	if !t.Logging {
		gaps = append(gaps, "its logging is stopped")
	}
	switch t.ManagementEvents {
	case "All":
	case "":
		gaps = append(gaps, "it records no management events")
	default:
		gaps = append(gaps, "it records only "+t.ManagementEvents+" management events")
	}
	if len(t.ExcludedSources) > 0 {
		gaps = append(gaps, "it excludes the management events of "+strings.Join(t.ExcludedSources, ", "))
	}
	if len(gaps) > 0 {
		r.add(SeverityError, FieldTrail, -1, t.Trail, "trail "+t.Trail+" does not record every management event in every region",
			"Of trail "+t.Trail+": "+sentences(gaps, ""))
	}
	return r.out
}

func checkTrailEncryption(s *Subject, p Policy) []Finding {
	r := report{id: "SS-AUD-2"}
	in := s.Audit.KMSKeyARN
	switch {
	case in.IsKnown():
		r.trailKeyInput(s, p, in.V)
	case in.State == facts.StateUnknown || s.Kind != KindPreflight:
		r.skipValue(s, FieldKMSKey, in.State)
	}
	t, ok := r.liveTrail(s, FieldTrail)
	if !ok {
		return r.out
	}
	switch {
	case t.KMSKeyARN == "":
		r.add(SeverityError, FieldTrail, -1, t.Trail, "trail "+t.Trail+" is not encrypted with a customer-managed key",
			"Its log files are encrypted only with S3-managed keys (no KmsKeyId), so anyone who can read the bucket can read them.")
	case in.IsKnown() && t.KMSKeyARN != in.V:
		r.add(SeverityError, FieldTrail, -1, t.Trail, "trail "+t.Trail+" is encrypted with another key",
			fmt.Sprintf("Its KmsKeyId is %s; kms_key_arn is %s.", t.KMSKeyARN, in.V))
	}
	if !t.LogFileValidation {
		r.add(SeverityError, FieldTrail, -1, t.Trail, "trail "+t.Trail+" has log file validation off",
			"Without digest files nobody can prove that a log file was not changed or deleted after CloudTrail delivered it.")
	}
	return r.out
}

// trailKeyInput checks the key the trail is asked to use: a KMS key ARN of
// this account (or of an account allowed_key_accounts names).
func (r *report) trailKeyInput(s *Subject, p Policy, key string) {
	a, err := arn.Parse(key)
	switch {
	case err != nil || a.Service != "kms" || !strings.HasPrefix(a.Resource, "key/"):
		r.add(SeverityError, FieldKMSKey, -1, key, "kms_key_arn "+key+" is not a KMS key ARN",
			"The trail needs the ARN of a customer-managed key (arn:aws:kms:<region>:<account>:key/<id>); an alias or key ID would let the key behind it change.")
	case !allowedAccount(s, a.AccountID, p.AllowedKeyAccounts):
		r.add(SeverityError, FieldKMSKey, -1, key, "kms_key_arn "+key+" belongs to account "+a.AccountID,
			fmt.Sprintf("The trail's key must belong to %s or to one allowed_key_accounts names, so the account's owner controls who can read the audit logs.", thisAccount(s)))
	}
}

func checkTrailBucket(s *Subject, _ Policy) []Finding {
	r := report{id: "SS-AUD-3"}
	t, ok := r.liveTrail(s, FieldTrailBucket)
	if !ok {
		return r.out
	}
	var gaps []string
	for _, g := range []struct {
		ok   bool
		what string
	}{
		{t.BucketOwnerEnforced, "object ownership is not BucketOwnerEnforced (ACLs still apply)"},
		{t.PublicAccessBlocked, "its public access block is not on for all four settings"},
		{t.TLSOnly, "its policy does not deny requests without TLS (aws:SecureTransport false)"},
		{t.Versioned, "versioning is not enabled"},
	} {
		if !g.ok {
			gaps = append(gaps, g.what)
		}
	}
	if len(gaps) > 0 {
		b := orRef(t.Bucket, "of trail "+t.Trail)
		r.add(SeverityError, FieldTrailBucket, -1, t.Bucket, "the log bucket "+b+" is not private and versioned",
			"Of bucket "+b+": "+sentences(gaps, ""))
	}
	return r.out
}

func checkTrailLogGroup(s *Subject, p Policy) []Finding {
	r := report{id: "SS-AUD-4"}
	minDays := max(p.MinLogRetentionDays, 1)
	switch d := s.Audit.RetentionDays; {
	case d.IsKnown() && d.V < minDays:
		r.add(SeverityError, FieldRetentionDays, -1, "", fmt.Sprintf("retention_days %d is too short", d.V),
			fmt.Sprintf("retention_days is %d; min_log_retention_days requires at least %d.", d.V, minDays))
	case !d.IsKnown() && (d.State == facts.StateUnknown || s.Kind != KindPreflight):
		r.skipValue(s, FieldRetentionDays, d.State)
	}
	t, ok := r.liveTrail(s, FieldTrailLogGroup)
	if !ok {
		return r.out
	}
	if t.LogGroup == "" {
		r.add(SeverityError, FieldTrailLogGroup, -1, t.Trail, "trail "+t.Trail+" delivers to no CloudWatch Logs group",
			"Without a log group no metric filter or alarm sees its events (SS-AUD-5), so changes are found only by reading the bucket.")
		return r.out
	}
	if t.LogGroupKMSKeyARN == "" {
		r.add(SeverityError, FieldTrailLogGroup, -1, t.LogGroup, "log group "+t.LogGroup+" is not encrypted with a customer-managed key",
			"It has no kmsKeyId, so the audit events in it are readable by anyone with logs:GetLogEvents in the account.")
	}
	if d := t.LogGroupRetentionDays; d != 0 && d < minDays {
		r.add(SeverityError, FieldTrailLogGroup, -1, t.LogGroup, "log group "+t.LogGroup+" keeps events too briefly",
			fmt.Sprintf("Its retention is %d days; min_log_retention_days requires at least %d (or never expire).", d, minDays))
	}
	return r.out
}

func checkTrailAlarms(s *Subject, _ Policy) []Finding {
	r := report{id: "SS-AUD-5"}
	switch a := s.Audit.AlarmActions; {
	case a.IsKnown() && len(a.V) == 0:
		r.add(SeverityError, FieldAlarms, -1, "", "the audit alarms of "+label(s)+" would notify nobody",
			"Neither the trail's alarm_actions nor the provider's name a topic, so an alarm on a deleted endpoint, a disabled key or denied calls would change state and tell no one.")
	case !a.IsKnown() && (a.State == facts.StateUnknown || s.Kind != KindPreflight):
		r.skipValue(s, FieldAlarms, a.State)
	case a.IsKnown():
		r.foreignActions(s, -1, "the audit alarms of "+label(s), a.V)
		r.alarmTopics(s, auditTopics(s), true)
	}
	t, ok := r.liveTrail(s, FieldMetricFilters)
	if !ok {
		return r.out
	}
	if t.LogGroup == "" {
		r.nothingToCheck(FieldMetricFilters, "trail "+t.Trail+" delivers to no log group (SS-AUD-4)")
		return r.out
	}
	for i, c := range AuditEventClasses {
		if gap := watchGap(t, c); gap != "" {
			r.add(SeverityError, FieldMetricFilters, i, c.Name, "no alarm with actions watches "+c.Title+" on "+t.LogGroup, gap)
		}
	}
	return r.out
}

// watchGap says what is missing for one event class: a metric filter with
// exactly the class's pattern, and an alarm with enabled actions on its
// metric; "" when both are there.
func watchGap(t facts.TrailFact, c AuditEventClass) string {
	var metrics []string
	for _, f := range t.MetricFilters {
		if f.Pattern == c.Pattern {
			metrics = append(metrics, f.Namespace+"/"+f.Metric)
		}
	}
	if len(metrics) == 0 {
		return fmt.Sprintf("No metric filter on %s has exactly the pattern %s (%s).", t.LogGroup, c.Pattern, c.Source)
	}
	var silent []string
	for _, a := range t.Alarms {
		if !slices.Contains(metrics, a.Namespace+"/"+a.Metric) {
			continue
		}
		if a.ActionsEnabled && len(a.Actions) > 0 {
			return ""
		}
		silent = append(silent, a.Name)
	}
	if len(silent) > 0 {
		return "The alarms " + strings.Join(silent, ", ") + " on " + strings.Join(metrics, ", ") + " notify nobody (no actions, or actions disabled)."
	}
	return "No alarm watches the metric " + strings.Join(metrics, ", ") + " of its filter."
}

// ---- shared helpers ----

// report collects the findings of one control.
type report struct {
	id  string
	out []Finding
}

func (r *report) add(sev Severity, field Field, index int, object, summary, evidence string) {
	r.out = append(r.out, Finding{Control: r.id, Severity: sev, Field: field, Index: index,
		Object: object, Summary: summary, Evidence: evidence})
}

// skipSeverity marks a Finding that is a Skip in disguise, so that every
// check keeps returning []Finding: its Index is the SkipKind and its Summary
// the reason. Evaluate moves these into the skips before anyone sees them.
const skipSeverity Severity = "skip"

// skip records that (part of) the control could not be checked, and why.
func (r *report) skip(kind SkipKind, field Field, reason string) {
	r.out = append(r.out, Finding{Control: r.id, Severity: skipSeverity, Field: field, Index: int(kind), Summary: reason})
}

// skipValue records a value the check needs that is not known: unknown
// until apply, not given to a preflight, or not set (another control's
// finding).
func (r *report) skipValue(s *Subject, field Field, state facts.State) {
	switch {
	case state == facts.StateUnknown:
		r.skip(SkipUntilApply, field, string(field)+" is known only after apply")
	case s.Kind == KindPreflight:
		r.skip(SkipNotApplicable, field, "not applicable: "+string(field)+" was not given")
	case state == facts.StateNull:
		r.skip(SkipNotApplicable, field, "not applicable: "+string(field)+" is not set")
	}
}

// skipList is skipValue for a list the check walks; it also skips an
// empty list (nothing to check; SS-NET-1 reports a workload without
// subnets). It reports whether the list was skipped.
func (r *report) skipList(s *Subject, field Field, v facts.Value[[]string]) bool {
	if v.IsKnown() && len(v.V) > 0 {
		return false
	}
	if v.IsKnown() {
		r.skip(SkipNotApplicable, field, "not applicable: "+string(field)+" is empty")
	} else {
		r.skipValue(s, field, v.State)
	}
	return true
}

// skipUnknownLocations records every S3 location not known yet.
func (r *report) skipUnknownLocations(s *Subject) {
	for _, l := range s.S3 {
		if !l.URI.IsKnown() {
			r.skipValue(s, locField(l), l.URI.State)
		}
	}
}

// nothingToCheck records that (part of) the control had nothing to check:
// the guardrails require nothing of it, the workload has none of what it
// checks, or the object is missing (another control's finding, named in
// reason). The control is then not checked, with the reason, not held.
func (r *report) nothingToCheck(field Field, reason string) {
	r.skip(SkipNotApplicable, field, "nothing to check: "+reason)
}

// absentObject records that there is nothing to check when the object the
// check needs is unset (ref "") or does not exist: owner, the control that
// reports it. It reports whether that was the case.
func (r *report) absentObject(field Field, what, ref string, found bool, owner string) bool {
	switch {
	case ref == "":
		r.nothingToCheck(field, "no "+what+" is set ("+owner+")")
	case !found:
		r.nothingToCheck(field, what+" "+ref+" does not exist ("+owner+")")
	default:
		return false
	}
	return true
}

// noS3Locations records a subject without S3 locations (a preflight not
// asked about any).
func (r *report) noS3Locations(s *Subject) {
	if len(s.S3) == 0 {
		r.nothingToCheck(FieldS3URIs, label(s)+" has no S3 locations")
	}
}

// noBuckets records a subject none of whose known S3 locations names a
// bucket (none at all, or none that is an s3:// URI: SS-TLS-2's finding).
func (r *report) noBuckets(s *Subject) {
	switch {
	case len(s.S3) == 0:
		r.noS3Locations(s)
	case len(bucketUses(s)) == 0 && !slices.ContainsFunc(s.S3, func(l S3Location) bool { return !l.URI.IsKnown() }):
		r.nothingToCheck(FieldS3URIs, "no S3 location of "+label(s)+" is an s3:// URI (SS-TLS-2)")
	}
}

// notLookedUp records an object whose facts were not looked up.
func (r *report) notLookedUp(field Field, what string) {
	r.skip(SkipNotLookedUp, field, what+" was not looked up")
}

// skipLive records a network setting observed only on the live VPC: a plan
// leaves it unknown, because the apply creates or restores it.
func (r *report) skipLive(field Field, what string) {
	r.skip(SkipUntilApply, field, "observed only on the live VPC, after apply: "+what)
}

// notFound reports an object that was looked up and does not exist.
func (r *report) notFound(s *Subject, field Field, index int, what, id string) {
	where := "this region"
	if s.Region != "" {
		where = s.Region
	}
	r.add(SeverityError, field, index, id, what+" "+id+" does not exist",
		fmt.Sprintf("No %s %s was found in %s with the provider's credentials; check the ID, the region and the account.", what, id, where))
}

// requireOn reports a flag sagesafe always turns on that is off or unset.
func requireOn(s *Subject, id string, v facts.Value[bool], field Field, what, apiField string) []Finding {
	r := report{id: id}
	state := "not set"
	switch need(s, v) {
	case skip:
		r.skipValue(s, field, v.State)
		return r.out
	case present:
		if v.V {
			return nil
		}
		state = "false"
	}
	r.add(SeverityError, field, -1, "", what+" is off for "+label(s), fmt.Sprintf("%s is %s on %s.", apiField, state, label(s)))
	return r.out
}

// presence classifies a plan value for a check.
type presence int

const (
	skip    presence = iota // unknown, or null in a preflight: nothing to check
	absent                  // null where the workload needs a value
	present                 // known
)

func need[T any](s *Subject, v facts.Value[T]) presence {
	switch {
	case v.State == facts.StateKnown:
		return present
	case v.State == facts.StateNull && s.Kind != KindPreflight:
		return absent
	default:
		return skip
	}
}

// known returns the elements of a known list, nil otherwise.
func known[T any](v facts.Value[[]T]) []T {
	if v.IsKnown() {
		return v.V
	}
	return nil
}

func errorIf(strict bool) Severity {
	if strict {
		return SeverityError
	}
	return SeverityWarning
}

var kindNouns = map[Kind]string{
	KindTrainingJob:   "training job",
	KindProcessingJob: "processing job",
	KindBudget:        "budget",
	KindModelMonitor:  "model monitor",
	KindEndpoint:      "endpoint",
	KindNetwork:       "network",
	KindKMSKey:        "KMS key",
	KindExecutionRole: "execution role",
	KindPersonaRole:   "persona role",
	KindAuditTrail:    "audit trail",
	KindProvider:      "provider",
}

// label names the subject in messages: `training job "churn"`, or "the workload" in a preflight.
func label(s *Subject) string {
	noun, ok := kindNouns[s.Kind]
	if !ok || s.Kind == KindPreflight {
		return "the workload"
	}
	if s.Name == "" {
		return "the " + noun
	}
	return fmt.Sprintf("%s %q", noun, s.Name)
}

// sentences joins items into one sentence ending with a period, or returns
// empty when there are none.
func sentences(items []string, empty string) string {
	if len(items) == 0 {
		return empty
	}
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = strings.TrimRight(strings.TrimSpace(it), ".")
	}
	return strings.Join(parts, "; ") + "."
}

// samplingText is a sampling percentage for an error: its value, or "not set".
func samplingText(p facts.Value[int64]) string {
	if !p.IsKnown() {
		return "not set"
	}
	return fmt.Sprintf("%d%%", p.V)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func orRef(s, ref string) string {
	if s == "" {
		return ref
	}
	return s
}
