#!/usr/bin/env bash
# Backlog drain: COUNT pending recordings of SIZE_KIB each (default 1,000 x 100 KiB), sent to a
# local sink by (1) the spec's bash+curl loop (b3lb-push), (2) `b3lb-node push --once` (wall time
# including JVM start), (3) the running service (from the moment the markers appear until the
# last one is gone; poll delay 100ms; one unmeasured warm-up round first, as a running service is
# warm). Everything stays on 127.0.0.1. Medians of RUNS runs.
#
#   bench/upload-drain.sh [RUNS] [COUNT] [SIZE_KIB]     defaults: 3 1000 100
#   SKIP_SPEC=1 bench/upload-drain.sh                   leave out the slow spec loop
#   SINK=python bench/upload-drain.sh                   bench/sink.py instead of nginx (`return 200`, the default when installed)
#   SERVICE_ONLY=1 bench/upload-drain.sh 1 100000      only (3), for large counts (no spec loop, no push --once)
#   bench/upload-drain.sh 3 1000,10000                  only (3), rounds alternating 1,000 and 10,000 (1k 10k 1k 10k ...)
#   SPARSE=1 ...                                        every tar a sparse file of SIZE_KIB (100,000 x 100 KiB would
#                                                       otherwise write 10 GB; the service still reads every byte)
#   LINK=1 ...                                          every tar a hard link of one random file: NOT for drains, as
#                                                       the service sets each uploaded tar's mtime, which is then the
#                                                       mtime of every pending link too, so they all look "still changing"
#   TARS=100000 bench/upload-drain.sh 3 1000            100,000 tars in the directory, only 1,000 of them marked
#                                                       (uploaded recordings stay in the directory until the retention)
# The service runs with the unit's JVM options (bench/common.sh reads them; JAVA_OPTS=... overrides,
# JAR=... measures another build). Its warm-up round marks at most 1,000 recordings. During each
# measured round it samples the heap in use (/observe/metrics, jvm_memory_used_bytes{area="heap"})
# and reports the largest, the peak RSS (VmHWM) and the full collections during the round.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
# COUNT may be a list, e.g. 1000,10000: the service's rounds then alternate over those counts
# (one service, one set of tars: each round marks the first N), and only the service is measured
COUNTS=$(echo "${2:-1000}" | tr , ' ')
COUNT=$(echo "$COUNTS" | tr ' ' '\n' | sort -n | tail -1)
[ "$(echo "$COUNTS" | wc -w)" = 1 ] || SERVICE_ONLY=1
SIZE_KIB=${3:-100}
PORT=${PORT:-18095}
WORK=${WORK:-/tmp/b3lb-bench/drain}
DIR="$WORK/archived"
MGMT_PORT=$((PORT + 2))
ROOT=$PWD
. bench/common.sh

rm -rf "$WORK" && mkdir -p "$DIR"
python3 - "$DIR" "${TARS:-$COUNT}" "$SIZE_KIB" "${LINK:-0}" "${SPARSE:-0}" <<'PY'
import os, sys, time
d, n, kib, link, sparse = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1", sys.argv[5] == "1"
for i in range(n):
    name = os.path.join(d, "%032x-%d.tar" % (i * 7919, 1700000000000 + i))
    if link:
        one = os.path.join(os.path.dirname(d), "one-%d.bin" % (i // 50000))  # ext4: at most 65,000 links
        if i % 50000 == 0:
            with open(one, "wb") as f:
                f.write(os.urandom(kib * 1024))
        os.link(one, name)
    elif sparse:
        with open(name, "wb") as f:
            f.truncate(kib * 1024)
    else:
        with open(name, "wb") as f:
            f.write(os.urandom(kib * 1024))
    os.utime(name, (time.time() - 3600,) * 2)  # an hour old: finished, and far from the retention
PY

# the spec accepts only 200, so the sink answers 200 here: every loop then clears its markers
if [ "${SINK:-$(command -v nginx >/dev/null && echo nginx || echo python)}" = nginx ]; then
  mkdir -p "$WORK/nginx"
  cat > "$WORK/nginx/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body;
  server { listen 127.0.0.1:$PORT; client_max_body_size 0; location / { return 200; } }
}
NGINX
  nginx -c "$WORK/nginx/nginx.conf" & SINK_PID=$!
else
  python3 bench/sink.py "$PORT" 200 & SINK_PID=$!
fi
NODE=
cleanup() { kill "$SINK_PID" 2>/dev/null || true; [ -n "$NODE" ] && kill "$NODE" 2>/dev/null || true; }
trap cleanup EXIT
# the sink may take seconds to start on a busy machine (pyenv shims): wait for its port, not a fixed time
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
URL="http://127.0.0.1:$PORT/b3lb/b/recording/upload"

mark() { for t in "$DIR"/*.tar; do : > "${t%.tar}.ready"; done; }
mark_some() { local k=0; for t in "$DIR"/*.tar; do : > "${t%.tar}.ready"; k=$((k + 1)); [ "$k" -lt "$1" ] || break; done; }
pending() { find "$DIR" -maxdepth 1 -name '*.ready' | wc -l; }

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# (1) the spec's uploader, verbatim but for its three settings
sed -e "s|^B3LB_ENDPOINT=.*|B3LB_ENDPOINT=\"$URL\"|" -e 's|^B3LB_NODE_SECRET=.*|B3LB_NODE_SECRET="bench"|' \
    -e "s|^B3LB_RECORDING_DIR=.*|B3LB_RECORDING_DIR=\"$DIR\"|" > "$WORK/b3lb-push" <<'SPEC'
#!/bin/bash
set -e
B3LB_ENDPOINT="https://bbb.example.com/b3lb/b/recording/upload"
B3LB_NODE_SECRET="your-node-secret-here"
B3LB_RECORDING_DIR="/var/bigbluebutton/recording/status/archived"
for marker in "$B3LB_RECORDING_DIR"/*.ready; do
    [ -e "$marker" ] || continue
    meeting_id=$(basename "$marker" .ready)
    recording_file="$B3LB_RECORDING_DIR/$meeting_id.tar"
    if [ ! -f "$recording_file" ]; then
        echo "Recording tar not found: $recording_file"
        rm "$marker"
        continue
    fi
    echo "Uploading recording: $meeting_id"
    response=$(curl -s -w "\n%{http_code}" \
        -X POST \
        -H "X-Node-Secret: $B3LB_NODE_SECRET" \
        -F "recording=@$recording_file" \
        "$B3LB_ENDPOINT")
    http_code=$(echo "$response" | tail -n1)
    if [ "$http_code" = "200" ]; then
        echo "Upload successful: $meeting_id"
        rm "$marker"
    else
        echo "Upload failed: $meeting_id (HTTP $http_code)"
    fi
done
SPEC
: > "$WORK/spec.txt"
if [ "${SKIP_SPEC:-0}" != 1 ] && [ "${SERVICE_ONLY:-0}" != 1 ]; then
  echo "spec bash+curl loop, $COUNT x $SIZE_KIB KiB:"
  for i in $(seq "$RUNS"); do
    mark; t0=$(now); bash "$WORK/b3lb-push" > "$WORK/spec.log"; t1=$(now)
    [ "$(pending)" = 0 ] || { echo "spec loop left markers"; exit 1; }
    awk -v a="$t0" -v b="$t1" 'BEGIN {printf "  %.2f s\n", b-a}'; awk -v a="$t0" -v b="$t1" 'BEGIN {print b-a}' >> "$WORK/spec.txt"
  done
fi

cat > "$WORK/application.properties" <<CFG
b3lb.recording-dir=$DIR
b3lb.routes-dir=$PWD/routes
b3lb.load.port=$((PORT + 1))
b3lb.management.port=$((PORT + 2))
b3lb.upload.endpoint=$URL
b3lb.upload.secret=bench
b3lb.upload.poll-delay=100ms
CFG

: > "$WORK/once.txt"
[ "${SERVICE_ONLY:-0}" = 1 ] || echo "b3lb-node push --once (JVM start included):"
[ "${SERVICE_ONLY:-0}" = 1 ] || for i in $(seq "$RUNS"); do
  mark; t0=$(now)
  java -jar target/b3lb-node.jar push --once --config "$WORK/application.properties" > "$WORK/once.log" 2>&1
  t1=$(now)
  [ "$(pending)" = 0 ] || { echo "push --once left markers"; tail -3 "$WORK/once.log"; exit 1; }
  awk -v a="$t0" -v b="$t1" -v s="$(tail -1 "$WORK/once.log")" 'BEGIN {printf "  %.2f s  (%s)\n", b-a, s}'
  awk -v a="$t0" -v b="$t1" 'BEGIN {print b-a}' >> "$WORK/once.txt"
done

echo "b3lb-node service, $COUNTS x $SIZE_KIB KiB (markers appear -> none left; after one warm-up round of at most 1,000, as a running service is warm):"
echo "  JVM options: $JAVA_OPTS"
# shellcheck disable=SC2086
java $JAVA_OPTS -jar "$JAR" run --config "$WORK/application.properties" > "$WORK/node.log" 2>&1 & NODE=$!
until grep -qs "started in" "$WORK/node.log"; do kill -0 "$NODE" || { tail -5 "$WORK/node.log"; exit 1; }; sleep 0.2; done
mark_some 1000; while [ "$(pending)" != 0 ]; do sleep 0.02; done
heap_used() { curl -sf "http://127.0.0.1:$MGMT_PORT/observe/metrics" | awk 'index($0, "jvm_memory_used_bytes{area=\"heap\"") == 1 {s += $NF} END {printf "%d\n", s}'; }
FULL='jvm_gc_pause_seconds_count{action="end of major GC"'
YOUNG='jvm_gc_pause_seconds_count{action="end of minor GC"'
# one measured round: mark the first $1 recordings, wait until none is pending, print a line
round() {
  local c=$1 poll every f0 y0 t0 t1 f1 y1 h hmax=0 k=0 hwm rss
  # checking a 100,000-entry directory costs CPU the service needs: check less often for large counts
  poll=$(awk -v n="$c" 'BEGIN {print (n >= 50000) ? 0.5 : (n >= 5000) ? 0.1 : 0.02}')
  every=$(awk -v p="$poll" 'BEGIN {e = int(0.5 / p); print (e > 1) ? e : 1}')
  f0=$(metric "$FULL"); y0=$(metric "$YOUNG")
  t0=$(now); mark_some "$c"
  while [ "$(pending)" != 0 ]; do
    sleep "$poll"; k=$((k + 1))
    # the heap every ~0.5 s: a scrape is an exchange of its own, so not at every check
    if [ $((k % every)) = 0 ]; then h=$(heap_used || echo 0); [ "$h" -gt "$hmax" ] && hmax=$h; fi
  done
  t1=$(now)
  f1=$(metric "$FULL"); y1=$(metric "$YOUNG")
  h=$(heap_used || echo 0); [ "$h" -gt "$hmax" ] && hmax=$h
  hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$NODE/status"); rss=$(awk '/^VmRSS/ {print $2}' "/proc/$NODE/status")
  awk -v a="$t0" -v b="$t1" -v n="$c" -v h="$hmax" -v w="$hwm" -v r="$rss" -v f=$((f1 - f0)) -v y=$((y1 - y0)) -v l="$(cut -d' ' -f1-3 /proc/loadavg)" \
    'BEGIN {printf "  %6d: %8.2f s (%.0f per s); heap used max %.1f MiB; RSS %.0f MiB, peak %.0f MiB; GCs full %d, young %d; load %s\n", n, b-a, n/(b-a), h/1048576, r/1024, w/1024, f, y, l}'
  awk -v a="$t0" -v b="$t1" 'BEGIN {print b-a}' >> "$WORK/service-$c.txt"
}
for c in $COUNTS; do : > "$WORK/service-$c.txt"; done
for i in $(seq "$RUNS"); do for c in $COUNTS; do round "$c"; done; done

first=
for c in $COUNTS; do
  m=$(median < "$WORK/service-$c.txt"); [ -n "$first" ] || first="$c $m"
  echo "$first" | awk -v c="$c" -v m="$m" '{printf "median service %d: %.2f s = %.1fx the %d time (linear: %.1fx)\n", c, m, m / $2, $1, c / $1}'
done
[ "${SERVICE_ONLY:-0}" != 1 ] || exit 0
v=$(median < "$WORK/service-$COUNT.txt")
o=$(median < "$WORK/once.txt")
if [ -s "$WORK/spec.txt" ]; then s=$(median < "$WORK/spec.txt"); else s=18.7; echo "(spec loop skipped: using 18.7 s from docs)"; fi
awk -v s="$s" -v o="$o" -v v="$v" 'BEGIN {
  printf "median spec loop %.2f s; push --once %.2f s (%.1fx faster); service %.2f s (%.1fx faster)\n", s, o, s/o, v, s/v }'
