#!/usr/bin/env bash
# `make emulator`: the sagesafe emulator in the foreground, for people and
# for other projects' tests. Starts it on a free loopback port (emulator.sh
# start), prints its URL and the environment to export, shows its log, and
# stops it on Ctrl-C (emulator.sh stop: the launcher's PID only).
#
#   serve.sh            the log to the terminal
#   serve.sh --quiet    no log, only the URL and the environment
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

quiet=false
[[ "${1:-}" == "--quiet" ]] && quiet=true

state="$(mktemp -d "${TMPDIR:-/tmp}/sagesafe-emulator.XXXXXX")"
stop() {
	bash "$here/emulator.sh" stop "$state" >/dev/null 2>&1 || true
	rm -rf "$state"
	echo "==> emulator stopped"
}
trap stop EXIT
trap 'exit 0' INT TERM

url="$(bash "$here/emulator.sh" start "$state")"
cat <<EOF
==> sagesafe emulator (moto 5.2.1 with the sagesafe launcher's patches) at $url

Export this in the shell that runs Terraform or your tests:

  export AWS_ENDPOINT_URL=$url
  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
  unset AWS_PROFILE AWS_SESSION_TOKEN
  export SAGESAFE_TEST_ENDPOINT=$url   # this repository's acceptance tests reuse it

Account 123456789012; any credentials work; nothing leaves this machine.
Control API: $url/_sagesafe/health (behaviour, call counts, fault injection).
Ctrl-C stops it.
EOF
pid="$(cat "$state/pid")"
if $quiet; then
	while kill -0 "$pid" 2>/dev/null; do sleep 1; done
else
	echo "==> log"
	tail -n +1 --pid="$pid" -f "$state/emulator.log"
fi
echo "==> the emulator exited on its own; the end of its log:" >&2
tail -n 20 "$state/emulator.log" >&2 || true
exit 1
