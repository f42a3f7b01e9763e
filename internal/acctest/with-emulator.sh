#!/usr/bin/env bash
# Runs a command with an AWS emulator available at $SAGESAFE_TEST_ENDPOINT.
#
# When SAGESAFE_TEST_ENDPOINT is already set (a running moto, the sagesafe
# launcher, or a LocalStack edge URL), it is reused and nothing is started.
# Otherwise the sagesafe emulator launcher (moto, in-process, gaps filled) is
# started on a free loopback port and always stopped afterwards — on success,
# failure or Ctrl-C. Only the process started here is stopped, by PID.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-testing}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-testing}"
export AWS_REGION="${AWS_REGION:-us-east-1}"
unset AWS_PROFILE AWS_SESSION_TOKEN
# A CLI config variable that names a missing file only makes Terraform warn.
if [ -n "${TF_CLI_CONFIG_FILE:-}" ] && [ ! -f "$TF_CLI_CONFIG_FILE" ]; then unset TF_CLI_CONFIG_FILE; fi

if [ -n "${SAGESAFE_TEST_ENDPOINT:-}" ]; then
  echo "==> using the emulator at $SAGESAFE_TEST_ENDPOINT"
  exec "$@"
fi

# report RC: the emulator's own account of retried or dropped requests and
# server errors (a test that fails with a duplicate-name error usually had
# its first answer lost; this shows which call and what it was answered).
report() {
  local log="$state/emulator.log" n notable='^sagesafe-(retry|dropped)|Traceback|" 5[0-9][0-9] '
  [ -f "$log" ] || return 0
  n="$(grep -c '^sagesafe-fault' "$log" || true)"
  [ "$n" = "0" ] || echo "==> emulator: $n faults injected by tests (sagesafe-fault lines in its log)"
  n="$(grep -c -E "$notable" "$log" || true)"
  [ "$n" = "0" ] && return 0
  echo "==> emulator: $n retried/dropped requests or server errors (log: the lines below)"
  if [ "$1" != "0" ]; then
    grep -E -A12 "$notable" "$log" | tail -n 200 || true
  else
    grep -E "$notable" "$log" | grep -v Traceback | tail -n 20 || true
  fi
}

state="$(mktemp -d "${TMPDIR:-/tmp}/sagesafe-emulator.XXXXXX")"
stop() {
  local rc=$?
  report "$rc"
  bash "$here/emulator/emulator.sh" stop "$state" >/dev/null 2>&1 || true
  rm -rf "$state"
  exit $rc
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

url="$(bash "$here/emulator/emulator.sh" start "$state")"
export SAGESAFE_TEST_ENDPOINT="$url"
echo "==> emulator started at $SAGESAFE_TEST_ENDPOINT (stopped when this command ends)"
"$@"
