#!/bin/sh
# Issue 10 D1 at bench size: N markers of 1 KiB while B3LB is unreachable (a closed port), the
# service under -Xmx64m (the unit's other options) for MINUTES. Every 10 s: heap used (old
# generation and all), full GCs so far, and whether the load endpoint answered. It must stay up
# with a flat heap; CrashAndHeapTest runs the same at 20,000 in CI.
# usage: bench/backlog-unreachable.sh [N] [MINUTES]     defaults: 100000 10
set -eu
N=${1:-100000}
MINUTES=${2:-10}
. "$(dirname "$0")/common.sh"
JAVA_OPTS="$JAVA_OPTS -Xmx64m" # after the file's -Xmx: the last one counts
DIR=$(mktemp -d)
trap 'stop_node; rm -rf "$DIR"' EXIT

echo "making $N markers of 1 KiB in $DIR"
i=0
while [ $i -lt "$N" ]; do
    # shell builtins only: 100,000 recordings in seconds, not a process each
    id=backlog-$i
    printf '%1024s' '' > "$DIR/$id.tar" && : > "$DIR/$id.ready"
    i=$((i + 1))
done

LOG=${LOG:-/tmp/b3lb-backlog.log}
start_node --b3lb.recording-dir="$DIR" --b3lb.upload.endpoint=http://127.0.0.1:9/b3lb/b/recording/upload
wait_for_load
echo "JAVA_OPTS: $JAVA_OPTS; $N markers; B3LB unreachable (port 9); log in $LOG"
echo "elapsed_s heap_used_mib old_gen_mib full_gcs load_http failed_uploads rss_mib"
end=$(( $(date +%s) + MINUTES * 60 ))
start=$(date +%s)
fails=0
while [ "$(date +%s)" -lt "$end" ]; do
    kill -0 "$PID" 2>/dev/null || { echo "service died: see $LOG"; exit 1; }
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$LOAD_PORT/" || true)
    [ "$code" = 200 ] || fails=$((fails + 1))
    m=$(curl -sf --max-time 5 "http://127.0.0.1:$MGMT_PORT/observe/metrics" || true)
    heap=$(echo "$m" | awk '/^jvm_memory_used_bytes\{.*area="heap"/ {s += $NF} END {printf "%.1f", s / 1048576}')
    old=$(echo "$m" | awk '/^jvm_memory_used_bytes\{.*area="heap".*Tenured/ {s += $NF} END {printf "%.1f", s / 1048576}')
    full=$(echo "$m" | awk 'index($0, "jvm_gc_pause_seconds_count{action=\"end of major GC\"") == 1 {s += $NF} END {printf "%d", s}')
    failed=$(echo "$m" | awk 'index($0, "b3lb_uploads_total{outcome=\"failed\"") == 1 {s += $NF} END {printf "%d", s}')
    rss=$(( $(awk '$1 == "VmRSS:" {print $2}' "/proc/$PID/status") / 1024 ))
    echo "$(( $(date +%s) - start )) $heap $old $full $code $failed $rss"
    sleep 10
done
echo "load endpoint answers other than 200: $fails; service still up: yes"
