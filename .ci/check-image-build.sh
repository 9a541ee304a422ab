#!/usr/bin/env bash
# Builds the sandbox image from nothing under a throw-away repository name, as a fresh
# machine would, then removes it. A first build takes paths that later builds skip (no
# hash tag yet, no older tag to drop), and a machine that already has the image never
# runs them: that is how a first ./run.sh once exited 1 with no error line.
# About 2 to 4 minutes and 1.3 GB of disk while it runs. Uses the engine that
# DOCKER_HOST names, like build-image.sh.
set -Eeuo pipefail
# Any command that fails and ends the script says which one and where, so no failure is silent.
trap 'echo "error: ${BASH_SOURCE[0]##*/}:$LINENO: \`$BASH_COMMAND\` failed with exit $?" >&2' ERR
cd "$(dirname "$0")/.."

repo="sandboxes-image-check-$(date +%s)-$$/sandbox"
say() { printf '[check-image-build] %s\n' "$*"; }

remove_images() {
  docker image ls --format '{{.Repository}}:{{.Tag}}' "$repo" | xargs -r docker image rm -f >/dev/null 2>&1 || true
}
trap remove_images EXIT

[[ -z "$(docker image ls -q "$repo")" ]] || { say "error: $repo already has images"; exit 1; }
say "building $repo from nothing"
SANDBOXES_IMAGE_REPO="$repo" src/Sandboxes.Image/build-image.sh
docker image inspect "$repo:latest" >/dev/null || { say "error: the build exited 0 but $repo:latest is missing"; exit 1; }
say "second run: must find the image up to date and build nothing"
second="$(SANDBOXES_IMAGE_REPO="$repo" src/Sandboxes.Image/build-image.sh)"
grep -q 'is up to date' <<<"$second" || { say "error: the second run did not take the fast path: $second"; exit 1; }
say "ok: a first build of $repo succeeds and a second is a no-op"
