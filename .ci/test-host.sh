#!/usr/bin/env bash
# Sourced by test.sh and bench.sh: prepares the host exactly as run.sh does, but with
# the tests' own Azurite (ports 10010-10012, so a development cluster and a test run
# never share tables), and two more engines for a three-host cluster, and exports where the
# tests find the agent, storage and engines. SANDBOXES_TEST_EXTRA_HOMES names the two more
# engines' homes (default /var/lib/sbx-t2 /var/lib/sbx-t3).
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
# Two more engines for the tests' three-host cluster, each with its own copy of the image;
# SANDBOXES_TEST_ENGINES lists all three, the one above first.
# The copies run side by side: 80 s together the first time rather than 110 s one after
# the other (a busy 2-core machine); under a second when done.
SANDBOXES_TEST_ENGINES="$DOCKER_HOST"
test_copies=()
for test_home in ${SANDBOXES_TEST_EXTRA_HOMES:-/var/lib/sbx-t2 /var/lib/sbx-t3}; do
  SANDBOXES_HOME="$test_home" .ci/prepare-host.sh engine >&2
  SANDBOXES_HOME="$test_home" .ci/prepare-host.sh image-copy "$DOCKER_HOST" >&2 &
  test_copies+=("$!")
  SANDBOXES_TEST_ENGINES+=" unix://$test_home/engine/docker.sock"
done
for test_copy in "${test_copies[@]}"; do wait "$test_copy"; done
unset test_home test_copy test_copies
export SANDBOXES_TEST_ENGINES
.ci/publish-agent.sh "$SANDBOXES_AGENT_DIR" >&2
