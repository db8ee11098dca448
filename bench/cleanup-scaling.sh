#!/bin/sh
# The cleanup column of the scaling table: the running service's scheduled pass (dry run) over a
# directory of N pending recordings (N <id>.tar past the retention, each still marked <id>.ready,
# so none may go: the backlog the drain column measures), for N = 1,000, 10,000 and 100,000. Each
# tar costs a stat and a marker lookup; no per-recording log line, so logging does not weigh in. The service runs with the unit's JVM
# options, the upload route off and the cleanup cron every 5 s; the figure is the median of
# b3lb_cleanup_last_pass_duration_seconds over RUNS passes after the first (a running service is
# warm). Writes the figures into docs/scaling.csv (n, drain seconds, cleanup seconds), keeping
# its drain column, then draws docs/scaling.png with bench/scaling-plot.sh.
# usage: bench/cleanup-scaling.sh [RUNS]     (default 3)
set -eu
RUNS=${1:-3}
. "$(dirname "$0")/common.sh"
CSV=$ROOT/docs/scaling.csv
WORK=$(mktemp -d /tmp/b3lb-cleanup-scaling.XXXXXX)
trap 'stop_node; rm -rf "$WORK"' EXIT
[ -f "$CSV" ] || printf 'n,drain_s,cleanup_s\n1000,,\n10000,,\n100000,,\n' > "$CSV"

for n in 1000 10000 100000; do
    d=$WORK/$n
    python3 - "$d" "$n" <<'PY'
import os, sys, time
d, n = sys.argv[1], int(sys.argv[2])
os.mkdir(d)
old = time.time() - 30 * 86400
for i in range(n):
    name = os.path.join(d, "%040x-%013d" % (i * 2654435761, 1554230749920 + i))
    open(name + ".tar", "wb").close()
    os.utime(name + ".tar", (old, old))
    open(name + ".ready", "wb").close()
PY
    start_node --b3lb.upload.enabled=false --b3lb.recording-dir="$d" --b3lb.cleaner.dry-run=true \
        "--b3lb.cleaner.cron=0/5 * * * * ?"
    wait_for_load
    : > "$WORK/ms"
    last=$(metric b3lb_cleanup_last_pass_timestamp_seconds); passes=-1
    while [ "$passes" -lt "$RUNS" ]; do
        sleep 0.5
        t=$(metric b3lb_cleanup_last_pass_timestamp_seconds)
        [ "$t" != "$last" ] || continue
        last=$t; passes=$((passes + 1))
        # the first pass is the cold one (class loading, interpreter): not what a running node sees
        [ "$passes" -gt 0 ] || continue
        curl -sf "http://127.0.0.1:$MGMT_PORT/observe/metrics" \
            | awk '$1 == "b3lb_cleanup_last_pass_duration_seconds" {printf "%d\n", $2 * 1000}' >> "$WORK/ms"
    done
    stop_node
    ms=$(median < "$WORK/ms")
    echo "n=$n: pass ms $(tr '\n' ' ' < "$WORK/ms")-> median $ms ms"
    awk -F, -v OFS=, -v n="$n" -v s="$(awk -v m="$ms" 'BEGIN {printf "%.3f", m / 1000}')" \
        '$1 == n {$3 = s} {print}' "$CSV" > "$WORK/csv" && cat "$WORK/csv" > "$CSV"
    rm -rf "$d"
done
echo "load average $(cut -d' ' -f1-3 /proc/loadavg); JAVA_OPTS=$JAVA_OPTS"
cat "$CSV"
"$ROOT/bench/scaling-plot.sh" "$CSV"
