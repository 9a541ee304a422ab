#!/usr/bin/env bash
# Publishes sandboxd (Native AOT) into DIR, skipping the build when its sources are
# unchanged since the last publish there (compared by content hash), and copies the
# scripts that ship beside it (git-proxy, the code interpreter's runners) every time.
set -Eeuo pipefail
# Any command that fails and ends the script says which one and where, so no failure is silent.
trap 'echo "error: ${BASH_SOURCE[0]##*/}:$LINENO: \`$BASH_COMMAND\` failed with exit $?" >&2' ERR
cd "$(dirname "$0")/.."
out="${1:?usage: .ci/publish-agent.sh DIR}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

# Scripts: cheap to copy, each replaced by rename so a runner starting now reads a whole file.
install_script() {
  install -m "$1" "$2" "$3.new"
  mv -f "$3.new" "$3"
}
mkdir -p "$out/runners"
install_script 0755 src/Sandboxes.Agent/Egress/git-proxy "$out/git-proxy"
for runner in src/Sandboxes.Agent/CodeInterpreter/runners/*; do
  install_script 0644 "$runner" "$out/runners/$(basename "$runner")"
done

hash="$( (find src/Sandboxes.Agent src/Protos src/Shared -type f \( -name '*.cs' -o -name '*.csproj' -o -name '*.proto' -o -name 'rd.xml' \) -not -path '*/obj/*' -not -path '*/bin/*' | LC_ALL=C sort | xargs sha256sum; sha256sum Directory.Build.props Directory.Packages.props global.json) | sha256sum | cut -c1-16)"
if [[ -x "$out/sandboxd" && "$(cat "$out/.source-hash" 2>/dev/null)" == "$hash" ]]; then
  echo "agent: sandboxd up to date ($hash) in $out"
  exit 0
fi

echo "agent: publishing sandboxd (Native AOT) to $out ..."
staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
dotnet publish src/Sandboxes.Agent -c Release -r linux-x64 -o "$staging" -nologo -v quiet
# Replace by rename: running sandboxes keep the binary they started with.
install -m 0755 "$staging/sandboxd" "$out/.sandboxd.new"
mv -f "$out/.sandboxd.new" "$out/sandboxd"
echo "$hash" > "$out/.source-hash"
echo "agent: sandboxd $(du -h "$out/sandboxd" | cut -f1) published ($hash)"
