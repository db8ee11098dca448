#!/bin/sh
# Start-up time (JVM launch until the load endpoint answers 200) over RUNS runs, with the JVM
# options of config/jvm.options, and idle RSS after IDLE seconds of one more run.
# usage: bench/startup.sh [RUNS] [IDLE]; needs target/b3lb-node.jar and curl.
#   CDS=1 bench/startup.sh   also make the AppCDS archive exactly as the package's postinst does
#                            (its make_cds_archive, on this jar), then alternate runs without and
#                            with it (JDK_JAVA_OPTIONS from its cds.env, as the unit reads it);
#                            prints both medians, the ratio, and the idle RSS of both
set -eu
RUNS=${1:-7}
IDLE=${2:-60}
. "$(dirname "$0")/common.sh"
trap stop_node EXIT

echo "JAVA_OPTS: $JAVA_OPTS"
CDS_ENV=
if [ "${CDS:-0}" = 1 ]; then
    CDS_WORK=/tmp/b3lb-bench/cds
    rm -rf "$CDS_WORK" && mkdir -p "$CDS_WORK"
    cp "$JAR" "$CDS_WORK/b3lb-node.jar"
    printf 'b3lb.routes-dir=%s/routes\n' "$ROOT" > "$CDS_WORK/application.properties"
    {
        echo 'ROOT=; UNIT=b3lb-node.service'
        sed -n '/^make_cds_archive() {/,/^}/p' "$ROOT/src/deb/control/postinst"
        echo "CDS_DIR=$CDS_WORK/lib CDS_JAR=$CDS_WORK/b3lb-node.jar CDS_CONFIG=$CDS_WORK/application.properties"
        echo "CDS_JVM_OPTIONS=$ROOT/config/jvm.options; make_cds_archive"
    } > "$CDS_WORK/make.sh"
    t0=$(now_ms)
    sh "$CDS_WORK/make.sh"
    echo "archive made in $(( $(now_ms) - t0 )) ms: $(du -h "$CDS_WORK/lib/b3lb-node.jsa" | cut -f1)"
    CDS_ENV=$(sed -n 's/^JDK_JAVA_OPTIONS=//p' "$CDS_WORK/lib/cds.env")
    JAR=$CDS_WORK/b3lb-node.jar
fi

with_archive() { # starts the service, with JDK_JAVA_OPTIONS=$1 if not empty
    if [ -n "$1" ]; then export JDK_JAVA_OPTIONS="$1"; else unset JDK_JAVA_OPTIONS; fi
    start_node
    unset JDK_JAVA_OPTIONS
}
: > /tmp/b3lb-startup.$$.plain; : > /tmp/b3lb-startup.$$.cds
one() { # file [JDK_JAVA_OPTIONS]
    t0=$(now_ms)
    with_archive "${2:-}"
    wait_for_load
    t=$(( $(now_ms) - t0 ))
    stop_node
    echo "$t" >> "$1"
    echo "$t"
}
i=0
while [ "$i" -lt "$RUNS" ]; do
    i=$((i + 1))
    echo "run $i: $(one /tmp/b3lb-startup.$$.plain) ms${CDS_ENV:+, with the archive: $(one /tmp/b3lb-startup.$$.cds "$CDS_ENV") ms}"
done
plain=$(median < /tmp/b3lb-startup.$$.plain)
echo "start-up median over $RUNS runs: $plain ms"
if [ -n "$CDS_ENV" ]; then
    cds=$(median < /tmp/b3lb-startup.$$.cds)
    awk -v a="$plain" -v b="$cds" 'BEGIN {printf "with the archive: %d ms, %.2fx the time without\n", b, b / a}'
    # each pair ran back to back, so its ratio is what depends least on a busy machine
    echo "median of the per-run ratios: $(paste -d' ' /tmp/b3lb-startup.$$.plain /tmp/b3lb-startup.$$.cds \
        | awk '{printf "%.3f\n", $2 / $1}' | median)x"
fi
rm -f /tmp/b3lb-startup.$$.plain /tmp/b3lb-startup.$$.cds

idle_rss() {
    with_archive "${1:-}"
    wait_for_load
    sleep "$IDLE" # idle on purpose: this is the figure a quiet node shows
    curl -sf -o /dev/null "http://127.0.0.1:$LOAD_PORT/"
    echo "idle RSS after ${IDLE}s${1:+ with the archive}: $(( $(ps -o rss= -p "$PID") / 1024 )) MiB"
    stop_node
}
idle_rss
[ -z "$CDS_ENV" ] || idle_rss "$CDS_ENV"
