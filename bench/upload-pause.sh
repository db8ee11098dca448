#!/usr/bin/env bash
# Benchmark: how fast the upload pause reacts once the load figure crosses b3lb.upload.pause-above:
# how long uploads may still start after it rose, and how long after the hold they start again after
# it dropped. The real upload route against a local HTTP server, the figure scripted
# (bench/UploadPauseBench.java, a single-file program run against the jar).
#
#   bench/upload-pause.sh [CYCLES] [POLL_DELAY] [HOLD]    (defaults 10, 5s (the shipped default), 2s)
#
# Not included: the figure's own lag, which B3LB sees as well: the sampler answers a figure at most
# 1 s old; the kernel's 1-minute load average moves every 5 s, the cpu source every 10 s.
set -euo pipefail
cd "$(dirname "$0")/.."
CYCLES=${1:-10}
POLL=${2:-5s}
HOLD=${3:-2s}
CP=${JAR:-target/b3lb-node.jar}
[ -f "$CP" ] || { echo "build the jar first: mvn -B -q package -DskipTests" >&2; exit 2; }
WORK=$(mktemp -d /tmp/b3lb-pause-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
java ${JAVA_OPTS:--XX:+UseSerialGC -Xmx96m} -cp "$CP" bench/UploadPauseBench.java "$WORK" "$CYCLES" "$POLL" "$HOLD" 2>/dev/null \
    | grep -E '^(P|  cycle)'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs; $(java -version 2>&1 | head -1)"
