#!/usr/bin/env bash
# Re-creates third_party/go-plugin from a go-plugin release in the Go module
# cache and applies go-plugin.patch to it, e.g. `third_party/update-go-plugin.sh v1.7.0`;
# then `go get github.com/hashicorp/go-plugin@<the same version>` so that go.mod's require
# names the version the copy is, and `go test -run TestDeadMethodElimination .`.
set -euo pipefail
version=${1:?usage: $0 <go-plugin version, e.g. v1.8.0>}
here=$(cd "$(dirname "$0")" && pwd)
go mod download github.com/hashicorp/go-plugin@"$version"
src=$(go list -m -f '{{.Dir}}' github.com/hashicorp/go-plugin@"$version")
rm -rf "$here/go-plugin"
mkdir -p "$here/go-plugin"
# The module's library files only: no tests, examples or docs.
(cd "$src" && find . -type f \( -name '*.go' ! -name '*_test.go' -o -name go.mod -o -name go.sum -o -name LICENSE \) \
	! -path './examples/*' ! -path './test/*' ! -path './docs/*' -print0 | tar --null -cf - -T -) | tar -xf - -C "$here/go-plugin"
chmod -R u+w "$here/go-plugin"
patch -d "$here/go-plugin" -p1 < "$here/go-plugin.patch"
echo "$version" > "$here/go-plugin.version"
echo "third_party/go-plugin is go-plugin $version with go-plugin.patch applied"
