#!/bin/sh
# Start-up time (JVM launch until the load endpoint answers 200) over RUNS runs, with the JVM
# options of systemd/b3lb-node.service, and idle RSS after IDLE seconds of one more run.
# usage: bench/startup.sh [RUNS] [IDLE]; needs target/b3lb-node.jar and curl.
set -eu
RUNS=${1:-7}
IDLE=${2:-60}
. "$(dirname "$0")/common.sh"
trap stop_node EXIT

echo "JAVA_OPTS: $JAVA_OPTS"
times=""
i=0
while [ "$i" -lt "$RUNS" ]; do
    t0=$(now_ms)
    start_node
    wait_for_load
    t=$(( $(now_ms) - t0 ))
    stop_node
    echo "run $((i + 1)): ${t} ms"
    times="$times $t"
    i=$((i + 1))
done
echo "start-up median over $RUNS runs: $(echo "$times" | tr ' ' '\n' | grep . | median) ms"

start_node
wait_for_load
sleep "$IDLE" # idle on purpose: this is the figure a quiet node shows
curl -sf -o /dev/null "http://127.0.0.1:$LOAD_PORT/"
echo "idle RSS after ${IDLE}s: $(( $(ps -o rss= -p "$PID") / 1024 )) MiB"
