#!/usr/bin/env bash
# Measures the product side by side with its baselines (docker CLI, Docker API) in one
# run, on this machine. Prepares the host like test.sh, starts its own silo, and writes
# bench-results.json, bench-results.md and exec-latency.png to --out DIR (default: .).
#   ./bench.sh            full run (under 15 minutes on 2 cores)
#   ./bench.sh --quick    fewer rounds (under 3 minutes); prints a `name value unit` summary last
set -euo pipefail
cd "$(dirname "$0")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export SANDBOXES_AGENT_DIR="$PWD/artifacts/agent"
export SANDBOXES_AZURITE_PORT=10010
account="AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
export SANDBOXES_STORAGE="DefaultEndpointsProtocol=http;$account;BlobEndpoint=http://127.0.0.1:10010/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10011/devstoreaccount1;TableEndpoint=http://127.0.0.1:10012/devstoreaccount1;"

.ci/prepare-host.sh packages >&2
.ci/prepare-host.sh docker >&2
.ci/prepare-host.sh azurite "${SANDBOXES_TEST_AZURITE_DIR:-/tmp/sandboxes-test-azurite}" >&2
.ci/prepare-host.sh image >&2
.ci/publish-agent.sh "$SANDBOXES_AGENT_DIR" >&2

dotnet build tests/Sandboxes.Benchmarks -c Release -nologo -v quiet -clp:ErrorsOnly >&2
exec dotnet tests/Sandboxes.Benchmarks/bin/Release/net10.0/Sandboxes.Benchmarks.dll "$@"
