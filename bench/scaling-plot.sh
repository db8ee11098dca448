#!/bin/sh
# Turns the scaling table docs/scaling.csv (n, drain seconds, cleanup seconds; an empty cell is a
# figure not measured yet) into docs/scaling.png: both series on log-log axes, with the line a
# linear cost would follow from the smallest n, so a super-linear figure stands out.
# usage: bench/scaling-plot.sh [CSV] [PNG]; needs gnuplot (Debian: apt-get install gnuplot-nox)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CSV=${1:-$ROOT/docs/scaling.csv}
PNG=${2:-$ROOT/docs/scaling.png}
command -v gnuplot >/dev/null || { echo "needs gnuplot: apt-get install gnuplot-nox" >&2; exit 2; }

# the smallest n's figures anchor the "linear" guide lines; an empty cell gives no guide
first() { awk -F, -v c="$1" 'NR > 1 && $c != "" {print $1, $c; exit}' "$CSV"; }
guide() { # column title colour -> a gnuplot plot clause, or nothing when the column is empty
    f=$(first "$1")
    [ -n "$f" ] || return 0
    echo "$f" | awk -v t="$2" -v c="$3" \
        '{printf ", %s * x / %s with lines dashtype 2 lc rgb \"%s\" title \"linear from n = %s (%s)\"", $2, $1, c, $1, t}'
}
series() { # column title colour point -> a gnuplot plot clause, or nothing when the column is empty
    [ -n "$(first "$1")" ] || return 0
    echo ", \"$CSV\" using 1:$1 with linespoints pt $4 lc rgb \"$3\" title \"$2\""
}
drain_series=$(series 2 'drain n pending (service running)' '#1f77b4' 7)
cleanup_series=$(series 3 'cleanup pass over n pending (service running)' '#d62728' 5)
drain_guide=$(guide 2 drain '#1f77b4')
cleanup_guide=$(guide 3 cleanup '#d62728')

gnuplot <<GP
set terminal pngcairo size 800,500 font ",11"
set output "$PNG"
set datafile separator ","
set title "b3lb-node: time against pending recordings (docs/benchmarks.md)"
set xlabel "recordings (n)"
set ylabel "seconds"
set logscale xy
set grid
set key top left
set xrange [500:200000]
plot 1/0 notitle $drain_series $cleanup_series $drain_guide $cleanup_guide
GP
echo "wrote $PNG from $CSV"
