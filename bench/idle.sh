#!/bin/sh
# Idle footprint with the JVM options of config/jvm.options: CPU used over SECONDS after
# start-up (from /proc/<pid>/stat utime+stime, clock ticks, after the load endpoint first
# answered and SETTLE seconds more), threads and RSS (/proc/<pid>/status) at 60 s and at the end,
# and the busiest threads by name (/proc/<pid>/task/*/stat). Nothing calls the service meanwhile.
# usage: bench/idle.sh [SECONDS] [SETTLE]     defaults: 120 5
#   UPLOAD=0 bench/idle.sh      the upload route off (b3lb.upload.enabled=false)
#   JAR=... JAVA_OPTS=...       another build or other options
#   TARS=20000 bench/idle.sh    a recording directory holding that many uploaded tars (kept for the
#                               retention, no marker) and as many other files, as on a busy BBB node
set -eu
SECONDS_IDLE=${1:-120}
SETTLE=${2:-5}
. "$(dirname "$0")/common.sh"
trap stop_node EXIT

extra=
[ "${UPLOAD:-1}" = 1 ] || extra=--b3lb.upload.enabled=false
if [ "${TARS:-0}" -gt 0 ]; then
    dir=$(mktemp -d /tmp/b3lb-idle.XXXXXX)
    trap 'stop_node; rm -rf "$dir"' EXIT
    python3 -c 'import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    for suffix in (".tar", ".done"):
        open(os.path.join(d, "%032x-%d%s" % (i, 1700000000000 + i, suffix)), "w").close()' "$dir" "$TARS"
    extra="$extra --b3lb.recording-dir=$dir"
fi
# shellcheck disable=SC2086
start_node $extra
wait_for_load
sleep "$SETTLE"

ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
per_thread() { # "ticks name" per thread; a name may contain spaces, hence the field arithmetic
    for t in /proc/"$PID"/task/*; do
        s=$(cat "$t/stat" 2>/dev/null) || continue
        name=${s#*(}; name=${name%)*}; rest=${s##*) }
        echo "$rest" | awk -v n="$name" -v id="${t##*/}" '{print $12 + $13, id, n}'
    done
}
status() { awk -v k="$1" '$1 == k ":" {print $2}' "/proc/$PID/status"; }

per_thread > /tmp/b3lb-idle.$$.0
t0=$(ticks); s0=$(now_ms)
rss60=
if [ "$SECONDS_IDLE" -gt 60 ]; then
    sleep $((60 - SETTLE))
    rss60=$(( $(status VmRSS) / 1024 )); threads60=$(status Threads)
    sleep $((SECONDS_IDLE - 60 + SETTLE))
else
    sleep "$SECONDS_IDLE"
fi
t1=$(ticks); s1=$(now_ms)
per_thread > /tmp/b3lb-idle.$$.1
hz=$(getconf CLK_TCK)
echo "JAVA_OPTS: $JAVA_OPTS ${extra:-(upload on)}"
awk -v d="$((t1 - t0))" -v ms="$((s1 - s0))" -v hz="$hz" \
    'BEGIN {printf "idle CPU over %.0f s: %d ticks = %.3f%% of one core\n", ms / 1000, d, d / hz / (ms / 1000) * 100}'
[ -z "$rss60" ] || echo "at 60 s after start-up: RSS $rss60 MiB, $threads60 threads"
echo "at the end: RSS $(( $(status VmRSS) / 1024 )) MiB, $(status Threads) threads"
echo "threads that used CPU while idle (ticks, name):"
awk 'NR == FNR {a[$2] = $1; next} {d = $1 - a[$2]; $1 = ""; $2 = ""; if (d > 0) printf "  %3d %s\n", d, $0}' \
    /tmp/b3lb-idle.$$.0 /tmp/b3lb-idle.$$.1 | sort -rn
echo "all threads: $(cut -d' ' -f3- /tmp/b3lb-idle.$$.1 | sed 's/[0-9]*$/N/' | sort | uniq -c | awk '{c = $1; $1 = ""; printf "%s x%d,", $0, c}')"
rm -f /tmp/b3lb-idle.$$.0 /tmp/b3lb-idle.$$.1
