#!/usr/bin/env bash
# Upload throughput: one 1 GiB tar to a local sink, b3lb-node against `curl -F recording=@file`.
# Everything stays on 127.0.0.1. Rounds alternate curl and the service (machine noise hits both
# alike), after one warm-up upload of each. Prints each round, then medians, the ratio and the service's RSS
# growth during its uploads (peak VmRSS while uploading minus VmRSS when idle before).
#
#   bench/upload-throughput.sh [RUNS] [SIZE_MIB]      defaults: 5 runs, 1024 MiB
#   HEAP=-Xmx64m bench/upload-throughput.sh           run the service with a small heap
#   SPARSE=1 bench/upload-throughput.sh 1 4096        a sparse 4 GiB file (no disk, no urandom)
#   JAVA_EXTRA="-XX:+UseSerialGC ..."                 more JVM options for the service
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
SIZE_MIB=${2:-1024}
PORT=${PORT:-18090}
WORK=${WORK:-/tmp/b3lb-bench/throughput}
HEAP=${HEAP:--Xmx256m}

[ -f target/b3lb-node.jar ] || mvn -B -q package -DskipTests
rm -rf "$WORK" && mkdir -p "$WORK/archived"
DATA="$WORK/data.bin"
if [ "${SPARSE:-0}" = 1 ]; then truncate -s "${SIZE_MIB}M" "$DATA"; else head -c "${SIZE_MIB}M" /dev/urandom > "$DATA"; fi
touch -d '1 hour ago' "$DATA"

python3 bench/sink.py "$PORT" 204 & SINK=$!
NODE=
cleanup() { kill "$SINK" 2>/dev/null || true; [ -n "$NODE" ] && kill "$NODE" 2>/dev/null || true; }
trap cleanup EXIT
# the sink may take seconds to start on a busy machine (pyenv shims): wait for its port, not a fixed time
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
URL="http://127.0.0.1:$PORT/b3lb/b/recording/upload"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

cat > "$WORK/application.properties" <<CFG
b3lb.recording-dir=$WORK/archived
b3lb.routes-dir=$PWD/routes
b3lb.load.port=$((PORT + 1))
b3lb.management.port=$((PORT + 2))
b3lb.upload.endpoint=$URL
b3lb.upload.secret=bench
b3lb.upload.poll-delay=100ms
CFG
# shellcheck disable=SC2086
java $HEAP ${JAVA_EXTRA:-} -jar target/b3lb-node.jar run --config "$WORK/application.properties" > "$WORK/node.log" 2>&1 & NODE=$!

upload() { # id -> waits until the marker is gone, samples RSS meanwhile, prints peak RSS in KiB
  ln "$DATA" "$WORK/archived/$1.tar"
  touch "$WORK/archived/$1.ready"
  local peak=0 r
  while [ -e "$WORK/archived/$1.ready" ]; do
    r=$(awk '/VmRSS/ {print $2}' /proc/$NODE/status); [ "$r" -gt "$peak" ] && peak=$r
    sleep 0.02
  done
  echo "$peak"
}
until grep -qs "started in" "$WORK/node.log"; do sleep 0.2; done
upload warmup > /dev/null
sleep 1
idle=$(awk '/VmRSS/ {print $2}' /proc/$NODE/status)
curl -s -o /dev/null -H 'X-Node-Secret: bench' -F "recording=@$DATA;filename=warmup.tar" "$URL"
echo "$RUNS rounds, each curl -F recording=@file ($SIZE_MIB MiB) then b3lb-node ($HEAP; seconds from the route's 'uploaded' line), load average at the round's start:"
: > "$WORK/curl.txt"; : > "$WORK/node.txt"; : > "$WORK/rss.txt"
for i in $(seq "$RUNS"); do
  l=$(cut -d' ' -f1 /proc/loadavg)
  c=$(curl -s -o /dev/null -w '%{time_total}' -H 'X-Node-Secret: bench' -F "recording=@$DATA;filename=c$i.tar" "$URL")
  echo "$c" >> "$WORK/curl.txt"
  peak=$(upload "n$i")
  # the marker goes before the log line is written: wait for the line
  until line=$(grep "uploaded n$i:" "$WORK/node.log"); do sleep 0.05; done
  t=$(sed -E 's/.* in ([0-9.]+)(ms|s) .*/\1 \2/' <<< "$line" | awk '{print ($2=="ms") ? $1/1000 : $1}')
  awk -v c="$c" -v t="$t" -v p="$peak" -v l="$l" 'BEGIN {printf "  curl %.3f s  b3lb-node %.3f s  (%.2fx)  peak RSS %d MiB  load %s\n", c, t, c/t, p/1024, l}'
  echo "$t" >> "$WORK/node.txt"; echo "$((peak - idle))" >> "$WORK/rss.txt"
done
c=$(median < "$WORK/curl.txt"); n=$(median < "$WORK/node.txt"); g=$(sort -n "$WORK/rss.txt" | tail -1)
awk -v c="$c" -v n="$n" -v s="$SIZE_MIB" -v g="$g" -v idle="$idle" 'BEGIN {
  printf "median curl %.3f s (%.0f MB/s), b3lb-node %.3f s (%.0f MB/s): ratio %.2fx of curl\n", c, s*1.048576/c, n, s*1.048576/n, c/n
  printf "b3lb-node RSS idle %d MiB, worst growth during an upload %.1f MiB\n", idle/1024, g/1024 }'
