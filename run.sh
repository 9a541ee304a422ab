#!/usr/bin/env bash
# Starts a working Sandboxes cluster on this machine.
#   ./run.sh [SILO SETTINGS...]            one node, in the foreground
#   ./run.sh --hosts N [SILO SETTINGS...]  N hosts (2 to 9) on this machine, each with its own
#                                          engine, data and silo, sharing one Azurite
#
# Installs what is missing (the product's own Docker engine, Azurite, clang for the AOT agent, the sandbox
# image), then runs silos with Azure Storage clustering and grain state on a local
# Azurite. Data lives under $SANDBOXES_HOME (default /var/lib/sandboxes); host I of N > 1 keeps
# its own under $SANDBOXES_HOME-hI (host 1 is $SANDBOXES_HOME itself). A second run rebuilds
# nothing that has not changed. Ctrl-C stops the silos; sandboxes keep running and are
# re-attached on the next start.
set -Eeuo pipefail
# Any command that fails and ends the script says which one and where, so no failure is silent.
trap 'echo "error: ${BASH_SOURCE[0]##*/}:$LINENO: \`$BASH_COMMAND\` failed with exit $?" >&2' ERR
cd "$(dirname "$0")"

export SANDBOXES_HOME="${SANDBOXES_HOME:-/var/lib/sandboxes}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

hosts=1
case "${1:-}" in
  --hosts) hosts="${2:-}"; shift 2 || shift ;;
  --hosts=*) hosts="${1#--hosts=}"; shift ;;
esac
[[ "$hosts" =~ ^[1-9]$ ]] || { echo "run.sh: --hosts takes a number from 1 to 9, not '$hosts'" >&2; exit 2; }

# Host I's data, engine and logs. Short: the engine's socket paths live below it.
home_of() { if (( $1 == 1 )); then echo "$SANDBOXES_HOME"; else echo "$SANDBOXES_HOME-h$1"; fi; }
engine_of() { echo "unix://$(home_of "$1")/engine/docker.sock"; }

.ci/prepare-host.sh packages
for ((i = 1; i <= hosts; i++)); do
  SANDBOXES_HOME="$(home_of "$i")" .ci/prepare-host.sh engine
done
eval "$(.ci/prepare-host.sh engine-env)"
.ci/prepare-host.sh azurite "$SANDBOXES_HOME/azurite"
.ci/prepare-host.sh image
for ((i = 2; i <= hosts; i++)); do
  SANDBOXES_HOME="$(home_of "$i")" .ci/prepare-host.sh image-copy "$DOCKER_HOST"
done
.ci/publish-agent.sh "$SANDBOXES_HOME/agent"

echo "silo: building ..."
dotnet build src/Sandboxes.Silo -c Release -nologo -v quiet -clp:ErrorsOnly
silo=src/Sandboxes.Silo/bin/Release/net10.0/Sandboxes.Silo.dll

if (( hosts == 1 )); then
  echo "silo: starting (Ctrl-C to stop) ..."
  exec dotnet "$silo" \
    --Sandboxes:DataRoot="$SANDBOXES_HOME" \
    --Sandboxes:DockerEndpoint="$DOCKER_HOST" \
    "$@"
fi

source .ci/run-hosts.sh
run_hosts "$@"
