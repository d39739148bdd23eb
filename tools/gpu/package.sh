#!/usr/bin/env bash
# Runs HERE (a machine with the .NET SDK): publishes the `uniformaly` CLI and the BenchmarkDotNet
# suites self-contained for linux-x64 into one folder and packs it as
# out/gpu/uniformaly-linux-x64.tar.xz (gitignored), for a GPU machine that has no .NET and no
# internet. The bridge (libuniformaly_native.so) is left out: it must be built there, against that
# machine's libtorch (tools/gpu/run.sh), and is found through $UNIFORMALY_NATIVE_LIB.
#
#   tools/gpu/package.sh            # prints the tarball's path and size; fails above 50 MiB
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
limit_mib=50
out=out/gpu
tarball="$out/uniformaly-linux-x64.tar.xz"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$out"

# Both apps share one folder (and so one copy of the runtime): they use the same runtime version.
for project in Uniformaly.Experiments Uniformaly.Benchmarks; do
  dotnet publish "$project" -c Release -r linux-x64 --self-contained --nologo -v quiet -clp:ErrorsOnly \
    -p:InvariantGlobalization=true -p:DebugType=none -p:GenerateDocumentationFile=false -o "$stage/app"
done
# A bridge copied from this machine's build would bind another libtorch there.
rm -f "$stage/app/libuniformaly_native.so"
# The device gets a copy of the working tree without .git: the report names the build this way.
{
  echo "commit: $(git rev-parse HEAD)$(git diff --quiet HEAD -- . ':!out' || echo ' (with uncommitted changes)')"
  echo "packed: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$stage/app/BUILD_INFO"
[ -x "$stage/app/uniformaly" ] || { echo "package.sh: the publish has no uniformaly executable" >&2; exit 1; }

tar -C "$stage" -cf - app | xz -T0 -6 > "$tarball.tmp"
mv "$tarball.tmp" "$tarball"
bytes=$(stat -c %s "$tarball")
mib=$(( (bytes + 1048575) / 1048576 ))
echo "$tarball: $bytes bytes ($mib MiB; unpacked $(du -sm "$stage/app" | cut -f1) MiB)"
if [ "$mib" -gt "$limit_mib" ]; then
  echo "package.sh: the tarball exceeds $limit_mib MiB; the device tool carries at most 64 MiB" >&2
  exit 1
fi
