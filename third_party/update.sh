#!/usr/bin/env bash
# Re-creates a patched copy in third_party/ from a release in the Go module cache:
#   third_party/update.sh go-plugin v1.7.0
#   third_party/update.sh terraform-plugin-framework v1.19.0
#   third_party/update.sh terraform-plugin-log v0.11.0
# It copies the module's library files (no tests, examples or docs), applies
# third_party/<name>.patch and writes third_party/<name>.version. Then
# `go get github.com/hashicorp/<name>@<the same version>` so that go.mod's require names the
# version the copy is, and `go test -run 'TestDeadMethodElimination|TestThirdPartyCopies' .`.
# A patch that no longer applies stops the script: port it by hand (third_party/README.md).
# Needs GNU tar and patch.
set -euo pipefail
name=${1:?usage: $0 <go-plugin|terraform-plugin-framework|terraform-plugin-log> <version>}
version=${2:?usage: $0 <name> <version, e.g. v1.8.0>}
case "$name" in
go-plugin | terraform-plugin-framework | terraform-plugin-log) module="github.com/hashicorp/$name" ;;
*) echo "$0: no patched copy named $name" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
go mod download "$module@$version"
src=$(go list -m -f '{{.Dir}}' "$module@$version")
rm -rf "${here:?}/$name"
mkdir -p "$here/$name"
(cd "$src" && find . -type f \( -name '*.go' ! -name '*_test.go' -o -name go.mod -o -name go.sum -o -name LICENSE \) \
	! -path './examples/*' ! -path './test/*' ! -path './docs/*' ! -path './website/*' -print0 |
	tar --null -cf - -T -) | tar -xf - -C "$here/$name"
chmod -R u+w "$here/$name"
patch -d "$here/$name" -p1 < "$here/$name.patch"
echo "$version" > "$here/$name.version"
echo "third_party/$name is $name $version with $name.patch applied"
