#!/usr/bin/env bash
# Runs every test: unit tests, and as root the privileged integration tests against real
# btrfs loop pools, runc and friends. Prints "N passed, N failed" last; exits non-zero on failure.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ]; then
    export SOLSTICE_PRIVILEGED_TESTS=1
else
    echo "not root: privileged integration tests will be skipped" >&2
fi
scripts/build.sh || { echo "0 passed, 1 failed"; exit 1; }
results=$(mktemp -d /tmp/solstice-test-results.XXXXXX)
dotnet test Solstice.slnx -c Release --no-build -nologo --logger "trx" --results-directory "$results" -- RunConfiguration.TestSessionTimeout=3600000
passed=0; failed=0
for trx in "$results"/*.trx; do
    counters=$(grep -o '<Counters [^>]*>' "$trx")
    p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
    f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
trx_count=$(ls "$results"/*.trx 2>/dev/null | wc -l)
expected=$(dotnet sln Solstice.slnx list 2>/dev/null | grep -c 'tests/.*Tests.csproj')
if [ "$trx_count" -lt "$expected" ]; then
    echo "only $trx_count of $expected test assemblies reported results" >&2
    failed=$((failed + expected - trx_count))
fi
rm -rf "$results"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
