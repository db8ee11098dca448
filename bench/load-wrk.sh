#!/usr/bin/env bash
# Throughput of the load endpoint: the balancer's request, hammered by wrk on loopback.
# Usage: bench/load-wrk.sh [runs]   (needs: wrk, a built target/b3lb-node.jar)
# Prints one wrk summary per run, then the median requests/s and the socket error count.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
port=${PORT:-18765}
mport=$((port + 1))
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT

java ${JAVA_OPTS:--Xmx96m -XX:+UseSerialGC} -jar target/b3lb-node.jar --config config/dev.properties \
  --b3lb.load.port=$port --b3lb.management.port=$mport --b3lb.recording-dir="$work" \
  --b3lb.upload.enabled=false --b3lb.cleaner.enabled=false >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done

# warm-up: let the JIT compile the hot path before measuring
wrk -t2 -c50 -d5s "http://127.0.0.1:$port/" >/dev/null
for i in $(seq "$runs"); do
  wrk -t2 -c50 -d10s "http://127.0.0.1:$port/" | tee "$work/run$i"
done
grep -h 'Requests/sec' "$work"/run* | awk '{print $2}' | sort -n | awk '{a[NR]=$1} END {print "median requests/s:", a[int((NR+1)/2)]}'
echo "socket errors (runs with any):" $(grep -l 'Socket errors' "$work"/run* 2>/dev/null | wc -l)
echo "RSS after the runs (KiB):" $(ps -o rss= -p $pid)
