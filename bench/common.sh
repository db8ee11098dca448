# Shared by the bench scripts: the service's JVM options (config/jvm.options, the file nodes run
# with, as java reads it: @file), and a start helper on free loopback ports.
ROOT=${ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
# JAR=/path/to/other.jar measures another build (e.g. a "before" build of main) with this tree's scripts
JAR=${JAR:-$ROOT/target/b3lb-node.jar}
JAVA_OPTS=${JAVA_OPTS:-@$ROOT/config/jvm.options}
LOAD_PORT=${LOAD_PORT:-18765}
MGMT_PORT=${MGMT_PORT:-19876}

[ -f "$JAR" ] || { echo "build first: mvn -B -q package -DskipTests" >&2; exit 2; }

now_ms() { date +%s%3N; }

# starts the service in the background (dev profile: no BBB, no secret); sets PID
start_node() {
    cd "$ROOT"
    # shellcheck disable=SC2086
    # NODE_ARGS: more --key=value settings, e.g. NODE_ARGS=--camel.main.exchange-factory=pooled
    java $JAVA_OPTS -jar "$JAR" run --config config/dev.properties \
        --b3lb.load.port="$LOAD_PORT" --b3lb.management.port="$MGMT_PORT" ${NODE_ARGS:-} "$@" >"${LOG:-/dev/null}" 2>&1 &
    PID=$!
}

wait_for_load() {
    until curl -sf -o /dev/null "http://127.0.0.1:$LOAD_PORT/"; do
        kill -0 "$PID" 2>/dev/null || { echo "service exited" >&2; return 1; }
        sleep 0.02
    done
}

stop_node() {
    kill "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
}

# one counter of the service's Prometheus metrics (sum over its label sets), e.g.
# metric 'jvm_gc_pause_seconds_count{action="end of major GC"' ; works without PerfData (no jstat)
metric() {
    curl -sf "http://127.0.0.1:$MGMT_PORT/observe/metrics" | awk -v m="$1" 'index($0, m) == 1 {s += $NF} END {printf "%d\n", s}'
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
