// Command demo runs the golden path against the local emulator, end to end:
// `make demo` starts the emulator (internal/acctest/with-emulator.sh), builds
// the provider and Terraform, and runs this. It never needs a registry: the
// provider comes from a dev_overrides CLI configuration.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/awsclient"
	"github.com/sagesafe/terraform-provider-sagesafe/internal/fixtures"
)

const (
	demoTagKey = "sagesafe-demo"
	demoTagVal = "golden-path"
	region     = "us-east-1"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "\ndemo FAILED: %v\n", err)
		os.Exit(1)
	}
	fmt.Println("\ndemo OK: the golden path ran end to end and left nothing behind.")
}

type step struct{ n, of int }

func (s *step) say(format string, a ...any) {
	s.n++
	fmt.Printf("\n==> [%d/%d] %s\n", s.n, s.of, fmt.Sprintf(format, a...))
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
	tf := filepath.Join(bin, "terraform")
	for _, p := range []string{tf, filepath.Join(bin, "terraform-provider-sagesafe")} {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("%s is missing: run `make demo` (it builds it)", p)
		}
	}

	st := &step{of: 7}
	st.say("connecting to the emulator at %s", endpoint)
	c, diags := awsclient.New(ctx, awsclient.Config{Region: region, EndpointURL: endpoint, AccessKey: "testing", SecretKey: "testing", MaxRetries: 3})
	if diags.HasError() {
		return fmt.Errorf("emulator clients: %v", diags)
	}
	fmt.Printf("    account %s, region %s\n", c.AccountID, c.Region)

	st.say("creating a mixed network in the emulator (as a team using hashicorp/aws would have it)")
	b := fixtures.New(c, map[string]string{demoTagKey: demoTagVal})
	defer func() {
		// After a failure: remove whatever the demo made.
		if err := b.Teardown(context.Background()); err != nil {
			fmt.Fprintf(os.Stderr, "    teardown: %v\n", err)
		}
	}()
	vars, err := makeFixtures(ctx, b)
	if err != nil {
		return err
	}
	vars["endpoint_url"] = endpoint
	vars["region"] = region
	vars["check_insecure"] = true
	for _, k := range []string{"private_subnet_ids", "public_subnet_id", "closed_security_group_id", "open_security_group_id", "rotating_key_arn", "static_key_arn"} {
		fmt.Printf("    %-26s %v\n", k, vars[k])
	}

	work, err := os.MkdirTemp("", "sagesafe-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	if err := copyDir(filepath.Join(root, "examples", "golden-path"), work); err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(work, "terraform.tfvars.json"), vars); err != nil {
		return err
	}
	cliConfig := filepath.Join(work, ".terraformrc")
	if err := os.WriteFile(cliConfig, []byte(fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"sagesafe/sagesafe\" = %q\n  }\n  direct {}\n}\n", bin)), 0o600); err != nil {
		return err
	}
	env := append(os.Environ(), "TF_CLI_CONFIG_FILE="+cliConfig, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	terraform := func(args ...string) ([]byte, error) {
		cmd := exec.CommandContext(ctx, tf, append([]string{"-chdir=" + work}, args...)...)
		cmd.Env = env
		var out bytes.Buffer
		cmd.Stdout = &out
		cmd.Stderr = &out
		err := cmd.Run()
		if err != nil {
			return out.Bytes(), fmt.Errorf("terraform %s: %w\n%s", args[0], err, out.String())
		}
		return out.Bytes(), nil
	}

	st.say("terraform plan (examples/golden-path, provider from a dev_overrides CLI config: no registry)")
	out, err := terraform("plan", "-input=false", "-no-color")
	if err != nil {
		return err
	}
	printMatching(out, "Warning: SS-")
	printTail(out, 1)

	st.say("terraform apply")
	destroyed := false
	defer func() {
		if !destroyed {
			fmt.Println("\n==> terraform destroy (after a failure)")
			if out, err := terraform("destroy", "-auto-approve", "-input=false", "-no-color"); err != nil {
				fmt.Fprintln(os.Stderr, err)
			} else {
				printTail(out, 1)
			}
		}
	}()
	out, err = terraform("apply", "-auto-approve", "-input=false", "-no-color")
	if err != nil {
		return err
	}
	printTail(out, 2)

	st.say("preflight report")
	out, err = terraform("output", "-json")
	if err != nil {
		return err
	}
	if err := report(out); err != nil {
		return err
	}

	st.say("terraform destroy")
	out, err = terraform("destroy", "-auto-approve", "-input=false", "-no-color")
	if err != nil {
		return err
	}
	destroyed = true
	printTail(out, 1)

	if err := b.Teardown(ctx); err != nil {
		return err
	}
	st.say("checking that nothing is left in the emulator")
	return verifyClean(ctx, c)
}

func makeFixtures(ctx context.Context, b *fixtures.Builder) (map[string]any, error) {
	vpc, err := b.VPC(ctx, "10.90.0.0/16")
	if err != nil {
		return nil, err
	}
	var private []string
	for i, az := range []string{"a", "b"} {
		id, err := b.Subnet(ctx, vpc, fixtures.SubnetOpts{CIDR: fmt.Sprintf("10.90.%d.0/24", i+1), AZ: region + az, S3Gateway: true})
		if err != nil {
			return nil, err
		}
		private = append(private, id)
	}
	public, err := b.Subnet(ctx, vpc, fixtures.SubnetOpts{CIDR: "10.90.9.0/24", InternetRoute: true, MapPublicIP: true})
	if err != nil {
		return nil, err
	}
	closed, err := b.SecurityGroup(ctx, vpc, "demo-workload", false)
	if err != nil {
		return nil, err
	}
	open, err := b.SecurityGroup(ctx, vpc, "demo-open-ssh", true)
	if err != nil {
		return nil, err
	}
	rotating, err := b.Key(ctx, demoTagVal+" rotating CMK", true)
	if err != nil {
		return nil, err
	}
	static, err := b.Key(ctx, demoTagVal+" key without rotation", false)
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"private_subnet_ids":       private,
		"public_subnet_id":         public,
		"closed_security_group_id": closed,
		"open_security_group_id":   open,
		"rotating_key_arn":         rotating,
		"static_key_arn":           static,
	}, nil
}

type finding struct {
	Control  string `json:"control"`
	Severity string `json:"severity"`
	Subject  string `json:"subject"`
	Message  string `json:"message"`
	Fix      string `json:"fix"`
}

func report(outputsJSON []byte) error {
	var outs map[string]struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(outputsJSON, &outs); err != nil {
		return fmt.Errorf("reading terraform outputs: %w", err)
	}
	var secureOK, insecureOK bool
	var secureF, insecureF []finding
	for name, dst := range map[string]any{"secure_compliant": &secureOK, "insecure_compliant": &insecureOK, "secure_findings": &secureF, "insecure_findings": &insecureF} {
		if err := json.Unmarshal(outs[name].Value, dst); err != nil {
			return fmt.Errorf("output %s: %w", name, err)
		}
	}
	printFindings := func(title string, compliant bool, fs []finding) {
		fmt.Printf("\n  %s: compliant=%v, %d finding(s)\n", title, compliant, len(fs))
		if len(fs) == 0 {
			return
		}
		w := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(w, "  CONTROL\tSEVERITY\tSUBJECT\tFINDING")
		for _, f := range fs {
			fmt.Fprintf(w, "  %s\t%s\t%s\t%s\n", f.Control, f.Severity, shorten(f.Subject, 40), shorten(f.Message, 90))
		}
		w.Flush()
	}
	printFindings("secure inputs (private subnets in 2 AZs, closed SG, rotating CMK)", secureOK, secureF)
	printFindings("insecure inputs (public subnet, SG open to 0.0.0.0/0, key without rotation)", insecureOK, insecureF)

	if !secureOK {
		return errors.New("the secure inputs were not compliant")
	}
	if insecureOK {
		return errors.New("the insecure inputs were reported compliant")
	}
	want := []string{"SS-NET-2", "SS-NET-3", "SS-KMS-2"}
	for _, id := range want {
		found := false
		for _, f := range insecureF {
			found = found || f.Control == id
		}
		if !found {
			return fmt.Errorf("the insecure inputs should be refused by %s", id)
		}
	}
	fmt.Printf("\n  the insecure inputs are refused by %s, each with its fix\n", strings.Join(want, ", "))
	return nil
}

func verifyClean(ctx context.Context, c *awsclient.Client) error {
	vpcs, err := c.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []ec2types.Filter{{Name: aws.String("tag:" + demoTagKey), Values: []string{demoTagVal}}}})
	if err != nil {
		return err
	}
	if n := len(vpcs.Vpcs); n > 0 {
		return fmt.Errorf("%d demo VPC(s) left in the emulator", n)
	}
	sgs, err := c.EC2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{{Name: aws.String("tag:" + demoTagKey), Values: []string{demoTagVal}}}})
	if err != nil {
		return err
	}
	if n := len(sgs.SecurityGroups); n > 0 {
		return fmt.Errorf("%d demo security group(s) left in the emulator", n)
	}
	keys, err := c.KMS.ListKeys(ctx, &kms.ListKeysInput{})
	if err != nil {
		return err
	}
	pending := 0
	for _, k := range keys.Keys {
		d, err := c.KMS.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.KeyId})
		if err != nil {
			return err
		}
		if !strings.HasPrefix(aws.ToString(d.KeyMetadata.Description), demoTagVal) {
			continue
		}
		if d.KeyMetadata.KeyState != "PendingDeletion" {
			return fmt.Errorf("demo key %s is %s, not scheduled for deletion", aws.ToString(k.KeyId), d.KeyMetadata.KeyState)
		}
		pending++
	}
	fmt.Printf("    no VPC, subnet or security group left; %d key(s) scheduled for deletion (KMS never deletes at once)\n", pending)
	return nil
}

func printTail(out []byte, n int) {
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	for _, l := range lines {
		fmt.Println("    " + l)
	}
}

func printMatching(out []byte, substr string) {
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, substr) {
			fmt.Println("    " + strings.TrimSpace(l))
		}
	}
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

// copyDir copies the .tf files of src into dst (no state, no .terraform).
func copyDir(src, dst string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".tf") {
			continue
		}
		in, err := os.Open(filepath.Join(src, e.Name()))
		if err != nil {
			return err
		}
		out, err := os.Create(filepath.Join(dst, e.Name()))
		if err != nil {
			in.Close()
			return err
		}
		_, err = io.Copy(out, in)
		in.Close()
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}
