package awsclient

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/facts"
)

// sharedProfile is what the provider reads from the shared config profile
// before any request: the endpoints it configures (checked with SS-TLS-1) and
// whether it names a CA bundle.
type sharedProfile struct {
	Name      string
	Files     []string // the config files read; nil means the SDK default
	Endpoints []facts.Endpoint
	CABundle  string
}

// loadSharedProfile reads the profile the SDK will use (profile, else
// AWS_PROFILE, else AWS_DEFAULT_PROFILE, else "default") from the files it
// will read (shared_config_files, else AWS_CONFIG_FILE, else
// ~/.aws/config), and collects every endpoint_url it sets: the profile's own
// (used by every service without a closer setting) and each service's in the
// profile's services section. A file or profile that does not exist yields
// nothing; aws-sdk-go-base reports configuration errors.
func loadSharedProfile(ctx context.Context, profile string, configFiles, credentialsFiles []string, lookupEnv func(string) (string, bool)) sharedProfile {
	if lookupEnv == nil {
		lookupEnv = os.LookupEnv
	}
	if profile == "" {
		profile = firstEnv(lookupEnv, "AWS_PROFILE", "AWS_DEFAULT_PROFILE")
	}
	if profile == "" {
		profile = "default"
	}
	if len(configFiles) == 0 {
		if f := firstEnv(lookupEnv, "AWS_CONFIG_FILE"); f != "" {
			configFiles = []string{f}
		}
	}
	if len(credentialsFiles) == 0 {
		if f := firstEnv(lookupEnv, "AWS_SHARED_CREDENTIALS_FILE"); f != "" {
			credentialsFiles = []string{f}
		}
	}
	out := sharedProfile{Name: profile, Files: configFiles}
	sc, err := config.LoadSharedConfigProfile(ctx, profile, func(o *config.LoadSharedConfigOptions) {
		if len(configFiles) > 0 {
			o.ConfigFiles = configFiles
		}
		if len(credentialsFiles) > 0 {
			o.CredentialsFiles = credentialsFiles
		}
	})
	if err != nil {
		return out
	}
	out.CABundle = sc.CustomCABundle

	ignore := sc.IgnoreConfiguredEndpoints != nil && *sc.IgnoreConfiguredEndpoints
	if v, ok := lookupEnv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"); ok && v != "" {
		ignore = strings.EqualFold(v, "true")
	}
	if ignore {
		return out
	}
	where := fmt.Sprintf("profile %q of the shared config file (%s)", profile, out.filesText())
	if u := strings.TrimSpace(sc.BaseEndpoint); u != "" {
		out.Endpoints = append(out.Endpoints, facts.Endpoint{URL: u, Source: "endpoint_url in " + where})
	}
	services := make([]string, 0, len(sc.Services.ServiceValues))
	for svc := range sc.Services.ServiceValues {
		services = append(services, svc)
	}
	sort.Strings(services)
	for _, svc := range services {
		if u := strings.TrimSpace(sc.Services.ServiceValues[svc]["endpoint_url"]); u != "" {
			out.Endpoints = append(out.Endpoints, facts.Endpoint{
				Service: svc,
				URL:     u,
				Source:  fmt.Sprintf("endpoint_url of %s in [services %s], used by %s", svc, sc.ServicesSectionName, where),
			})
		}
	}
	return out
}

func (p sharedProfile) filesText() string {
	if len(p.Files) == 0 {
		return "default: ~/.aws/config"
	}
	return strings.Join(p.Files, ", ")
}

func firstEnv(lookupEnv func(string) (string, bool), names ...string) string {
	for _, n := range names {
		if v, ok := lookupEnv(n); ok && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
