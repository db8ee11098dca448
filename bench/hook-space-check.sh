#!/usr/bin/env bash
# Benchmark: what the hook's free-space check (walk of the source directory + `stat -f` of the
# recording directory) costs next to the tar it guards, measured in the same run.
#
#   bench/hook-space-check.sh [FILES] [KIB]   (default 500 files of 200 KiB = 100 MiB; needs ruby)
#
# The hook is loaded as a library (it only runs main when executed), so the very functions the
# hook calls are timed: tree_size + free_bytes against make_tar + fsync_path, 5 rounds each.
set -euo pipefail
cd "$(dirname "$0")/.."
FILES=${1:-500}
KIB=${2:-200}
WORK=$(mktemp -d /tmp/b3lb-hook-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/raw/m1" "$WORK/rec"
for i in $(seq 1 "$FILES"); do
  mkdir -p "$WORK/raw/m1/d$((i % 20))"
  head -c $((KIB * 1024)) /dev/urandom > "$WORK/raw/m1/d$((i % 20))/f$i"
done
ruby - "$PWD/src/main/bbb/b3lb-push-hook.rb" "$WORK" "$FILES" <<'RUBY'
hook, work, files = ARGV
load hook
raw = File.join(work, 'raw/m1')
rec = File.join(work, 'rec')
clock = -> { Process.clock_gettime(Process::CLOCK_MONOTONIC) }
t = clock.call
5.times { tree_size(raw); free_bytes(rec) }
check = (clock.call - t) / 5
t = clock.call
5.times { make_tar(File.join(rec, 'm1.tar.tmp'), File.dirname(raw), 'm1'); fsync_path(File.join(rec, 'm1.tar.tmp')) }
tar = (clock.call - t) / 5
printf("source %s in %s files: free-space check %.1f ms, tar + fsync %.1f ms, check / tar %.3f\n",
       mib(tree_size(raw)), files, check * 1000, tar * 1000, check / tar)
RUBY
