#!/usr/bin/env bash
# Starts a working one-node Sandboxes cluster in the foreground.
#
# Installs what is missing (the product's own Docker engine, Azurite, clang for the AOT agent, the sandbox
# image), then runs one silo with Azure Storage clustering and grain state on a local
# Azurite. Data lives under $SANDBOXES_HOME (default /var/lib/sandboxes). A second run
# rebuilds nothing that has not changed. Ctrl-C stops the silo; sandboxes keep running
# and are re-attached on the next start.
set -Eeuo pipefail
# Any command that fails and ends the script says which one and where, so no failure is silent.
trap 'echo "error: ${BASH_SOURCE[0]##*/}:$LINENO: \`$BASH_COMMAND\` failed with exit $?" >&2' ERR
cd "$(dirname "$0")"

export SANDBOXES_HOME="${SANDBOXES_HOME:-/var/lib/sandboxes}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

.ci/prepare-host.sh packages
.ci/prepare-host.sh engine
eval "$(.ci/prepare-host.sh engine-env)"
.ci/prepare-host.sh azurite "$SANDBOXES_HOME/azurite"
.ci/prepare-host.sh image
.ci/publish-agent.sh "$SANDBOXES_HOME/agent"

echo "silo: building ..."
dotnet build src/Sandboxes.Silo -c Release -nologo -v quiet -clp:ErrorsOnly
echo "silo: starting (Ctrl-C to stop) ..."
exec dotnet src/Sandboxes.Silo/bin/Release/net10.0/Sandboxes.Silo.dll \
  --Sandboxes:DataRoot="$SANDBOXES_HOME" \
  --Sandboxes:DockerEndpoint="$DOCKER_HOST" \
  "$@"
