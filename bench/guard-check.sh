#!/usr/bin/env bash
# Benchmark: CPU cost of one disk-guard check on an idle node (free space above b3lb.cleaner.min-free),
# which the issue wants under 1 ms: a statvfs call and no directory listing.
#
#   bench/guard-check.sh [CHECKS] [SERVICE_SECONDS]   (default 200000 and 30; needs target/b3lb-node.jar)
#
# The directory holds 10,000 <id>.tar so that a check which listed it would show. The harness
# (bench/GuardCheckBench.java, run as a single-file program against the jar) prints:
#   A  CPU time of DiskGuard.check() on the calling thread (ThreadMXBean), with two references
#      measured in the same run: one stat() of the directory, and one listing of it;
#   B  the whole service in-process, disk-guard route every 100 ms: CPU time of the threads that fire it
#      (its timer; Quartz before) divided by the route's exchanges, i.e. a whole fire through Camel.
set -euo pipefail
cd "$(dirname "$0")/.."
CHECKS=${1:-200000}
SECONDS_B=${2:-30}
JAR=target/b3lb-node.jar
[ -f "$JAR" ] || { echo "build the jar first: mvn -B -q package -DskipTests" >&2; exit 2; }
WORK=$(mktemp -d /tmp/b3lb-guard-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
python3 - "$WORK" <<'PY'
import os, sys
for i in range(10000):
    open(os.path.join(sys.argv[1], "%040x-%013d.tar" % (i * 2654435761, 1554230749920 + i)), "wb").close()
PY
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
java ${JAVA_OPTS:--XX:+UseSerialGC -Xmx96m} -cp "$JAR" bench/GuardCheckBench.java "$WORK" "$CHECKS" "$SECONDS_B" 18770 2>&1 \
    | grep -E '^(A|B|  )' 
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs; $(java -version 2>&1 | head -1)"
