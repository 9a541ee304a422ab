#!/usr/bin/env bash
# Measures the product side by side with its baselines (docker CLI, Docker API) in one
# run, on this machine. Prepares the host like test.sh, starts its own silo, and writes
# bench-results.json, bench-results.md and exec-latency.png to --out DIR (default: .).
#   ./bench.sh            full run (under 15 minutes on 2 cores)
#   ./bench.sh --quick    fewer rounds (about 5 minutes); prints a `name value unit` summary last
set -Eeuo pipefail
# Any command that fails and ends the script says which one and where, so no failure is silent.
trap 'echo "error: ${BASH_SOURCE[0]##*/}:$LINENO: \`$BASH_COMMAND\` failed with exit $?" >&2' ERR
cd "$(dirname "$0")"

source .ci/test-host.sh

dotnet build tests/Sandboxes.Benchmarks -c Release -nologo -v quiet -clp:ErrorsOnly >&2
exec dotnet tests/Sandboxes.Benchmarks/bin/Release/net10.0/Sandboxes.Benchmarks.dll "$@"
