#!/bin/sh
# Throughput of the load endpoint with wrk (apt-get install wrk), with the JVM options of
# systemd/b3lb-node.service: median requests/s of RUNS runs of `wrk -t2 -c50 -d10s`, after a
# warm-up run. Loopback only. usage: bench/load-wrk.sh [RUNS]
set -eu
RUNS=${1:-3}
. "$(dirname "$0")/common.sh"
trap stop_node EXIT

start_node
wait_for_load
wrk -t2 -c50 -d5s "http://127.0.0.1:$LOAD_PORT/" >/dev/null
rates=""
i=0
while [ "$i" -lt "$RUNS" ]; do
    out=$(wrk -t2 -c50 -d10s --latency "http://127.0.0.1:$LOAD_PORT/")
    rate=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
    errors=$(echo "$out" | grep -E "Socket errors|Non-2xx" | tr '\n' ' ')
    echo "run $((i + 1)): $rate req/s, p99 $p99 ${errors}"
    rates="$rates $rate"
    i=$((i + 1))
done
echo "median over $RUNS runs: $(echo "$rates" | tr ' ' '\n' | grep . | median) req/s"
echo "RSS after the runs: $(( $(ps -o rss= -p "$PID") / 1024 )) MiB"
