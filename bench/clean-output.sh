#!/usr/bin/env bash
# Benchmark: lines per second of `b3lb-node clean --dry-run --verbose` against a Python equivalent
# of the spec's cleaner.py that prints a line for every tar (its "Would delete:" lines plus a
# "Keep:" line for each other tar), over one directory of N tars (default 20,000):
#   N/2 old tars with upload evidence naming them (would delete), N/4 young tars with a marker
#   (keep: pending), N/4 old tars with neither marker nor evidence (keep: not uploaded, not marked).
# Reported: wall time of each command (JVM or interpreter start included), its lines, lines/s;
# the median of RUNS runs, alternating the tools; and the line count of the default (summary) output.
#
#   VERBOSE= bench/clean-output.sh ... for a jar from before --verbose, whose dry run printed every line
#   bench/clean-output.sh [N] [RUNS] [JAR]   (default 20000 3 target/b3lb-node.jar; build: mvn -B -q package -DskipTests)
# The JVM options are the launcher's for clean (JAVA_OPTS replaces them). Each run's CPU (user+sys) is
# reported too: on a node it is the BBB meeting's CPU that a clean takes.
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

JAVA_OPTS=${JAVA_OPTS:-@config/jvm.options -XX:TieredStopAtLevel=1}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
ls -f "$WORK/dir" >/dev/null
: > "$WORK/java.ms"; : > "$WORK/py.ms"; : > "$WORK/java.cpu"; : > "$WORK/py.cpu"
cpu_ms() { awk '{printf "%d\n", ($1 + $2) * 1000}' "$WORK/time"; }
for _ in $(seq "$RUNS"); do
  t0=$(date +%s%N)
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
  /usr/bin/time -o "$WORK/time" -f "%U %S" java $JAVA_OPTS -jar "$JAR" clean --dry-run ${VERBOSE---verbose} \
      --config config/application.properties --b3lb.recording-dir="$WORK/dir" > "$WORK/java.out"
  ms "$t0" >> "$WORK/java.ms"
  cpu_ms >> "$WORK/java.cpu"
  t0=$(date +%s%N)
  /usr/bin/time -o "$WORK/time" -f "%U %S" python3 "$WORK/cleaner.py" "$WORK/dir" > "$WORK/py.out"
  ms "$t0" >> "$WORK/py.ms"
  cpu_ms >> "$WORK/py.cpu"
done
# shellcheck disable=SC2086
java $JAVA_OPTS -jar "$JAR" clean --dry-run --config config/application.properties \
    --b3lb.recording-dir="$WORK/dir" > "$WORK/summary.out" || true
jl=$(wc -l < "$WORK/java.out"); pl=$(wc -l < "$WORK/py.out")
jm=$(median < "$WORK/java.ms"); pm=$(median < "$WORK/py.ms")
jc=$(median < "$WORK/java.cpu"); pc=$(median < "$WORK/py.cpu")
echo "java   --verbose: $jl lines, ms $(tr '\n' ' ' < "$WORK/java.ms")-> median $jm ms, $(( jl * 1000 / (jm > 0 ? jm : 1) )) lines/s; CPU median $jc ms"
echo "python:           $pl lines, ms $(tr '\n' ' ' < "$WORK/py.ms")-> median $pm ms, $(( pl * 1000 / (pm > 0 ? pm : 1) )) lines/s; CPU median $pc ms"
echo "java default (no --verbose): $(wc -l < "$WORK/summary.out") lines, those other than \"would delete\":"
grep -v "^would delete " "$WORK/summary.out" | cut -c1-220 | sed "s/^/  /"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs"
