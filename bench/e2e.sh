#!/usr/bin/env bash
# The end-to-end reliability scenarios (src/test/java/org/b3lb/node/e2e/ReliabilityIT.java) at
# sizes too large for CI: the built jar in its own JVM against a misbehaving receiver. The figures
# (stored, duplicates, markers left, recovery times) are appended to target/e2e-reliability.txt.
#
#   bench/e2e.sh [RECORDINGS] [KILLS] [LARGE_MIB]     defaults: 4000 10 500 (CI runs 30 2 16)
#   DRAIN_SECONDS=3600 bench/e2e.sh                   how long each scenario may take to drain
#   TEST='ReliabilityIT#faultStorm*' bench/e2e.sh     one scenario
set -euo pipefail
cd "$(dirname "$0")/.."
RECORDINGS=${1:-4000}
KILLS=${2:-10}
LARGE_MIB=${3:-500}
mvn -B -q package -DskipTests
rm -f target/e2e-reliability.txt
mvn -B -q test-compile failsafe:integration-test failsafe:verify -Dit.test="${TEST:-ReliabilityIT}" \
    -Db3lb.e2e.recordings="$RECORDINGS" -Db3lb.e2e.kills="$KILLS" -Db3lb.e2e.large-mib="$LARGE_MIB" \
    -Db3lb.e2e.drain-seconds="${DRAIN_SECONDS:-3600}"
cat target/e2e-reliability.txt
