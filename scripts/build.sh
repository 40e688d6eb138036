#!/usr/bin/env bash
# Builds the solution and publishes the NativeAOT binaries into artifacts/bin.
# AOT and trim warnings are errors (TreatWarningsAsErrors), so any IL2xxx/IL3xxx fails here.
set -euo pipefail
cd "$(dirname "$0")/.."
configuration="${CONFIGURATION:-Release}"
dotnet build Solstice.slnx -c "$configuration" -nologo -v quiet
out=artifacts/bin
# Replace by rename, so a binary that is running (a daemon, a benchmark) can still be updated.
install_binary() { cp "$1" "$2.new" && mv -f "$2.new" "$2"; }
mkdir -p "$out"
dotnet publish src/Solstice.Cli -c Release -r linux-x64 -nologo -v quiet -o artifacts/publish/cli
install_binary artifacts/publish/cli/solstice "$out/solstice"
dotnet publish src/Solstice.Node -c Release -r linux-x64 -nologo -v quiet -o artifacts/publish/node
install_binary artifacts/publish/node/solsticed "$out/solsticed"
for tool in imgadm zonememstat prstat vfsstat ziostat; do
    ln -sf solstice "$out/$tool"
done
# The daily node tools: the same commands without the image stack, a third of the size, so they
# start about as fast as a NativeAOT hello world (docs/benchmarks.md, CLI start).
dotnet publish src/Solstice.Cli.VmTools -c Release -r linux-x64 -nologo -v quiet -o artifacts/publish/vmtools
install_binary artifacts/publish/vmtools/solstice-vmtools "$out/solstice-vmtools"
for tool in vmadm fwadm zlogin nictagadm; do
    ln -sf solstice-vmtools "$out/$tool"
done
# The guests' metadata tools: one binary, installed in images under the mdata-* names.
dotnet publish src/Solstice.Guest.Mdata -c Release -r linux-x64 -nologo -v quiet -o artifacts/publish/mdata
install_binary artifacts/publish/mdata/mdata "$out/mdata"
for tool in mdata-get mdata-put mdata-delete mdata-list; do
    ln -sf mdata "$out/$tool"
done
echo "built: $(ls "$out" | tr '\n' ' ')"
