#!/usr/bin/env bash
# Builds the default sandbox image from Debian's packages, with no registry:
#   debootstrap --variant=minbase (+ packages.txt) -> apt-get install packages-apt.txt
#   in the rootfs -> slim down -> docker import.
#
# The image is tagged <repo>:<first 12 hex of its hash> and <repo>:latest, where the
# hash is sha256 over this script and both package lists (everything that defines the image;
# the in-image config files are written inline below, so they are covered too).
# When the hash tag already exists the build is skipped.
#
# Usage: build-image.sh [--force] [--verbose]
#   --force    rebuild even when the hash tag exists
#   --verbose  stream all debootstrap output, not just its phases
# Environment:
#   SANDBOXES_IMAGE_REPO     image repository (default sandboxes/sandbox)
#   SANDBOXES_DEBIAN_MIRROR  Debian mirror (default: the machine's apt sources,
#                            else http://deb.debian.org/debian)
#   TMPDIR                   where the rootfs is built (default /var/tmp; needs a
#                            filesystem that allows exec and device nodes)
set -Eeuo pipefail
# Any command that fails and ends the script says which one and where, so no failure is silent.
trap 'echo "error: ${BASH_SOURCE[0]##*/}:$LINENO: \`$BASH_COMMAND\` failed with exit $?" >&2' ERR

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
suite=bookworm
repo="${SANDBOXES_IMAGE_REPO:-sandboxes/sandbox}"
force=0
verbose=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    --verbose) verbose=1 ;;
    -h|--help) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-image: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

say() { printf '[build-image %3ds] %s\n' "$SECONDS" "$*"; }
die() { printf 'build-image: %s\n' "$*" >&2; exit 1; }

command -v docker >/dev/null || die "docker CLI not found; run .ci/prepare-host.sh packages"
docker version >/dev/null 2>&1 || die "Docker engine does not answer on /var/run/docker.sock; run .ci/prepare-host.sh docker"

hash="$(cd "$script_dir" && sha256sum build-image.sh packages.txt packages-apt.txt | sha256sum | cut -c1-64)"
tag="$repo:${hash:0:12}"

# Fast path: nothing changed since the last build.
if [[ $force -eq 0 ]] && image_id="$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null)"; then
  if [[ "$(docker image inspect -f '{{.Id}}' "$repo:latest" 2>/dev/null || true)" != "$image_id" ]]; then
    docker tag "$tag" "$repo:latest"
  fi
  say "image $tag is up to date (also $repo:latest)"
  exit 0
fi

[[ $EUID -eq 0 ]] || die "must run as root (debootstrap needs it)"
command -v debootstrap >/dev/null || die "debootstrap not found; run .ci/prepare-host.sh packages"

# First http(s) URI in the machine's apt sources (deb822 or one-line) that serves $1.
apt_source_uri() {
  local want="$1" f
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -r "$f" ]] || continue
    awk -v want="$want" 'BEGIN { RS = ""; FS = "\n" }
      {
        types = ""; uris = ""; suites = ""; enabled = "yes"
        for (i = 1; i <= NF; i++) {
          line = $i; if (line ~ /^[ \t]*#/) continue
          split(line, kv, ":"); key = tolower(kv[1]); val = substr(line, length(kv[1]) + 2)
          if (key == "types") types = val; else if (key == "uris") uris = val
          else if (key == "suites") suites = val; else if (key == "enabled") enabled = tolower(val)
        }
        if (enabled ~ /no/ || (" " types " ") !~ /[ \t]deb[ \t]/) next
        if ((" " suites " ") !~ ("[ \t]" want "[ \t]")) next
        n = split(uris, u, /[ \t]+/)
        for (j = 1; j <= n; j++) if (u[j] ~ /^https?:\/\//) { print u[j]; exit }
      }' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -r "$f" ]] || continue
    awk -v want="$want" '$1 == "deb" {
        i = 2; if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
        if ($(i) ~ /^https?:\/\// && $(i + 1) == want) { print $(i); exit }
      }' "$f"
  done
}
mirror="${SANDBOXES_DEBIAN_MIRROR:-$(apt_source_uri "$suite" | head -n1)}"
mirror="${mirror:-http://deb.debian.org/debian}"
security_mirror="$(apt_source_uri "$suite-security" | head -n1)"
security_mirror="${security_mirror:-http://deb.debian.org/debian-security}"

read_list() { sed -e 's/#.*//' -e 's/[[:space:]]//g' "$script_dir/$1" | grep -v '^$' || true; }
mapfile -t packages < <(read_list packages.txt)
[[ ${#packages[@]} -gt 0 ]] || die "packages.txt lists no packages"
mapfile -t apt_packages < <(read_list packages-apt.txt)

workdir="$(mktemp -d "${TMPDIR:-/var/tmp}/sandboxes-image-build.XXXXXX")"
rootfs="$workdir/rootfs"
log="$workdir/debootstrap.log"
debootstrap_pid=""
follower_pid=""
succeeded=0

cleanup() {
  local status=$?
  # A second Ctrl-C must not cut the cleanup short; it is bounded below anyway.
  trap '' INT TERM
  trap - EXIT
  if [[ -n "$debootstrap_pid" ]] && kill -0 "$debootstrap_pid" 2>/dev/null; then
    say "stopping debootstrap"
    kill -TERM -- "-$debootstrap_pid" 2>/dev/null || kill -TERM "$debootstrap_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$debootstrap_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$debootstrap_pid" 2>/dev/null || true
    wait "$debootstrap_pid" 2>/dev/null || true
  fi
  [[ -n "$follower_pid" ]] && kill "$follower_pid" 2>/dev/null || true
  if [[ $succeeded -eq 0 && -s "$log" && $verbose -eq 0 ]]; then
    echo "build-image: last lines of the debootstrap log:" >&2
    tail -n 25 "$log" >&2 || true
  fi
  # debootstrap mounts proc/sys (and more) inside the rootfs; never rm through a mount.
  if [[ -d "$rootfs" ]]; then
    awk -v root="$rootfs" 'index($2, root) == 1 { print $2 }' /proc/mounts | sort -r |
      while read -r m; do umount -l "$m" 2>/dev/null || true; done
  fi
  rm -rf --one-file-system "$workdir"
  [[ $succeeded -eq 1 ]] || say "build failed (exit $status); temporary rootfs removed"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "building $tag from $mirror ($suite, minbase + ${#packages[@]} packages)"
say "phase 1/5: debootstrap into $rootfs"
include="$(IFS=,; echo "${packages[*]}")"
: >"$log" # exists before the follower below opens it
# Own session, so Ctrl-C/TERM on this script can stop debootstrap and all its children.
setsid debootstrap --variant=minbase --include="$include" "$suite" "$rootfs" "$mirror" >"$log" 2>&1 &
debootstrap_pid=$!
if [[ $verbose -eq 1 ]]; then
  tail -n +1 -f --pid="$debootstrap_pid" "$log" &
else
  tail -n +1 -f --pid="$debootstrap_pid" "$log" | awk '
    /^[EW]:/ { print "  " $0; fflush(); next }
    /^I: Retrieving (InRelease|Release|Packages)/ || /^I: Resolving/ || /^I: (Installing|Unpacking|Configuring) (required|the base)/ || /^I: Base system/ {
      print "  " $0; fflush() }
    /^I: Retrieving / { n++; if (n % 50 == 0) { print "  I: ... " n " packages retrieved"; fflush() } }' &
fi
follower_pid=$!
set +e
wait "$debootstrap_pid"
debootstrap_status=$?
set -e
debootstrap_pid=""
wait "$follower_pid" 2>/dev/null || true
follower_pid=""
[[ $debootstrap_status -eq 0 ]] || die "debootstrap failed with exit $debootstrap_status"

say "phase 2/5: configure apt"
cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security_mirror
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
rm -f "$rootfs/etc/apt/sources.list"
# Images layered FROM this one stay small: no docs, man pages, translations
# (LANG is C.UTF-8) or apt caches.
cat >"$rootfs/etc/dpkg/dpkg.cfg.d/sandboxes-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
cat >"$rootfs/etc/apt/apt.conf.d/sandboxes-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
# No init system in a sandbox: package scripts must not try to start services.
printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
chmod 755 "$rootfs/usr/sbin/policy-rc.d"

# debootstrap's own resolver cannot configure packages whose maintainer scripts need a
# full base system (python3-zmq under ipykernel is one), so the heavier packages are a
# second, ordinary apt-get step inside the finished rootfs.
if [[ ${#apt_packages[@]} -gt 0 ]]; then
  say "phase 3/5: apt-get install ${#apt_packages[@]} packages in the rootfs"
  cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
  mount -t proc proc "$rootfs/proc"
  in_rootfs() { chroot "$rootfs" env DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "$@"; }
  in_rootfs apt-get -q update >>"$log" 2>&1 || die "apt-get update in the rootfs failed"
  in_rootfs apt-get -q install -y --no-install-recommends "${apt_packages[@]}" >>"$log" 2>&1 ||
    die "apt-get install in the rootfs failed"
  umount "$rootfs/proc"
fi

say "phase 4/5: slim the rootfs"
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/archives/partial/* \
  "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/* \
  "$rootfs"/var/cache/debconf/*-old "$rootfs"/var/lib/dpkg/*-old \
  "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/tmp/* "$rootfs"/var/tmp/*
find "$rootfs/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
find "$rootfs/var/log" -type f -delete
# The engine provides these at run time; do not bake in the build host's.
: >"$rootfs/etc/resolv.conf"
: >"$rootfs/etc/hostname"
rm -f "$rootfs/etc/machine-id" && : >"$rootfs/etc/machine-id"

say "phase 5/5: docker import"
changes=(
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
  --change 'ENV HOME=/root'
  --change 'ENV LANG=C.UTF-8'
  --change 'WORKDIR /root'
  --change 'CMD ["/bin/bash"]'
  --change "LABEL sandboxes.image.hash=$hash"
)
tar --numeric-owner -C "$rootfs" -cf - . |
  docker import "${changes[@]}" --message "sandboxes $suite minbase ${hash:0:12}" - "$tag" >/dev/null

say "tag $repo:latest, drop older hash tags no container uses"
docker tag "$tag" "$repo:latest"
tags="$(docker image ls --format '{{.Repository}}:{{.Tag}}' "$repo")"
# On a first build there is no older tag, and grep's exit 1 for "no match" is success here.
old_tags="$(grep -E ":[0-9a-f]{12}$" <<<"$tags" | grep -vx "$tag" || true)"
for old in $old_tags; do
  docker image rm "$old" >/dev/null 2>&1 && say "removed old image $old" || true
done
size="$(docker image inspect -f '{{.Size}}' "$tag")"
say "built $tag and $repo:latest, $((size / 1024 / 1024)) MiB"
succeeded=1
