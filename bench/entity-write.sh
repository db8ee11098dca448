#!/usr/bin/env bash
# The uncapped body write path of two builds (bench/EntityWriteBench.java): one SIZE_MIB tar written
# ROUNDS times to a null stream per JVM, the first round dropped (JIT), builds alternating RUNS times.
# Prints per JVM the median wall and CPU seconds per GiB. No socket: for "the cap costs the uncapped
# path nothing" on a machine too busy for bench/upload-rate.sh's socket figures to tell.
#
#   BEFORE_JAR=/tmp/base/target/b3lb-node.jar bench/entity-write.sh [RUNS] [ROUNDS] [SIZE_MIB]   defaults: 3, 6, 1024
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
ROUNDS=${2:-6}
SIZE_MIB=${3:-1024}
WORK=${WORK:-/tmp/b3lb-bench/entity-write}
JAR=${JAR:-target/b3lb-node.jar}
[ -n "${BEFORE_JAR:-}" ] || { echo "set BEFORE_JAR to the build to compare with" >&2; exit 2; }
[ -f "$JAR" ] || mvn -B -q package -DskipTests
rm -rf "$WORK" && mkdir -p "$WORK/rec" "$WORK/classes"
javac -d "$WORK/classes" -cp "$JAR" bench/EntityWriteBench.java
head -c "${SIZE_MIB}M" /dev/urandom > "$WORK/rec/w.tar"
touch -d '1 hour ago' "$WORK/rec/w.tar"; : > "$WORK/rec/w.ready"
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
echo "$SIZE_MIB MiB written $ROUNDS times per JVM (first dropped); median seconds per GiB; load $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq "$RUNS"); do
  for b in this before; do
    jar=$JAR; [ "$b" = before ] && jar=$BEFORE_JAR
    # shellcheck disable=SC2086
    java ${HEAP:--Xmx256m} -cp "$WORK/classes:$jar" org.b3lb.node.upload.EntityWriteBench "$WORK/rec/w.ready" "$ROUNDS" \
      | tail -n +2 > "$WORK/out"
    awk -v i="$i" -v b="$b" -v w="$(cut -d' ' -f1 "$WORK/out" | median)" -v c="$(cut -d' ' -f2 "$WORK/out" | median)" \
      -v g="$(awk -v m="$SIZE_MIB" 'BEGIN {print m / 1024}')" 'BEGIN { printf "  %d %-6s wall %.3f s  CPU %.3f s\n", i, b, w / g, c / g }'
  done
done
