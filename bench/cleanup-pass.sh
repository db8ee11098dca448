#!/usr/bin/env bash
# Benchmark: one cleanup pass (dry run) over a recording directory of 100,000 entries, this
# service's `clean --dry-run` against the spec's cleaner.py (copied below, DRY_RUN = True).
#
#   bench/cleanup-pass.sh [RUNS]        (default 5; needs target/b3lb-node.jar: mvn -B -q package -DskipTests)
#   JAVA_OPTS="-XX:+UseSerialGC -Xmx64m" bench/cleanup-pass.sh   (JVM options for the java runs)
#
# Two directories of 100,000 entries each (files are empty: a pass reads names and attributes):
#   backlog: 50,000 old <id>.tar, 25,000 of them with a <id>.ready marker, so 25,000 would be
#            deleted (a node whose cleaner never ran); plus the markers and 25,000 other names.
#   steady:  50,000 <id>.tar of which 100 are old and unmarked (a day's worth to delete), 50 young
#            ones with a marker (uploads pending), and 49,950 other names (BBB's <id>.done etc.).
# Both tools print one line per candidate; both outputs go to a file. Reported per tool and
# directory: median pass time over RUNS runs (java: the summary's "in T ms", a fresh JVM each run,
# as an admin runs it; python: wall time of the script, interpreter start included) and max RSS.
# Runs alternate between the tools so background load hits both alike.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
JAR=target/b3lb-node.jar
[ -f "$JAR" ] || { echo "build the jar first: mvn -B -q package -DskipTests" >&2; exit 2; }

WORK=$(mktemp -d /tmp/b3lb-cleanup-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

python3 - "$WORK" <<'PY'
import os, sys, time
w = sys.argv[1]
old = time.time() - 30 * 86400
young = time.time() - 3600
def touch(d, name, t=None):
    p = os.path.join(d, name)
    open(p, "wb").close()
    if t:
        os.utime(p, (t, t))
def rid(i):
    return "%040x-%013d" % (i * 2654435761, 1554230749920 + i)
d = os.path.join(w, "backlog"); os.mkdir(d)
for i in range(50000):
    touch(d, rid(i) + ".tar", old)
    if i % 2 == 0:
        touch(d, rid(i) + ".ready")
for i in range(25000):
    touch(d, "%s.tar.tmp" % rid(i) if i % 2 else "note-%d.txt" % i)
d = os.path.join(w, "steady"); os.mkdir(d)
for i in range(50000):
    touch(d, rid(i) + ".tar", old if i < 100 else young)
    if 100 <= i < 150:
        touch(d, rid(i) + ".ready")
for i in range(49950):
    touch(d, rid(i) + ".done")
for name in ("backlog", "steady"):
    print(len(os.listdir(os.path.join(w, name))), "entries in", name, file=sys.stderr)
PY

# The spec's cleaner.py ("Cleaner Script"), verbatim but for its two configuration lines.
cat > "$WORK/cleaner.py" <<'PY'
#!/usr/bin/env python3
"""
B3LB Recording Cleaner
Removes old recordings that have been uploaded to B3LB
"""

import os
import time
from datetime import datetime, timedelta

# Configuration
RECORDING_DIR = "/var/bigbluebutton/recording/status/archived"
RETENTION_DAYS = 7
DRY_RUN = False

def clean_old_recordings():
    """Clean recordings older than retention period"""
    cutoff_time = time.time() - (RETENTION_DAYS * 86400)
    cleaned_count = 0

    for filename in os.listdir(RECORDING_DIR):
        if not filename.endswith('.tar'):
            continue

        filepath = os.path.join(RECORDING_DIR, filename)

        # Check if file is old enough
        if os.path.getmtime(filepath) < cutoff_time:
            # Check if already uploaded (no .ready marker)
            marker = filepath.replace('.tar', '.ready')
            if not os.path.exists(marker):
                # Safe to delete
                if DRY_RUN:
                    print(f"Would delete: {filename}")
                else:
                    os.remove(filepath)
                    print(f"Deleted: {filename}")
                cleaned_count += 1

    print(f"Cleaned {cleaned_count} recordings")

if __name__ == '__main__':
    clean_old_recordings()
PY
sed -i -e 's|^RECORDING_DIR = .*|import sys; RECORDING_DIR = sys.argv[1]|' -e 's|^DRY_RUN = False|DRY_RUN = True|' "$WORK/cleaner.py"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

bench() {
  local name=$1 dir=$WORK/$1
  # warm the page cache and dentries once, so neither tool pays for the first directory read
  ls -f "$dir" >/dev/null
  : > "$WORK/java.ms"; : > "$WORK/java.rss"; : > "$WORK/py.ms"; : > "$WORK/py.rss"
  for _ in $(seq "$RUNS"); do
    # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
    /usr/bin/time -f "%M" -o "$WORK/rss" java ${JAVA_OPTS:-} -jar "$JAR" clean --dry-run \
        --config config/application.properties --b3lb.recording-dir="$dir" > "$WORK/java.out"
    grep -o '^cleanup: would delete .*' "$WORK/java.out" | tail -1 > "$WORK/summary"
    sed -E 's/.* in ([0-9]+) ms.*/\1/' "$WORK/summary" >> "$WORK/java.ms"
    cat "$WORK/rss" >> "$WORK/java.rss"

    t0=$(date +%s%N)
    /usr/bin/time -f "%M" -o "$WORK/rss" python3 "$WORK/cleaner.py" "$dir" > "$WORK/py.out"
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000000 )) >> "$WORK/py.ms"
    cat "$WORK/rss" >> "$WORK/py.rss"
  done
  local jm pm
  jm=$(median < "$WORK/java.ms"); pm=$(median < "$WORK/py.ms")
  echo "== $name: $(cat "$WORK/summary") | python: $(tail -1 "$WORK/py.out")"
  echo "   java   pass ms: $(tr '\n' ' ' < "$WORK/java.ms")-> median $jm ms, max RSS median $(( $(median < "$WORK/java.rss") / 1024 )) MiB"
  echo "   python run ms:  $(tr '\n' ' ' < "$WORK/py.ms")-> median $pm ms, max RSS median $(( $(median < "$WORK/py.rss") / 1024 )) MiB"
  awk -v j="$jm" -v p="$pm" 'BEGIN {printf "   python/java: %.1fx\n", p / (j > 0 ? j : 1)}'
}

bench backlog
bench steady
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); JAVA_OPTS=${JAVA_OPTS:-}; $(nproc) CPUs"
