#!/usr/bin/env bash
# Benchmark: `b3lb-node clean --dry-run --verbose` against a Python equivalent of the spec's
# cleaner.py that prints a line for every tar (its "Would delete:" lines plus a "Keep:" line for
# each other tar), over one directory of N tars (default 20,000):
#   N/2 old tars with upload evidence naming them (would delete), N/4 young tars with a marker
#   (keep: marked), N/4 old tars with neither marker nor evidence (keep: not uploaded, not marked).
# Each round runs, alternating: java --verbose, java without --verbose (same pass, half the lines),
# the Python script, and the Python script with its per-tar prints made `pass`. Reported, as
# medians over RUNS rounds:
#   - wall and CPU (user+sys) of each, JVM or interpreter start included, and lines/s;
#   - what printing costs per line: java (verbose - default) / extra lines, python (printing -
#     quiet) / lines; the rest of each tool's time is its per-tar checks and its start-up;
#   - the line count of the default (summary) output and its lines other than "would delete".
# The JVM options are the launcher's for clean (JAVA_OPTS replaces them).
#
#   bench/clean-output.sh [N] [RUNS] [JAR]   (default 20000 3 target/b3lb-node.jar; build: mvn -B -q package -DskipTests)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20000}
RUNS=${2:-3}
JAR=${3:-target/b3lb-node.jar}
[ -f "$JAR" ] || { echo "build the jar first: mvn -B -q package -DskipTests" >&2; exit 2; }
WORK=$(mktemp -d /tmp/b3lb-clean-output.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir "$WORK/dir"

python3 - "$WORK/dir" "$N" <<'PY'
import os, sys, time
d, n = sys.argv[1], int(sys.argv[2])
old = time.time() - 30 * 86400
young = time.time() - 3600
def touch(name, t=None):
    p = os.path.join(d, name)
    open(p, "wb").close()
    if t:
        os.utime(p, (t, t))
    return p
for i in range(n):
    rid = "%040x-%013d" % (i * 2654435761, 1554230749920 + i)
    if i % 2 == 0:
        st = os.stat(touch(rid + ".tar", old))
        ev = touch(rid + ".uploaded")
        with open(ev, "w") as f:
            f.write("b3lb-node uploaded dev=%d ino=%d size=%d mtime=%d\n" % (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns))
        os.utime(ev, (old + 60, old + 60))
    elif i % 4 == 1:
        touch(rid + ".tar", young)
        touch(rid + ".ready")
    else:
        touch(rid + ".tar", old)
PY

cat > "$WORK/cleaner.py" <<'PY'
import os, sys, time
RECORDING_DIR = sys.argv[1]
RETENTION_DAYS = 7
cutoff_time = time.time() - (RETENTION_DAYS * 86400)
cleaned_count = 0
for filename in os.listdir(RECORDING_DIR):
    if not filename.endswith('.tar'):
        continue
    filepath = os.path.join(RECORDING_DIR, filename)
    if os.path.getmtime(filepath) < cutoff_time and not os.path.exists(filepath.replace('.tar', '.ready')):
        print(f"Would delete: {filename}")
        cleaned_count += 1
    else:
        print(f"Keep: {filename}")
print(f"Cleaned {cleaned_count} recordings")
PY

sed 's/^\( *\)print(f"\(Would delete\|Keep\).*$/\1pass/' "$WORK/cleaner.py" > "$WORK/quiet.py"
JAVA_OPTS=${JAVA_OPTS:-@config/jvm.options -XX:TieredStopAtLevel=1}
median() { sort -n | awk '{a[NR]=$1} END {printf "%d\n", (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ls -f "$WORK/dir" >/dev/null
# one run: appends "wall_ms cpu_ms" to $WORK/<name>.t, its stdout to $WORK/<name>.out
run() {
  local name=$1; shift
  local t0; t0=$(date +%s%N)
  /usr/bin/time -o "$WORK/time" -f "%U %S" "$@" > "$WORK/$name.out"
  echo "$(( ($(date +%s%N) - t0) / 1000000 )) $(awk '{printf "%d", ($1 + $2) * 1000}' "$WORK/time")" >> "$WORK/$name.t"
}
for _ in $(seq "$RUNS"); do
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
  run java-verbose java $JAVA_OPTS -jar "$JAR" clean --dry-run --verbose --config config/application.properties \
      --b3lb.recording-dir="$WORK/dir"
  # shellcheck disable=SC2086
  run java-default java $JAVA_OPTS -jar "$JAR" clean --dry-run --config config/application.properties \
      --b3lb.recording-dir="$WORK/dir"
  run python python3 "$WORK/cleaner.py" "$WORK/dir"
  run python-quiet python3 "$WORK/quiet.py" "$WORK/dir"
done
col() { cut -d' ' -f"$2" "$WORK/$1.t" | median; }
for name in java-verbose java-default python python-quiet; do
  lines=$(wc -l < "$WORK/$name.out"); wall=$(col "$name" 1)
  printf '%-13s %7d lines  wall %6s ms (%s)  CPU %6s ms  %6d lines/s\n' "$name" "$lines" "$wall" \
      "$(cut -d' ' -f1 "$WORK/$name.t" | tr '\n' ' ' | sed 's/ $//')" "$(col "$name" 2)" $(( lines * 1000 / (wall > 0 ? wall : 1) ))
done
per_line() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN {printf "%.1f us", (n > 0 ? (a - b) * 1000 / n : 0)}'; }
jx=$(( $(wc -l < "$WORK/java-verbose.out") - $(wc -l < "$WORK/java-default.out") ))
echo "printing per line, CPU: java $(per_line "$(col java-verbose 2)" "$(col java-default 2)" "$jx")," \
     "python $(per_line "$(col python 2)" "$(col python-quiet 2)" "$(wc -l < "$WORK/python.out")")"
echo "java default (no --verbose), lines other than \"would delete\":"
grep -v "^would delete " "$WORK/java-default.out" | cut -c1-220 | sed "s/^/  /"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs"
