#!/usr/bin/env bash
# Sourced by test.sh and bench.sh: prepares the host exactly as run.sh does, but with
# the tests' own Azurite (ports 10010-10012, so a development cluster and a test run
# never share tables), and exports where the tests find the agent and storage.
# Prints to stderr, so a caller's stdout stays its own.

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export SANDBOXES_AGENT_DIR="$PWD/artifacts/agent"
export SANDBOXES_AZURITE_PORT=10010
account="AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
export SANDBOXES_STORAGE="DefaultEndpointsProtocol=http;$account;BlobEndpoint=http://127.0.0.1:10010/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10011/devstoreaccount1;TableEndpoint=http://127.0.0.1:10012/devstoreaccount1;"

.ci/prepare-host.sh packages >&2
.ci/prepare-host.sh engine >&2
# The product's own engine (user-namespace remapped, btrfs with quotas): the docker CLI
# (image build, stale-container cleanup, the benchmarks' baselines) and the tests use it.
eval "$(.ci/prepare-host.sh engine-env)"
.ci/prepare-host.sh azurite "${SANDBOXES_TEST_AZURITE_DIR:-/tmp/sandboxes-test-azurite}" >&2
.ci/prepare-host.sh image >&2
.ci/publish-agent.sh "$SANDBOXES_AGENT_DIR" >&2
