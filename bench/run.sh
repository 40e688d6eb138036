#!/usr/bin/env bash
# Runs the benchmarks as root: bench/run.sh [storage|all] [iterations]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run -c Release --project bench/Solstice.Benchmarks -- "${1:-all}" "${2:-50}"
