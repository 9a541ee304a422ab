#!/usr/bin/env bash
# Runs the whole test suite against the real Docker engine, Azurite and the real agent.
# Installs and starts whatever is missing first, exactly as run.sh does.
set -Eeuo pipefail
# Any command that fails and ends the script says which one and where, so no failure is silent.
trap 'echo "error: ${BASH_SOURCE[0]##*/}:$LINENO: \`$BASH_COMMAND\` failed with exit $?" >&2' ERR
cd "$(dirname "$0")"

source .ci/test-host.sh

# Containers left in any of the tests' engines by an earlier run that was killed before it could clean up.
for engine in $SANDBOXES_TEST_ENGINES; do
  stale="$(docker -H "$engine" ps -aq --filter label=sandboxes.owner 2>/dev/null | xargs -r docker -H "$engine" inspect --format '{{.Id}} {{index .Config.Labels "sandboxes.owner"}}' | awk '$2 ~ /^sbxtest-/ {print $1}')"
  if [[ -n "$stale" ]]; then
    echo "tests: removing $(wc -l <<<"$stale") containers left by an earlier test run in $engine"
    xargs -r docker -H "$engine" rm -f <<<"$stale" >/dev/null
  fi
done

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# A failing test is reported below, not by the ERR trap (which would blame the pipe's last command).
set +e
trap - ERR
dotnet test tests/Sandboxes.Tests -c Release -nologo --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
trap 'echo "error: ${BASH_SOURCE[0]##*/}:$LINENO: \`$BASH_COMMAND\` failed with exit $?" >&2' ERR
set -e

# The failed tests again, with the first lines of each one's error, since thousands of lines
# of silo logs sit between them and the end of the output, where a reader (and CI) looks.
if grep -qE '^  Failed [A-Za-z]' "$log"; then
  echo "tests that failed:"
  grep -E -A6 '^  Failed [A-Za-z]' "$log" | grep -Ev '^ +Stack Trace:' | cut -c1-300 | head -60
fi

# A plain "N passed, N failed" line, for readers that do not know dotnet test's summary.
passed="$(grep -Eo '^ +Passed: +[0-9]+' "$log" | grep -Eo '[0-9]+' | tail -1 || true)"
failed="$(grep -Eo '^ +Failed: +[0-9]+' "$log" | grep -Eo '[0-9]+' | tail -1 || true)"
if [[ -n "$passed" || -n "$failed" ]]; then
  echo "tests: ${passed:-0} passed, ${failed:-0} failed"
fi
exit "$status"
