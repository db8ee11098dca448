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
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
COUNT=${2:-1000}
SIZE_KIB=${3:-100}
PORT=${PORT:-18095}
WORK=${WORK:-/tmp/b3lb-bench/drain}
DIR="$WORK/archived"

[ -f target/b3lb-node.jar ] || mvn -B -q package -DskipTests
rm -rf "$WORK" && mkdir -p "$DIR"
python3 - "$DIR" "$COUNT" "$SIZE_KIB" <<'PY'
import os, sys
d, n, kib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(n):
    with open(os.path.join(d, "%032x-%d.tar" % (i * 7919, 1700000000000 + i)), "wb") as f:
        f.write(os.urandom(kib * 1024))
PY
touch -d '1 hour ago' "$DIR"/*.tar

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
if [ "${SKIP_SPEC:-0}" != 1 ]; then
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

echo "b3lb-node push --once (JVM start included):"
: > "$WORK/once.txt"
for i in $(seq "$RUNS"); do
  mark; t0=$(now)
  java -jar target/b3lb-node.jar push --once --config "$WORK/application.properties" > "$WORK/once.log" 2>&1
  t1=$(now)
  [ "$(pending)" = 0 ] || { echo "push --once left markers"; tail -3 "$WORK/once.log"; exit 1; }
  awk -v a="$t0" -v b="$t1" -v s="$(tail -1 "$WORK/once.log")" 'BEGIN {printf "  %.2f s  (%s)\n", b-a, s}'
  awk -v a="$t0" -v b="$t1" 'BEGIN {print b-a}' >> "$WORK/once.txt"
done

echo "b3lb-node service (markers appear -> none left; after one warm-up round, as a running service is warm):"
java -jar target/b3lb-node.jar run --config "$WORK/application.properties" > "$WORK/node.log" 2>&1 & NODE=$!
until grep -qs "started in" "$WORK/node.log"; do sleep 0.2; done
mark; while [ "$(pending)" != 0 ]; do sleep 0.02; done
: > "$WORK/service.txt"
for i in $(seq "$RUNS"); do
  t0=$(now); mark
  while [ "$(pending)" != 0 ]; do sleep 0.02; done
  t1=$(now)
  awk -v a="$t0" -v b="$t1" 'BEGIN {printf "  %.2f s\n", b-a}'; awk -v a="$t0" -v b="$t1" 'BEGIN {print b-a}' >> "$WORK/service.txt"
done

o=$(median < "$WORK/once.txt"); v=$(median < "$WORK/service.txt")
if [ -s "$WORK/spec.txt" ]; then s=$(median < "$WORK/spec.txt"); else s=18.7; echo "(spec loop skipped: using 18.7 s from docs)"; fi
awk -v s="$s" -v o="$o" -v v="$v" 'BEGIN {
  printf "median spec loop %.2f s; push --once %.2f s (%.1fx faster); service %.2f s (%.1fx faster)\n", s, o, s/o, v, s/v }'
