#!/usr/bin/env bash
# Runs the benchmarks as root: bench/run.sh [runc-sealed|storage|zones|concurrency|cli-start|network|tcp|nic-density|metadata|images|fresh-images|hvm|observe|all] [iterations] [density|clients|nics|images|busy]
# The third argument is the zone density (default 200; for observe, the number of zone cgroups), the number of concurrent clients (default 20), the number of nics for nic-density (default 300;
# iterations are ignored there), the number of images to list (default 10000), or for tcp "busy" (a diagnostic
# run with the receiving CPU kept from idling, docs/benchmarks.md).
# The zone, metadata and image suites use the AOT binaries in artifacts/bin when scripts/build.sh has made them;
# the metadata suite's in-zone client (mdata-probe) is published here.
set -euo pipefail
cd "$(dirname "$0")/.."
suite="${1:-all}"
if [ "$suite" = runc-sealed ]; then
    # runc from its file vs from a sealed memfd copy (docs/oci.md): list and run counts.
    exec /usr/bin/python3 bench/runc-sealed/bench.py "${2:-200}" "${3:-50}"
fi
if [ "$suite" = metadata ] || [ "$suite" = all ]; then
    dotnet publish bench/Solstice.MdataProbe -c Release -r linux-x64 -nologo -v quiet -o artifacts/publish/mdata-probe
    mkdir -p artifacts/bench
    cp artifacts/publish/mdata-probe/mdata-probe artifacts/bench/mdata-probe.new && mv -f artifacts/bench/mdata-probe.new artifacts/bench/mdata-probe
fi
if [ "$suite" = cli-start ] || [ "$suite" = all ]; then
    # The reference for CLI start-up: a NativeAOT hello world, measured in the same run as the CLIs.
    dotnet publish bench/Solstice.HelloAot -c Release -r linux-x64 -nologo -v quiet -o artifacts/publish/hello-aot
    mkdir -p artifacts/bench
    cp artifacts/publish/hello-aot/hello-aot artifacts/bench/hello-aot.new && mv -f artifacts/bench/hello-aot.new artifacts/bench/hello-aot
fi
dotnet run -c Release --project bench/Solstice.Benchmarks -- "$suite" "${2:-50}" ${3:+"$3"}
