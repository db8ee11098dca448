#!/usr/bin/env bash
# Issue 20 C3: a recording directory with many long-named entries and the service's heap. Makes
# COUNT entries whose names are NAME_LEN characters (default 200,000 x 210: <name>.tar, .meta.xml
# and .uploaded in turn, none of them a marker), plus MARKED recordings (a 200-character id, the
# longest the hook writes, with its tar and marker), starts the jar under the systemd unit's JVM
# options (bench/common.sh reads them; JAVA_OPTS=... overrides, JAR=... measures another build,
# e.g. a build of main) and a local sink answering 204, and reports:
#   - whether the JVM died (OutOfMemoryError: the unit's -XX:+ExitOnOutOfMemoryError), and when;
#   - otherwise how long until every marker was uploaded, the largest heap in use seen
#     (/observe/metrics), the peak RSS (VmHWM) and the full collections.
#
#   bench/listing-heap.sh [COUNT] [NAME_LEN] [MARKED]     defaults: 200000 210 20
#   WAIT=60 ...                                          seconds to wait for the uploads (default 120)
#
# Measured (2 shared cores, load ~14, unit options): main's listing (File.listFiles) exits with
# OutOfMemoryError 15.4 s after its start at 200,000 x 210 (no marker uploaded); it survives
# 100,000 x 210 (heap max 67.0 MiB, 13 full GCs) and 200,000 x 128 (75.2 MiB, 37 full GCs).
# MarkerListing: 200,000 x 210 heap max 19.7-20.8 MiB, 2 full GCs; 400,000 x 250 17.2 MiB, 2 full
# GCs; all 20 markers uploaded in every run.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-200000}
NAME_LEN=${2:-210}
MARKED=${3:-20}
WAIT=${WAIT:-120}
PORT=${PORT:-18195}
WORK=${WORK:-/tmp/b3lb-bench/listing}
DIR="$WORK/archived"
MGMT_PORT=$((PORT + 2))
ROOT=$PWD
. bench/common.sh

rm -rf "$WORK" && mkdir -p "$DIR"
python3 - "$DIR" "$COUNT" "$NAME_LEN" "$MARKED" <<'PY'
import os, sys, time
d, n, length, marked = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
suffixes = (".tar", ".meta.xml", ".uploaded")
old = time.time() - 3600
for i in range(n):
    s = suffixes[i % 3]
    stem = "%08d-" % i
    name = stem + "r" * max(0, length - len(stem) - len(s)) + s
    fd = os.open(os.path.join(d, name), os.O_CREAT | os.O_WRONLY, 0o644)
    os.close(fd)
for i in range(marked):
    rid = ("m%04d-" % i) + "x" * (200 - 6)
    with open(os.path.join(d, rid + ".tar"), "wb") as f:
        f.write(os.urandom(4096))
    os.utime(os.path.join(d, rid + ".tar"), (old, old))  # finished an hour ago: no "still changing" wait
    open(os.path.join(d, rid + ".ready"), "w").close()
PY

python3 bench/sink.py "$PORT" 204 > "$WORK/sink.log" 2>&1 & SINK_PID=$!
NODE=
cleanup() { kill "$SINK_PID" 2>/dev/null || true; [ -n "$NODE" ] && kill "$NODE" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done

cat > "$WORK/application.properties" <<CFG
b3lb.recording-dir=$DIR
b3lb.routes-dir=$PWD/routes
b3lb.load.port=$((PORT + 1))
b3lb.management.port=$MGMT_PORT
b3lb.upload.endpoint=http://127.0.0.1:$PORT/b3lb/b/recording/upload
b3lb.upload.secret=bench
b3lb.upload.poll-delay=1s
CFG

entries=$(find "$DIR" -maxdepth 1 -type f | wc -l)
echo "directory: $entries entries ($COUNT of $NAME_LEN characters, $MARKED marked recordings with 200-character ids)"
echo "JVM options: $JAVA_OPTS"
pending() { find "$DIR" -maxdepth 1 -name '*.ready' | wc -l; }
heap_used() { curl -sf "http://127.0.0.1:$MGMT_PORT/observe/metrics" | awk 'index($0, "jvm_memory_used_bytes{area=\"heap\"") == 1 {s += $NF} END {printf "%d\n", s}'; }
t0=$(now_ms)
# shellcheck disable=SC2086
java $JAVA_OPTS -jar "$JAR" run --config "$WORK/application.properties" > "$WORK/node.log" 2>&1 & NODE=$!
hmax=0
while :; do
  if ! kill -0 "$NODE" 2>/dev/null; then
    wait "$NODE" && rc=0 || rc=$?
    t1=$(now_ms)
    echo "RESULT: the service exited (status $rc) $(( (t1 - t0) / 1000 )).$(( (t1 - t0) % 1000 / 100 )) s after its start; $(pending) markers left"
    grep -m3 -E "OutOfMemoryError|Terminating|ERROR" "$WORK/node.log" | cut -c1-240 | sed 's/^/  log: /'
    NODE=
    exit 1
  fi
  h=$(heap_used 2>/dev/null) || h=0; [ "${h:-0}" -gt "$hmax" ] && hmax=$h
  left=$(pending)
  t1=$(now_ms)
  if [ "$left" = 0 ]; then break; fi
  if [ $(( (t1 - t0) / 1000 )) -ge "$WAIT" ]; then
    echo "RESULT: $left of $MARKED markers still there after $WAIT s (the service runs)"; break
  fi
  sleep 0.5
done
# a few more polls with nothing to take: the listing of the whole directory runs again and again
sleep 5
kill -0 "$NODE" 2>/dev/null || { echo "RESULT: the service exited after the uploads"; exit 1; }
h=$(heap_used) || h=0; [ "$h" -gt "$hmax" ] && hmax=$h
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$NODE/status")
full=$(metric 'jvm_gc_pause_seconds_count{action="end of major GC"')
[ "$left" = 0 ] && echo "RESULT: all $MARKED markers uploaded $(( (t1 - t0) / 1000 )).$(( (t1 - t0) % 1000 / 100 )) s after the start (JVM start included)"
awk -v h="$hmax" -v w="$hwm" -v f="$full" 'BEGIN {printf "  heap in use max %.1f MiB (sampled every 0.5 s); peak RSS %.0f MiB; full GCs %d\n", h/1048576, w/1024, f}'
grep -c "uploaded " "$WORK/node.log" | sed 's/^/  "uploaded" log lines: /'
grep -E "ERROR|OutOfMemory" "$WORK/node.log" | head -3 | cut -c1-240 | sed 's/^/  log: /' || true
