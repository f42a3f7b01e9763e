#!/usr/bin/env bash
# Start or stop the sagesafe emulator (moto + launcher.py patches).
#
#   emulator.sh start DIR   start on a free loopback port; print its URL
#   emulator.sh stop DIR    stop the emulator started with that DIR
#
# start writes DIR/pid, DIR/port, DIR/url and DIR/emulator.log, waits up to
# $SAGESAFE_EMULATOR_START_TIMEOUT seconds (default 30) for /_sagesafe/health
# and prints the URL (only the URL goes to stdout, so URL=$(emulator.sh start
# DIR) works). stop signals only the PID recorded in DIR/pid, waits for it to
# exit and removes pid/port/url (the log is kept for debugging).
#
# Python: $SAGESAFE_PYTHON if set, else the first of python3/python in PATH,
# ~/.pyenv/shims/python3, and the interpreter of `moto_server` (its
# shebang, or a python3 next to it) that can `import moto.server`.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

die() {
	echo "emulator.sh: $*" >&2
	exit 1
}

# Print the first interpreter that can import moto's server, or fail.
find_python() {
	local candidates=() py moto_server_path shebang
	[[ -n "${SAGESAFE_PYTHON:-}" ]] && candidates+=("$SAGESAFE_PYTHON")
	for py in python3 python; do
		command -v "$py" >/dev/null 2>&1 && candidates+=("$(command -v "$py")")
	done
	[[ -n "${HOME:-}" ]] && candidates+=("$HOME/.pyenv/shims/python3")
	if moto_server_path="$(command -v moto_server 2>/dev/null)"; then
		shebang="$(head -n 1 "$moto_server_path" 2>/dev/null || true)"
		if [[ "$shebang" == '#!'* ]]; then
			shebang="${shebang#\#!}"
			read -r -a words <<<"$shebang"
			# "#!/usr/bin/env python3" -> python3; "#!/path/python" -> /path/python
			if [[ "${words[0]:-}" == */env ]]; then
				candidates+=("${words[1]:-}")
			else
				candidates+=("${words[0]:-}")
			fi
		fi
		candidates+=("$(dirname "$moto_server_path")/python3")
	fi
	for py in "${candidates[@]}"; do
		[[ -n "$py" ]] || continue
		if "$py" -c 'import moto.server' >/dev/null 2>&1; then
			echo "$py"
			return 0
		fi
	done
	die "no Python with moto found (tried: ${candidates[*]}).
Install moto[server] 5.2.1 so that 'moto_server' or 'python3 -m moto.server' works,
or set SAGESAFE_PYTHON to an interpreter where 'import moto' succeeds."
}

# is_ours PID: the process exists and is our launcher (guards against PID reuse).
is_ours() {
	local pid="$1"
	kill -0 "$pid" 2>/dev/null || return 1
	if [[ -r "/proc/$pid/cmdline" ]]; then
		tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "launcher.py" || return 1
	fi
	return 0
}

# healthy PORT: GET /_sagesafe/health answers 200 (bash /dev/tcp, no curl needed).
healthy() {
	local port="$1" status
	{ exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || return 1
	printf 'GET /_sagesafe/health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
	read -r -t 5 _ status _ <&3 || status=""
	exec 3<&- 3>&-
	[[ "$status" == "200" ]]
}

start() {
	local dir="$1" py pid port timeout deadline
	mkdir -p "$dir"
	dir="$(cd "$dir" && pwd)"
	if [[ -f "$dir/pid" ]] && is_ours "$(cat "$dir/pid")"; then
		die "already running with pid $(cat "$dir/pid") (see $dir); run: $0 stop $dir"
	fi
	rm -f "$dir/pid" "$dir/port" "$dir/url"
	py="$(find_python)"
	nohup "$py" "$here/launcher.py" --host 127.0.0.1 --port 0 --port-file "$dir/port" \
		>"$dir/emulator.log" 2>&1 </dev/null &
	pid=$!
	echo "$pid" >"$dir/pid"

	timeout="${SAGESAFE_EMULATOR_START_TIMEOUT:-30}"
	deadline=$((SECONDS + timeout))
	while :; do
		if ! kill -0 "$pid" 2>/dev/null; then
			rm -f "$dir/pid"
			echo "emulator.sh: launcher exited during start-up; last lines of $dir/emulator.log:" >&2
			tail -n 20 "$dir/emulator.log" >&2 || true
			exit 1
		fi
		if [[ -s "$dir/port" ]]; then
			port="$(cat "$dir/port")"
			if healthy "$port"; then
				break
			fi
		fi
		if ((SECONDS >= deadline)); then
			kill "$pid" 2>/dev/null || true
			rm -f "$dir/pid"
			die "emulator not healthy after ${timeout}s; see $dir/emulator.log"
		fi
		sleep 0.2
	done
	echo "http://127.0.0.1:$port" | tee "$dir/url"
}

stop() {
	local dir="$1" pid i
	if [[ ! -f "$dir/pid" ]]; then
		echo "emulator.sh: no $dir/pid; nothing to stop" >&2
		return 0
	fi
	pid="$(cat "$dir/pid")"
	if is_ours "$pid"; then
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 50; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.2
		done
		if kill -0 "$pid" 2>/dev/null; then
			echo "emulator.sh: pid $pid ignored SIGTERM for 10s; sending SIGKILL" >&2
			kill -KILL "$pid" 2>/dev/null || true
		fi
	else
		echo "emulator.sh: pid $pid is not a running launcher; cleaning up" >&2
	fi
	rm -f "$dir/pid" "$dir/port" "$dir/url"
}

# selftest: the launcher's own tests (boto3 against a launcher it starts).
selftest() {
	local py
	py=$(find_python)
	cd "$here" && "$py" -m unittest -q test_launcher
}

case "${1:-}" in
start | stop)
	[[ $# -eq 2 ]] || die "usage: $0 $1 DIR"
	"$1" "$2"
	;;
selftest)
	selftest
	;;
*)
	die "usage: $0 {start|stop} DIR | selftest"
	;;
esac
