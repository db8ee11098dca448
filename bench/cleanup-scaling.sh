#!/bin/sh
# The cleanup column of the scaling table: one `clean --dry-run` pass over a directory of N old
# recordings (N <id>.tar, every second one still marked <id>.ready, so N/2 would be deleted), for
# N = 1,000, 10,000 and 100,000; the median of RUNS passes, each in a fresh JVM with the unit's
# options (the summary's "in T ms": JVM start not included). Writes the figures into
# docs/scaling.csv (n, drain seconds, cleanup seconds), keeping its drain column, then draws
# docs/scaling.png with bench/scaling-plot.sh.
# usage: bench/cleanup-scaling.sh [RUNS]     (default 5)
set -eu
RUNS=${1:-5}
. "$(dirname "$0")/common.sh"
CSV=$ROOT/docs/scaling.csv
WORK=$(mktemp -d /tmp/b3lb-cleanup-scaling.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
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
    if i % 2 == 0:
        open(name + ".ready", "wb").close()
PY
    ls -f "$d" > /dev/null # page cache and dentries warm, as for the scheduled pass
    : > "$WORK/ms"
    for _ in $(seq "$RUNS"); do
        # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
        java $JAVA_OPTS -jar "$JAR" clean --dry-run --config "$ROOT/config/application.properties" \
            --b3lb.recording-dir="$d" --b3lb.routes-dir="$ROOT/routes" > "$WORK/out"
        grep -o '^cleanup: would delete .*' "$WORK/out" | tail -1 | sed -E 's/.* in ([0-9]+) ms.*/\1/' >> "$WORK/ms"
    done
    ms=$(median < "$WORK/ms")
    echo "n=$n: pass ms $(tr '\n' ' ' < "$WORK/ms")-> median $ms ms ($(grep -o '^cleanup: would delete .*' "$WORK/out" | tail -1))"
    awk -F, -v OFS=, -v n="$n" -v s="$(awk -v m="$ms" 'BEGIN {printf "%.3f", m / 1000}')" \
        '$1 == n {$3 = s} {print}' "$CSV" > "$WORK/csv" && cat "$WORK/csv" > "$CSV"
    rm -rf "$d"
done
echo "load average $(cut -d' ' -f1-3 /proc/loadavg); JAVA_OPTS=$JAVA_OPTS"
cat "$CSV"
"$ROOT/bench/scaling-plot.sh" "$CSV"
