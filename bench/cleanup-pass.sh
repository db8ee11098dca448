#!/usr/bin/env bash
# Benchmark: one cleanup pass (dry run) over a recording directory of 100,000 entries, this
# service's `clean --dry-run` against the spec's cleaner.py (copied below, DRY_RUN = True).
#
#   bench/cleanup-pass.sh [RUNS]        (default 5; needs target/b3lb-node.jar: mvn -B -q package -DskipTests)
#
# The directory holds 50,000 old <id>.tar (25,000 of them with a <id>.ready marker, so 25,000 would
# be deleted), their 25,000 markers and 25,000 other names (.tar.tmp, .txt). Files are empty: a pass
# reads names and attributes, never contents. Both tools print one line per candidate; both go to
# /dev/null. Reported per tool: median pass time over RUNS runs (java: the summary's "in T ms", a
# fresh JVM each run, as an admin would run it; python: wall time of the script), and max RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
JAR=target/b3lb-node.jar
[ -f "$JAR" ] || { echo "build the jar first: mvn -B -q package -DskipTests" >&2; exit 2; }

WORK=$(mktemp -d /tmp/b3lb-cleanup-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
DIR=$WORK/archived
mkdir -p "$DIR"

python3 - "$DIR" <<'PY'
import os, sys, time
d = sys.argv[1]
old = time.time() - 30 * 86400
for i in range(50000):
    rid = "%040x-%013d" % (i * 2654435761, 1554230749920 + i)
    p = os.path.join(d, rid + ".tar")
    open(p, "wb").close()
    os.utime(p, (old, old))
    if i % 2 == 0:
        open(os.path.join(d, rid + ".ready"), "wb").close()
for i in range(25000):
    open(os.path.join(d, "%040x-%013d.tar.tmp" % (i, i) if i % 2 else "note-%d.txt" % i), "wb").close()
print(len(os.listdir(d)), "entries in", d, file=sys.stderr)
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
sed -i -e "s|^RECORDING_DIR = .*|RECORDING_DIR = \"$DIR\"|" -e 's|^DRY_RUN = False|DRY_RUN = True|' "$WORK/cleaner.py"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# warm the page cache and dentries once, so neither tool pays for the first directory read
ls -f "$DIR" >/dev/null

: > "$WORK/java.ms"; : > "$WORK/java.rss"; : > "$WORK/py.ms"; : > "$WORK/py.rss"
for i in $(seq "$RUNS"); do
  /usr/bin/time -f "%M" -o "$WORK/rss" java -jar "$JAR" clean --dry-run --config config/application.properties \
      --b3lb.recording-dir="$DIR" > "$WORK/java.out"
  grep -o '^cleanup: would delete .*' "$WORK/java.out" | tail -1 > "$WORK/summary"
  sed -E 's/.* in ([0-9]+) ms.*/\1/' "$WORK/summary" >> "$WORK/java.ms"
  cat "$WORK/rss" >> "$WORK/java.rss"

  t0=$(date +%s%N)
  /usr/bin/time -f "%M" -o "$WORK/rss" python3 "$WORK/cleaner.py" > "$WORK/py.out"
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 )) >> "$WORK/py.ms"
  cat "$WORK/rss" >> "$WORK/py.rss"
done

echo "java summary: $(cat "$WORK/summary")"
echo "python last line: $(tail -1 "$WORK/py.out")"
jm=$(median < "$WORK/java.ms"); pm=$(median < "$WORK/py.ms")
echo "java   pass ms: $(tr '\n' ' ' < "$WORK/java.ms")-> median $jm ms, max RSS median $(( $(median < "$WORK/java.rss") / 1024 )) MiB"
echo "python run ms:  $(tr '\n' ' ' < "$WORK/py.ms")-> median $pm ms, max RSS median $(( $(median < "$WORK/py.rss") / 1024 )) MiB"
awk -v j="$jm" -v p="$pm" 'BEGIN {printf "ratio python/java: %.1fx\n", p / (j > 0 ? j : 1)}'
