#!/usr/bin/env bash
# Runs the benchmarks as root: bench/run.sh [storage|zones|network|images|fresh-images|all] [iterations] [density|images]
# The third argument is the zone density (default 200) or the number of images to list (default 10000).
# The zone suite uses the AOT binaries in artifacts/bin when scripts/build.sh has made them.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run -c Release --project bench/Solstice.Benchmarks -- "${1:-all}" "${2:-50}" ${3:+"$3"}
