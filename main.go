// Command terraform-provider-sagesafe is the sagesafe Terraform provider.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime/pprof"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/sagesafe/terraform-provider-sagesafe/internal/provider"
)

// version is set by the linker: -ldflags "-X main.version=1.2.3".
var version = "dev"

// profileEnv names a directory where each provider process writes a CPU
// profile of its whole life (cpu-<pid>.pprof), for `make bench` and for
// finding where an apply spends its time (`go tool pprof`).
const profileEnv = "SAGESAFE_CPUPROFILE_DIR"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	stop, err := startProfile(os.Getenv(profileEnv))
	if err != nil {
		log.Fatal(err.Error())
	}
	err = providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address:         "registry.terraform.io/sagesafe/sagesafe",
		Debug:           debug,
		ProtocolVersion: 6,
	})
	stop()
	if err != nil {
		log.Fatal(err.Error())
	}
}

// startProfile starts a CPU profile into dir when dir is set; stop ends it.
func startProfile(dir string) (stop func(), err error) {
	if dir == "" {
		return func() {}, nil
	}
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("cpu-%d.pprof", os.Getpid())))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", profileEnv, err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("%s: %w", profileEnv, err)
	}
	return func() { pprof.StopCPUProfile(); _ = f.Close() }, nil
}
