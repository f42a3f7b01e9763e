// Command demo runs the golden path against the local emulator, end to end:
// `make demo` starts the emulator (internal/acctest/with-emulator.sh), builds
// the provider and Terraform, and runs this. It never needs a registry: the
// provider comes from a dev_overrides CLI configuration.
//
// Steps: plan and apply examples/golden-path, the caller of the module
// modules/golden-path (key, network, roles, training
// job, baseline processing job, endpoint, persona roles, audit trail), print
// its outputs and a compliance matrix
// (also written to examples/golden-path/COMPLIANCE.md), judge the data
// scientists' live role with an IAM policy simulator (an insecure
// CreateTrainingJob denied, the one sagesafe made allowed, and allowed by
// the permissions boundary the demo creates first and every role of the
// stack carries, SS-IAM-5), show the audit
// trail's alarms and the endpoint's autoscaling, data capture and drift
// baseline as the emulator holds them, check that a
// second plan is empty,
// show that an insecure variant is refused at plan time with its control
// IDs, destroy, and prove that nothing is left in the emulator. The
// emulator is stopped by with-emulator.sh even when a step fails.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/awsclient"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/fixtures"
)

const region = "us-east-1"

// stackModule is the address prefix of the golden path's resources:
// examples/golden-path calls modules/golden-path as module "golden_path".
// The demo names them as the module does (sagesafe_endpoint.model).
const stackModule = "module.golden_path."

func main() {
	start := time.Now()
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "\ndemo FAILED after %s: %v\n", time.Since(start).Round(time.Second), err)
		os.Exit(1)
	}
	fmt.Printf("\ndemo OK in %s: the golden path was applied, reported compliant, refused its insecure variant, and was destroyed without leftovers.\n", time.Since(start).Round(time.Second))
}

type steps struct{ n, of int }

func (s *steps) say(format string, a ...any) {
	s.n++
	fmt.Printf("\n==> [%d/%d] %s\n", s.n, s.of, fmt.Sprintf(format, a...))
}

// tf runs terraform in one working directory with the dev_overrides config.
type tf struct {
	bin, dir string
	env      []string
}

func (t tf) run(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, t.bin, append([]string{"-chdir=" + t.dir}, args...)...)
	cmd.Env = t.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if err != nil {
		return out.Bytes(), fmt.Errorf("terraform %s in %s: %w\n%s", args[0], filepath.Base(t.dir), err, out.String())
	}
	return out.Bytes(), nil
}

func run() error {
	ctx := context.Background()
	endpoint := os.Getenv("SAGESAFE_TEST_ENDPOINT")
	if endpoint == "" {
		return errors.New("SAGESAFE_TEST_ENDPOINT is not set: run `make demo`, which starts the emulator")
	}
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	bin := filepath.Join(root, ".tools", "bin")
	for _, p := range []string{filepath.Join(bin, "terraform"), filepath.Join(bin, "terraform-provider-sagesafe")} {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("%s is missing: run `make demo` (it builds it)", p)
		}
	}
	st := &steps{of: 12}

	st.say("connecting to the emulator at %s", endpoint)
	c, diags := awsclient.New(ctx, awsclient.Config{Region: region, EndpointURL: endpoint, AccessKey: "testing", SecretKey: "testing", MaxRetries: 3})
	if diags.HasError() {
		return fmt.Errorf("emulator clients: %v", diags)
	}
	fmt.Printf("    account %s, region %s\n", c.AccountID, c.Region)

	st.say("preparing what the stack expects to exist already: a data bucket (SSE-KMS by default, TLS-only policy), the on-call topic and the organisation's permissions boundary")
	b := fixtures.New(c, map[string]string{"sagesafe-demo": "golden-path"})
	defer func() {
		if err := b.Teardown(context.Background()); err != nil {
			fmt.Fprintf(os.Stderr, "    removing the demo's fixtures: %v\n", err)
		}
	}()
	bucketKey, err := b.Key(ctx, "golden-path demo: data bucket key", true)
	if err != nil {
		return err
	}
	bucket, err := b.DataBucket(ctx, fmt.Sprintf("golden-path-data-%d", time.Now().Unix()), bucketKey)
	if err != nil {
		return err
	}
	fmt.Printf("    s3://%s/training/\n", bucket)
	topic, err := b.OnCallTopic(ctx, fmt.Sprintf("golden-path-oncall-%d", time.Now().Unix()))
	if err != nil {
		return err
	}
	fmt.Printf("    %s (alarms and AWS Budgets may publish to it)\n", topic)
	// Deleted after the stack (deferred before the destroy below, so it
	// runs after it): a policy cannot be deleted while roles carry it.
	boundaryDoc := boundaryPolicy(c.Partition, c.AccountID, stackName).JSON()
	boundary, err := ensureBoundary(ctx, c, boundaryName, boundaryDoc)
	if err != nil {
		return err
	}
	defer func() {
		if err := deleteBoundary(context.Background(), c, boundary); err != nil {
			fmt.Fprintf(os.Stderr, "    %v\n", err)
		}
	}()
	fmt.Printf("    %s (the permissions boundary every role of the stack carries: an allow-list cap; iam:PassRole only of role/%s-*)\n", boundary, stackName)

	work, err := os.MkdirTemp("", "sagesafe-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	// The example and the module keep their places relative to each other:
	// the example calls the module by relative path.
	golden := filepath.Join(work, "examples", "golden-path")
	insecure := filepath.Join(work, "insecure")
	for src, dst := range map[string]string{
		filepath.Join(root, "examples", "golden-path"):             golden,
		filepath.Join(root, "modules", "golden-path"):              filepath.Join(work, "modules", "golden-path"),
		filepath.Join(root, "examples", "golden-path", "insecure"): insecure,
	} {
		if err := copyTF(src, dst); err != nil {
			return err
		}
	}
	cliConfig := filepath.Join(work, ".terraformrc")
	if err := os.WriteFile(cliConfig, []byte(fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"sagesafe/sagesafe\" = %q\n  }\n  direct {}\n}\n", bin)), 0o600); err != nil {
		return err
	}
	env := append(os.Environ(), "TF_CLI_CONFIG_FILE="+cliConfig, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	if err := writeJSON(filepath.Join(golden, "terraform.tfvars.json"), map[string]any{
		"endpoint_url": endpoint, "region": region, "data_bucket": bucket, "alarm_topic_arn": topic, "retain_logs_on_destroy": false,
		"name": stackName, "role_permissions_boundary_arn": boundary,
	}); err != nil {
		return err
	}
	gp := tf{bin: filepath.Join(bin, "terraform"), dir: golden, env: env}
	// Installs the module (a local copy; no registry). Not init: with
	// dev_overrides, init would still ask the registry for the provider.
	if _, err := gp.run(ctx, "get", "-no-color"); err != nil {
		return err
	}

	st.say("terraform plan examples/golden-path, which calls modules/golden-path (provider from a dev_overrides CLI config: no registry)")
	out, err := gp.run(ctx, "plan", "-input=false", "-no-color", "-out=plan.tfplan")
	if err != nil {
		return err
	}
	printMatching(out, regexp.MustCompile(`^\s*# \S+ will be created|^Plan: `))

	st.say("terraform apply")
	destroyed := false
	defer func() {
		if !destroyed {
			fmt.Println("\n==> terraform destroy (cleaning up after a failure)")
			if _, err := gp.run(context.Background(), "destroy", "-auto-approve", "-input=false", "-no-color"); err != nil {
				fmt.Fprintln(os.Stderr, err)
			}
		}
	}()
	applyStart := time.Now()
	out, err = gp.run(ctx, "apply", "-input=false", "-no-color", "plan.tfplan")
	if err != nil {
		return err
	}
	printMatching(out, regexp.MustCompile(`Creation complete after|^Apply complete`))
	fmt.Printf("    (%s)\n", time.Since(applyStart).Round(time.Second))

	st.say("outputs and compliance report")
	out, err = gp.run(ctx, "output", "-json")
	if err != nil {
		return err
	}
	if err := printOutputs(out); err != nil {
		return err
	}
	// The report shows what the resources checked on their live objects: an
	// apply leaves some states as its plan forecast them until a refresh.
	if _, err := gp.run(ctx, "apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color"); err != nil {
		return err
	}
	show, err := gp.run(ctx, "show", "-json")
	if err != nil {
		return err
	}
	m, err := BuildMatrix(show)
	if err != nil {
		return err
	}
	fmt.Println()
	fmt.Print(indent(m.Terminal(), "    "))
	reportPath := filepath.Join(root, "examples", "golden-path", "COMPLIANCE.md")
	if err := os.WriteFile(reportPath, []byte(m.Markdown("Golden path: compliance report")), 0o644); err != nil {
		return err
	}
	fmt.Printf("\n    written: %s\n", strings.TrimPrefix(reportPath, root+"/"))
	if failing := m.Failing(); len(failing) > 0 {
		return fmt.Errorf("the golden path does not satisfy: %s", strings.Join(failing, ", "))
	}
	// The golden path sets a boundary: SS-IAM-5 must be checked, and held,
	// on every resource it applies to.
	if notHeld := m.NotHeld("SS-IAM-5"); len(notHeld) > 0 {
		return fmt.Errorf("SS-IAM-5 (the permissions boundary) is not held on: %s", strings.Join(notHeld, "; "))
	}

	st.say("people: the data scientists' live role judged by an IAM policy simulator (@cloud-copilot/iam-simulate; real AWS is the final judge)")
	outcomes, err := judgeDataScientists(ctx, c, show, boundaryDoc)
	if err != nil {
		return err
	}
	for _, o := range outcomes {
		fmt.Printf("    %-18s %s\n", o.Decision.Result, o.Case.Name)
	}
	for _, o := range outcomes {
		if !o.OK {
			return fmt.Errorf("the data scientists' role decides wrongly: %s", o)
		}
	}

	st.say("audit: the trail and its alarms, as the emulator holds them")
	audit, err := showAuditTrail(ctx, c, show)
	if err != nil {
		return err
	}
	fmt.Printf("    trail %s: logging, multi-region, log file validation; to s3://%s and log group %s\n", audit.Trail, audit.Bucket, audit.LogGroup)
	fmt.Printf("    %d metric filters, %d alarms:\n", len(audit.Filters), len(audit.Alarms))
	for _, a := range audit.Alarms {
		fmt.Println("      " + a)
	}

	st.say("watching the model and its cost: autoscaling, data capture, the drift baseline and monitor, and the budget, as the emulator holds them")
	watch, err := watchLines(ctx, c, show)
	if err != nil {
		return err
	}
	for _, l := range watch {
		fmt.Println("    " + l)
	}

	st.say("a second plan: no drift, no changes")
	if _, err := gp.run(ctx, "plan", "-input=false", "-no-color", "-detailed-exitcode"); err != nil {
		return fmt.Errorf("the plan after apply is not empty: %w", err)
	}
	fmt.Println("    No changes. Your infrastructure matches the configuration.")

	st.say("the insecure variant (public subnets, an open security group, a key without rotation) is refused at plan time")
	ins, err := insecureFixtures(ctx, b, c)
	if err != nil {
		return err
	}
	ins["endpoint_url"] = endpoint
	if err := writeJSON(filepath.Join(insecure, "terraform.tfvars.json"), ins); err != nil {
		return err
	}
	out, err = tf{bin: gp.bin, dir: insecure, env: env}.run(ctx, "plan", "-input=false", "-no-color")
	if err == nil {
		return errors.New("the insecure variant was accepted: it must be refused at plan time")
	}
	preflight := controlsIn(out, regexp.MustCompile(`Warning: (SS-[A-Z]+-\d+): (.*)`))
	fmt.Println("    warnings (the preflight report of data.sagesafe_preflight.insecure, and the endpoint's non-blocking checks):")
	for _, r := range preflight {
		fmt.Println("      " + r)
	}
	refused := controlsIn(out, regexp.MustCompile(`Error: (SS-[A-Z]+-\d+): (.*)`))
	fmt.Println("    sagesafe_endpoint.insecure refused:")
	for _, r := range refused {
		fmt.Println("      Error: " + r)
	}
	for _, want := range []string{"SS-NET-2", "SS-NET-3", "SS-KMS-2"} {
		if !containsPrefix(preflight, want+":") {
			return fmt.Errorf("the preflight report should name %s; the plan said:\n%s", want, out)
		}
	}
	for _, want := range []string{"SS-NET-2", "SS-NET-3", "SS-KMS-2"} {
		if !containsPrefix(refused, want+":") {
			return fmt.Errorf("the insecure variant should be refused by %s; the plan said:\n%s", want, out)
		}
	}
	fmt.Println("    nothing was created: the refusal happens before any AWS object exists")

	st.say("terraform destroy")
	out, err = gp.run(ctx, "destroy", "-auto-approve", "-input=false", "-no-color")
	if err != nil {
		return err
	}
	destroyed = true
	printMatching(out, regexp.MustCompile(`^Destroy complete`))
	if err := b.Teardown(ctx); err != nil {
		return err
	}
	if err := deleteBoundary(ctx, c, boundary); err != nil {
		return err
	}

	st.say("checking that nothing is left in the emulator")
	return verifyClean(ctx, c, boundary)
}

// insecureFixtures makes, with the SDK, what an engineer in a hurry might
// pick: public subnets in two zones, a security group open to the world, a
// key without rotation, and a role (well formed, so the refusals are about
// the network and the key).
func insecureFixtures(ctx context.Context, b *fixtures.Builder, c *awsclient.Client) (map[string]any, error) {
	vpc, err := b.VPC(ctx, "10.99.0.0/16")
	if err != nil {
		return nil, err
	}
	var public []string
	for i, az := range []string{"a", "b"} {
		id, err := b.Subnet(ctx, vpc, fixtures.SubnetOpts{CIDR: fmt.Sprintf("10.99.%d.0/24", i+1), AZ: region + az, InternetRoute: true, MapPublicIP: true})
		if err != nil {
			return nil, err
		}
		public = append(public, id)
	}
	open, err := b.SecurityGroup(ctx, vpc, "insecure-open-ssh", true)
	if err != nil {
		return nil, err
	}
	static, err := b.Key(ctx, "golden-path demo: key without rotation", false)
	if err != nil {
		return nil, err
	}
	role, err := b.Role(ctx, insecureRole, fixtures.SageMakerTrust(c.Partition, region, c.AccountID, true))
	if err != nil {
		return nil, err
	}
	return map[string]any{"public_subnet_ids": public, "security_group_id": open, "static_key_arn": static, "role_arn": role}, nil
}

func printOutputs(outputsJSON []byte) error {
	var outs map[string]struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(outputsJSON, &outs); err != nil {
		return fmt.Errorf("reading terraform outputs: %w", err)
	}
	names := make([]string, 0, len(outs))
	for k := range outs {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if k == "organization_scp" || k == "endpoint_invoke_policy" || k == "controls" || k == "control_states" {
			fmt.Printf("    %-24s (%d bytes of JSON)\n", k, len(outs[k].Value))
			continue
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, outs[k].Value); err != nil {
			return err
		}
		fmt.Printf("    %-24s %s\n", k, shorten(compact.String(), 110))
	}
	return nil
}

func controlsIn(out []byte, re *regexp.Regexp) []string {
	seen := map[string]bool{}
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		if m := re.FindStringSubmatch(l); m != nil {
			line := m[1] + ": " + m[2]
			if !seen[line] {
				seen[line] = true
				lines = append(lines, line)
			}
		}
	}
	return lines
}

func containsPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

func printMatching(out []byte, re *regexp.Regexp) {
	for _, l := range strings.Split(string(out), "\n") {
		if re.MatchString(l) {
			fmt.Println("    " + strings.TrimSpace(l))
		}
	}
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i := range lines {
		lines[i] = prefix + lines[i]
	}
	return strings.Join(lines, "\n") + "\n"
}

func shorten(s string, n int) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

// copyTF copies the .tf files of src into dst (no state, no .terraform).
func copyTF(src, dst string) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".tf") {
			continue
		}
		if err := copyFile(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o644)
}
