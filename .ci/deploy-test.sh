#!/usr/bin/env bash
# Deployment test under a real systemd: boots a Debian root with systemd as PID 1 in
# systemd-nspawn (private network), installs target/b3lb-node_*.deb as an operator would and runs
# the README's Install, Configure and Verify commands, route management over JMX, the BBB hook
# (both protocols) up to an upload, a cleanup pass, kill -9, broken route files, /tmp read-only,
# a reboot, a reinstall over itself and purge. Prints PASS/FAIL with the wall time of each check;
# exits 1 if any check failed, 77 when it cannot run here (not root, no nspawn/debootstrap).
#
# usage: .ci/deploy-test.sh SUITE [DEB]      SUITE: bookworm, bullseye or trixie
#        B3LB_CI_PREPARE_ONLY=1 .ci/deploy-test.sh SUITE    only make the cached root
#
# The root file system is made once per suite with debootstrap from deb.debian.org (the only
# network access) into $B3LB_CI_CACHE/<suite> (default /var/cache/b3lb-node-ci) and copied per
# run, so later runs on the same machine take no download.
set -uo pipefail

SUITE=${1:?usage: $0 SUITE [DEB]}
cd "$(dirname "$0")/.."
DEB=${2:-$(ls -t target/b3lb-node_*_all.deb 2>/dev/null | head -1)}
CACHE=${B3LB_CI_CACHE:-/var/cache/b3lb-node-ci}
MIRROR=${B3LB_CI_MIRROR:-http://deb.debian.org/debian}

if [ "$(id -u)" != 0 ] || ! command -v systemd-nspawn >/dev/null || ! command -v debootstrap >/dev/null \
        || ! command -v nsenter >/dev/null; then
    echo "deploy-test: SKIPPED: needs root, systemd-nspawn (systemd-container), debootstrap and nsenter" >&2
    exit 77
fi

case "$SUITE" in
    trixie|forky|sid) JAVA_PKG=openjdk-21-jre-headless ;;
    *) JAVA_PKG=openjdk-17-jre-headless ;;
esac
# what BBB's node has that the package uses: nginx with TLS (ssl-cert's snakeoil), ruby for the
# hook, curl for the README's commands, python3 for the receiver standing in for B3LB
INCLUDE=systemd,systemd-sysv,dbus,$JAVA_PKG,ruby,nginx,ssl-cert,curl,python3,procps

T0=$(date +%s.%N)
say() { printf '%s\n' "$*"; }
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# --- the cached root ---------------------------------------------------------------------------
BASE=$CACHE/$SUITE
mkdir -p "$CACHE"
if [ ! -f "$BASE/.complete" ] || [ "$(cat "$BASE/.complete")" != "$INCLUDE" ]; then
    say "deploy-test: debootstrap $SUITE into $BASE (once per machine, a few minutes)"
    t=$(date +%s.%N)
    rm -rf "$BASE.tmp" "$BASE"
    if ! debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" "$BASE.tmp" "$MIRROR" > "$CACHE/$SUITE.debootstrap.log" 2>&1; then
        tail -20 "$CACHE/$SUITE.debootstrap.log"
        say "FAIL debootstrap $SUITE ($(elapsed "$t") s)"
        exit 1
    fi
    # a container boots faster and quieter without these; BBB's node has its own getty and mail
    rm -f "$BASE.tmp"/etc/systemd/system/getty.target.wants/* 2>/dev/null
    printf '%s\n' "$INCLUDE" > "$BASE.tmp/.complete"
    mv "$BASE.tmp" "$BASE"
    mv "$BASE/.complete" "$BASE/.complete.tmp" && mv "$BASE/.complete.tmp" "$BASE/.complete"
    say "deploy-test: debootstrap took $(elapsed "$t") s"
fi

# .ci/run makes the roots while Maven runs: only the cache, no test
[ -z "${B3LB_CI_PREPARE_ONLY:-}" ] || exit 0
if [ -z "$DEB" ] || [ ! -f "$DEB" ]; then
    echo "deploy-test: no package: run mvn package first (or pass the .deb)" >&2
    exit 2
fi

RUN=$(mktemp -d "$CACHE/run-$SUITE.XXXXXX")
ROOT=$RUN/root
LOG=$RUN/nspawn.log
t=$(date +%s.%N)
cp -a --reflink=auto "$BASE" "$ROOT"
say "deploy-test: $SUITE root copied in $(elapsed "$t") s ($RUN)"

NSPAWN=
INIT=
cleanup() {
    if [ -n "$NSPAWN" ] && kill -0 "$NSPAWN" 2>/dev/null; then
        kill -TERM "$NSPAWN" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$NSPAWN" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$NSPAWN" 2>/dev/null
    fi
    [ -n "${KEEP_RUN:-}" ] || rm -rf "$RUN"
}
trap cleanup EXIT

# the container's PID 1 seen from here: the descendant of nspawn whose pid inside is 1
find_init() {
    local p kids
    kids=$(ps -e -o pid=,ppid= | awk -v r="$NSPAWN" '{ parent[$1] = $2 } END {
        for (p in parent) { q = p; while (q in parent && q != r && q > 1) q = parent[q]; if (q == r && p != r) print p } }')
    for p in $kids; do
        if awk '/^NSpid:/ { exit !($NF == 1 && NF > 2) }' "/proc/$p/status" 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

boot() {
    setsid systemd-nspawn -q -b -D "$ROOT" --register=no --keep-unit --private-network --console=pipe \
        -M "b3lbci-$SUITE" >> "$LOG" 2>&1 < /dev/null &
    NSPAWN=$!
    INIT=
    # until that process is systemd: before its exec it is nspawn's child setting up the namespaces
    for _ in $(seq 200); do
        INIT=$(find_init) && [ "$(basename "$(readlink "/proc/$INIT/exe")")" = systemd ] && break
        INIT=
        sleep 0.1
    done
    [ -n "$INIT" ] || { say "no init process in the container"; return 1; }
    local state
    # systemctl needs systemd's socket, which appears a moment after its exec
    for _ in $(seq 600); do
        state=$(timeout 120 nsenter -t "$INIT" -a systemctl is-system-running --wait 2>&1) && break
        case "$state" in *"Failed to connect"*) sleep 0.2 ;; *) break ;; esac
    done
    [ "$state" = running ] || [ "$state" = degraded ] || { say "systemd says: $state"; return 1; }
}

# a command inside the container, as root, with a login-like environment
c() {
    nsenter -t "$INIT" -a env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LANG=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive "$@"
}
csh() { c sh -c "$1"; }

FAILED=0
RESULTS=()
OUT=$RUN/check.out
check() {
    local name=$1; shift
    local t rc
    t=$(date +%s.%N)
    "$@" > "$OUT" 2>&1
    rc=$?
    local line
    grep '^note: ' "$OUT" | sed 's/^/    /'
    if [ $rc = 0 ]; then
        line="PASS $name ($(elapsed "$t") s)"
    else
        line="FAIL $name ($(elapsed "$t") s)"
        FAILED=1
        sed 's/^/    | /' "$OUT" | tail -40
    fi
    say "$line"
    RESULTS+=("$line")
    return $rc
}

# --- helpers used by the checks ---------------------------------------------------------------
prop() { csh "grep -q '^$1=' /etc/b3lb-node/application.properties && sed -i 's|^$1=.*|$1=$2|' /etc/b3lb-node/application.properties || echo '$1=$2' >> /etc/b3lb-node/application.properties"; }
invocation() { c systemctl show -p InvocationID --value b3lb-node; }
journal_now() { c journalctl -q -o cat --no-pager _SYSTEMD_INVOCATION_ID="$(invocation)"; }
# up: running, and Camel said which addresses it bound
wait_up() {
    for _ in $(seq 120); do
        if [ "$(c systemctl show -p SubState --value b3lb-node)" = running ] && journal_now | grep -q 'Listening: '; then
            return 0
        fi
        sleep 0.25
    done
    say "b3lb-node did not come up: $(c systemctl show -p ActiveState,SubState,ExecMainStatus b3lb-node | tr '\n' ' ')"
    journal_now | tail -20
    return 1
}
restarts() { c systemctl show -p NRestarts --value b3lb-node; }
no_thread_dumps() {
    if c journalctl -q -o cat --no-pager -u b3lb-node | grep -q 'Full thread dump'; then
        say "the service's journal holds $(c journalctl -q -o cat --no-pager -u b3lb-node | grep -c 'Full thread dump') thread dump(s)"
        return 1
    fi
}

# the receiver standing in for B3LB: logs each request's method, path and size, answers 204
SINK_PY='
import http.server, socketserver, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0")); left = n
        while left > 0:
            k = len(self.rfile.read(min(1 << 20, left)))
            if k == 0: return
            left -= k
        with open("/root/sink.log", "a") as f:
            f.write("%s %s %d %s\n" % (self.command, self.path, n, self.headers.get("X-Node-Secret", "-")))
        self.send_response(204); self.end_headers()
    def log_message(self, *a): pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True; allow_reuse_address = True
S(("127.0.0.1", 8090), H).serve_forever()
'

# BBB's part of a node that the package relies on: its user, directories and nginx server block
prepare_bbb() {
    c useradd --system --user-group --home-dir /var/bigbluebutton --shell /usr/sbin/nologin bigbluebutton || return 1
    c install -d -o bigbluebutton -g bigbluebutton /var/bigbluebutton /var/bigbluebutton/recording \
        /var/bigbluebutton/recording/raw /var/bigbluebutton/recording/status \
        /var/bigbluebutton/recording/status/archived /var/bigbluebutton/published \
        /var/bigbluebutton/published/presentation /var/log/bigbluebutton || return 1
    c install -d /etc/bigbluebutton/nginx || return 1
    # debootstrap writes no /etc/hosts (an installer does): bullseye's curl cannot resolve localhost without it
    [ -e "$ROOT/etc/hosts" ] || printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$ROOT/etc/hosts"
    cat > "$ROOT/etc/nginx/sites-available/bigbluebutton" <<'EOF'
server {
    listen 80;
    listen [::]:80;
    return 301 https://$host$request_uri;
}
server {
    listen 443 ssl;
    listen [::]:443 ssl;
    ssl_certificate /etc/ssl/certs/ssl-cert-snakeoil.pem;
    ssl_certificate_key /etc/ssl/private/ssl-cert-snakeoil.key;
    include /etc/bigbluebutton/nginx/*.nginx;
}
EOF
    c ln -sf /etc/nginx/sites-available/bigbluebutton /etc/nginx/sites-enabled/default || return 1
    c nginx -t && c systemctl restart nginx || return 1
    printf '%s' "$SINK_PY" > "$ROOT/root/sink.py"
    c systemd-run --quiet --unit=b3lb-sink python3 /root/sink.py || return 1
    cp "$DEB" "$ROOT/root/" || return 1
}

# the fenced sh block(s) of one README section ("### Install" ...), one command per line
readme_block() {
    awk -v s="### $1" '$0 == s { on = 1; next } on && /^##/ { exit } on && /^```sh$/ { code = 1; next }
        on && /^```/ { code = 0; next } on && code' README.md
}
# a README line made runnable here: comments cut, the version and the editor replaced by the
# values of this run, `journalctl -f` bounded
run_readme_line() {
    local line=$1
    line=${line%%  #*}
    line=${line//.\/b3lb-node_1.0.0_all.deb/.\/$(basename "$DEB")}
    line=${line//b3lb-node_<new version>_all.deb/$(basename "$DEB")}
    line=${line//journalctl -u b3lb-node -f/journalctl -u b3lb-node -n 20 --no-pager}
    line=${line//apt install/apt-get install -y}
    case "$line" in
        editor\ *) line="echo b3lb.upload.endpoint=http://127.0.0.1:8090/b3lb/b/recording/upload >> /etc/b3lb-node/application.properties" ;;
    esac
    say "# $line"
    csh "cd /root && $line"
}

# --- the checks -------------------------------------------------------------------------------
ck_boot() { boot; }
ck_prepare() { prepare_bbb; }

ck_install() {
    local cmd
    cmd=$(readme_block Install | grep -m1 'apt install')
    [ -n "$cmd" ] || { say "README's Install section has no apt install line"; return 1; }
    run_readme_line "$cmd" > "$RUN/install.out" 2>&1 || { cat "$RUN/install.out"; return 1; }
    cat "$RUN/install.out"
    # first install: the empty secret stops the service, and postinst says so with the reason
    grep -q 'created empty /etc/b3lb-node/secret (root:bigbluebutton 0640)' "$RUN/install.out" || { say "no 'created empty secret' line"; return 1; }
    grep -q 'the service did not start' "$RUN/install.out" || { say "postinst did not say that the service did not start"; return 1; }
    sleep 1
    [ "$(c systemctl is-enabled b3lb-node)" = enabled ] || { say "not enabled"; return 1; }
    [ "$(c systemctl show -p ExecMainStatus --value b3lb-node)" = 2 ] || { say "exit status is not 2"; return 1; }
    [ "$(restarts)" = 0 ] || { say "restarted $(restarts) times"; return 1; }
}

ck_configure() {
    local line
    while IFS= read -r line; do
        [ -n "$line" ] || continue
        run_readme_line "$line" || return 1
    done < <(readme_block Configure)
    wait_up || return 1
    [ "$(c cat /etc/b3lb-node/secret)" = THE-NODE-SECRET ] || return 1
    [ "$(c stat -c %U:%G:%a /etc/b3lb-node/secret)" = root:bigbluebutton:640 ]
}

ck_verify() {
    local line
    while IFS= read -r line; do
        [ -n "$line" ] || continue
        run_readme_line "$line" || { say "README command failed: $line"; return 1; }
    done < <(readme_block Verify)
}

ck_sandbox() {
    local pid
    pid=$(c systemctl show -p MainPID --value b3lb-node)
    [ "$(csh "awk '/^Seccomp:/ { print \$2 }' /proc/$pid/status")" = 2 ] || { say "no seccomp filter"; return 1; }
    [ "$(csh "stat -c %U /proc/$pid")" = bigbluebutton ] || { say "not running as bigbluebutton"; return 1; }
    # the filter systemd made of @system-service, ~@privileged and @chown: chown back, the rest of @privileged out
    local filter
    filter=" $(c systemctl show -p SystemCallFilter --value b3lb-node) "
    say "note: SystemCallFilter as systemd made it: $(echo $filter | wc -w) calls, of them chown-family:$(printf ' %s\n' $filter | grep -E '^ ?(l|f)?chown' | tr '\n' ' ')"
    for call in chown fchown fchownat lchown; do
        case "$filter" in *" $call "*) ;; *) say "$call is not allowed"; return 1 ;; esac
    done
    for call in setuid setgroups chroot pivot_root reboot swapon; do
        case "$filter" in *" $call "*) say "$call is allowed"; return 1 ;; esac
    done
    # / read-only and only the recording directory (and the runtime directory) writable
    c nsenter -t "$pid" -m sh -c 'touch /etc/b3lb-node/x 2>/dev/null' && { say "/etc is writable"; return 1; }
    c nsenter -t "$pid" -m findmnt -n -o OPTIONS --target /var/bigbluebutton/recording/status/archived | grep -q '^rw' \
        || { say "recording directory not writable"; return 1; }
    c nsenter -t "$pid" -m findmnt -n -o OPTIONS --target /var/bigbluebutton | grep -q '^ro' || { say "/var/bigbluebutton writable"; return 1; }
}

ATTACH_TIMES=()
ck_routes_root() {
    local t out
    # the client's own JVM start, for comparison: the rest of a routes run is attach and JMX
    t=$(date +%s.%N)
    c b3lb-node --version > /dev/null || return 1
    ATTACH_TIMES+=("b3lb-node --version (the client JVM alone, no attach): $(elapsed "$t") s")
    t=$(date +%s.%N)
    out=$(c b3lb-node routes list) || { say "$out"; return 1; }
    ATTACH_TIMES+=("first routes list (attach): $(elapsed "$t") s")
    say "$out"
    printf '%s\n' "$out" | grep -q '^upload  *Started' || return 1
    t=$(date +%s.%N)
    c b3lb-node routes list > /dev/null || return 1
    ATTACH_TIMES+=("second routes list (agent already running): $(elapsed "$t") s")
    c b3lb-node routes stop upload | grep -q 'upload Stopped' || return 1
    c b3lb-node status > "$RUN/status.out"
    cat "$RUN/status.out"
    grep -q '^  upload  *Stopped' "$RUN/status.out" || { say "status does not show upload Stopped"; return 1; }
    c b3lb-node routes start upload | grep -q 'upload Started' || return 1
    no_thread_dumps
}

ck_routes_service_user() {
    c runuser -u bigbluebutton -- b3lb-node routes list | grep -q '^load  *Started' || return 1
    c runuser -u bigbluebutton -- b3lb-node routes stop cleanup | grep -q 'cleanup Stopped' || return 1
    c runuser -u bigbluebutton -- b3lb-node routes start cleanup | grep -q 'cleanup Started' || return 1
    # the README's way for jcmd: a client in the unit's namespace sees the private /tmp itself
    c systemd-run --quiet --wait --pipe --uid=bigbluebutton --gid=bigbluebutton -p JoinsNamespaceOf=b3lb-node.service \
        -p PrivateTmp=yes /usr/bin/b3lb-node routes list | grep -q '^load  *Started' || { say "not from the unit's namespace"; return 1; }
    no_thread_dumps
}

# the first attach of a freshly started service, as the service user (no root anywhere)
ck_routes_fresh_service_user() {
    c systemctl restart b3lb-node && wait_up || return 1
    local t
    t=$(date +%s.%N)
    c runuser -u bigbluebutton -- b3lb-node routes list | grep -q '^upload  *Started' || return 1
    ATTACH_TIMES+=("first routes list as bigbluebutton after a restart: $(elapsed "$t") s")
    no_thread_dumps
}

sink_count() { csh "grep -c '$1' /root/sink.log 2>/dev/null || true"; }
wait_for() {  # wait_for SECONDS COMMAND...
    local n=$(( $1 * 4 )); shift
    for _ in $(seq "$n"); do "$@" && return 0; sleep 0.25; done
    "$@"
}
gone() { ! c test -e "$1"; }

ck_hook_spec() {
    local id=0123456789abcdef0123456789abcdef01234567-1700000000001
    c install -d -o bigbluebutton -g bigbluebutton /var/bigbluebutton/recording/raw/$id || return 1
    csh "head -c 300000 /dev/urandom > /var/bigbluebutton/recording/raw/$id/audio.webm && printf '<recording><metadata/></recording>' > /var/bigbluebutton/recording/raw/$id/events.xml && chown -R bigbluebutton: /var/bigbluebutton/recording/raw/$id" || return 1
    # as BBB runs it: its scripts directory, its user
    csh "cd /usr/local/bigbluebutton/core/scripts && runuser -u bigbluebutton -- ruby post_archive/b3lb-node-push-hook.rb -m $id" || return 1
    c test -f /var/bigbluebutton/recording/status/archived/$id.tar || { say "no tar"; return 1; }
    wait_for 30 gone /var/bigbluebutton/recording/status/archived/$id.ready || { say "marker still there"; journal_now | tail; return 1; }
    [ "$(sink_count "POST /b3lb/b/recording/upload [0-9]* THE-NODE-SECRET")" -ge 1 ] || { c cat /root/sink.log; return 1; }
    journal_now | grep "uploaded $id"
}

ck_hook_b3lb() {
    local id=fedcba9876543210fedcba9876543210fedcba98-1700000000002
    prop b3lb.protocol b3lb || return 1
    csh "sed -i '/^b3lb.upload.endpoint=/d' /etc/b3lb-node/application.properties" || return 1
    prop b3lb.upload.endpoint http://127.0.0.1:8090/b3lb/b/record/upload || return 1
    c systemctl restart b3lb-node && wait_up || return 1
    c install -d -o bigbluebutton -g bigbluebutton /var/bigbluebutton/recording/raw/$id /var/bigbluebutton/published/presentation/$id || return 1
    csh "printf '<recording><metadata b3lb-recordset=\"Nonce-42_x\"/></recording>' > /var/bigbluebutton/recording/raw/$id/events.xml
         printf '<recording><id>$id</id><meta><isBreakout>false</isBreakout></meta></recording>' > /var/bigbluebutton/published/presentation/$id/metadata.xml
         head -c 200000 /dev/urandom > /var/bigbluebutton/published/presentation/$id/slides.bin
         chown -R bigbluebutton: /var/bigbluebutton/recording/raw/$id /var/bigbluebutton/published/presentation/$id" || return 1
    # BBB runs post_archive too, which does nothing under b3lb; then post_publish once per format
    csh "cd /usr/local/bigbluebutton/core/scripts && runuser -u bigbluebutton -- ruby post_archive/b3lb-node-push-hook.rb -m $id \
         && runuser -u bigbluebutton -- ruby post_publish/b3lb-node-push-hook.rb -m $id -f presentation" || return 1
    wait_for 30 gone /var/bigbluebutton/recording/status/archived/$id.ready || { say "marker still there"; journal_now | tail; return 1; }
    [ "$(sink_count 'POST /b3lb/b/record/upload?nonce=Nonce-42_x ')" -ge 1 ] || { c cat /root/sink.log; return 1; }
}

# a real upload's tar, aged past the retention: removed by the service's own pass inside its
# sandbox (ReadWritePaths), after `clean --dry-run` named it
ck_cleanup() {
    local id=0123456789abcdef0123456789abcdef01234567-1700000000001 dir=/var/bigbluebutton/recording/status/archived
    c test -f $dir/$id.tar || { say "the uploaded tar is missing"; return 1; }
    # two days pass: the upload's moment is the evidence's mtime where the service writes one, else the tar's
    if c test -f $dir/$id.uploaded; then
        c touch -m -d '2 days ago' $dir/$id.uploaded || return 1
    else
        c touch -m -d '2 days ago' $dir/$id.tar || return 1
    fi
    prop b3lb.cleaner.retention-days 1 || return 1
    c b3lb-node clean --dry-run > "$RUN/dry.out"; cat "$RUN/dry.out"
    grep -q "would delete $id.tar" "$RUN/dry.out" || return 1
    c test -f $dir/$id.tar || { say "the dry run deleted"; return 1; }
    prop b3lb.cleaner.cron '0/5 * * * * ?' || return 1
    c systemctl restart b3lb-node && wait_up || return 1
    wait_for 20 gone $dir/$id.tar || { say "not deleted"; journal_now | tail; return 1; }
    journal_now | grep -E "cleanup: deleted 1 recording" || return 1
    prop b3lb.cleaner.cron '0 0 3 * * ?'
}

ck_kill9() {
    local pid before
    pid=$(c systemctl show -p MainPID --value b3lb-node)
    before=$(restarts)
    c kill -9 "$pid" || return 1
    wait_for 20 sh -c "[ \"\$(nsenter -t $INIT -a systemctl show -p NRestarts --value b3lb-node)\" -gt $before ]" || return 1
    wait_up || return 1
    [ "$(c systemctl show -p MainPID --value b3lb-node)" != "$pid" ]
}

broken_route() {  # broken_route CONTENT EXPECTED-REASON
    printf '%s\n' "$1" > "$ROOT/etc/b3lb-node/routes/x.camel.yaml"
    c systemctl restart b3lb-node
    wait_for 20 sh -c "[ \"\$(nsenter -t $INIT -a systemctl show -p ActiveState --value b3lb-node)\" = failed ]" || { say "not failed"; return 1; }
    [ "$(c systemctl show -p ExecMainStatus --value b3lb-node)" = 2 ] || { say "exit status $(c systemctl show -p ExecMainStatus --value b3lb-node), not 2"; return 1; }
    journal_now > "$RUN/broken.out"
    cat "$RUN/broken.out"
    grep -E "^b3lb-node: .*/etc/b3lb-node/routes/x\.camel\.yaml.*line [0-9]+.*$2" "$RUN/broken.out" || { say "no line naming the file, the line and '$2'"; return 1; }
    if grep -qE '^\s+at |Exception' "$RUN/broken.out"; then say "a stack trace or exception in the journal"; return 1; fi
    # RestartSec=5s: a restart would have happened by now (a new invocation, the state activating)
    local inv
    inv=$(invocation)
    sleep 6
    [ "$(invocation)" = "$inv" ] && [ "$(c systemctl show -p ActiveState --value b3lb-node)" = failed ] || { say "restarted"; return 1; }
}
ck_broken_yaml() { broken_route 'foo: [bar' "expected ',' or ']'"; }
ck_comment_only() { broken_route '# a route file holding only a comment' 'no route'; }
ck_unknown_eip() { broken_route $'- route:\n    id: x\n    from:\n      uri: timer:x\n      steps:\n        - frobnicate: {}' 'frobnicate'; }
# postinst's training start and its start of the unit meet the same file: both name it
ck_postinst_route_file() {
    printf '# a route file holding only a comment\n' > "$ROOT/etc/b3lb-node/routes/x.camel.yaml"
    c dpkg-reconfigure -f noninteractive b3lb-node > "$RUN/reconf.out" 2>&1
    cat "$RUN/reconf.out"
    grep -q '^b3lb-node: no class-data archive .*the training start said: b3lb-node: route file /etc/b3lb-node/routes/x\.camel\.yaml line 1: holds no route' "$RUN/reconf.out" \
        || { say "postinst does not show the training start's line"; return 1; }
    grep -q '^b3lb-node: the service did not start: b3lb-node: route file /etc/b3lb-node/routes/x\.camel\.yaml line 1' "$RUN/reconf.out" \
        || { say "postinst does not show why the service did not start"; return 1; }
}

ck_fixed_route() {
    rm -f "$ROOT/etc/b3lb-node/routes/x.camel.yaml"
    c systemctl reset-failed b3lb-node
    c systemctl start b3lb-node && wait_up
}

# no writable /tmp: with PrivateTmp=no, ProtectSystem=strict leaves /tmp read-only
ck_readonly_tmp() {
    c mkdir -p /etc/systemd/system/b3lb-node.service.d || return 1
    printf '[Service]\nPrivateTmp=no\n' > "$ROOT/etc/systemd/system/b3lb-node.service.d/tmp.conf"
    c systemctl daemon-reload && c systemctl restart b3lb-node || return 1
    local ok=0
    wait_up || ok=1
    local pid
    pid=$(c systemctl show -p MainPID --value b3lb-node)
    c nsenter -t "$pid" -m findmnt -n -o OPTIONS --target /tmp | grep -q '^ro' || { say "/tmp is not read-only for the service"; ok=1; }
    # health is DOWN until the upload consumer's first poll, a moment after "Listening:"
    wait_for 20 csh "curl -sf -o /dev/null http://127.0.0.1:9876/observe/health" || { say "health not UP"; ok=1; }
    csh "curl -sf http://127.0.0.1:8765/" || { say "no load figure"; ok=1; }
    journal_now | grep -iE 'vertx-cache|Read-only file system' && ok=1
    # attach needs the JVM's socket in its /tmp: refused with a reason, no signal sent
    c b3lb-node routes list > "$RUN/ro.out" 2>&1 && ok=1
    cat "$RUN/ro.out"
    no_thread_dumps || ok=1
    c rm -rf /etc/systemd/system/b3lb-node.service.d
    c systemctl daemon-reload && c systemctl restart b3lb-node && wait_up || ok=1
    return $ok
}

# the unit's @chown is what the attach needs: without it the JVM cannot make its socket, the
# client gives up after the JDK's 10 s, and the JVM, which saw the request, prints no thread dump
ck_attach_without_chown() {
    c mkdir -p /etc/systemd/system/b3lb-node.service.d || return 1
    printf '[Service]\nSystemCallFilter=~@chown\n' > "$ROOT/etc/systemd/system/b3lb-node.service.d/chown.conf"
    c systemctl daemon-reload && c systemctl restart b3lb-node && wait_up || return 1
    local ok=0 t
    t=$(date +%s.%N)
    c b3lb-node routes list > "$RUN/chown.out" 2>&1 && { say "attached without chown"; ok=1; }
    cat "$RUN/chown.out"
    say "note: routes list without @chown failed after $(elapsed "$t") s: $(head -c 160 "$RUN/chown.out")"
    no_thread_dumps || ok=1
    c rm -rf /etc/systemd/system/b3lb-node.service.d
    c systemctl daemon-reload && c systemctl restart b3lb-node && wait_up || ok=1
    return $ok
}

ck_reboot() {
    local old=$NSPAWN
    c systemctl reboot
    # nspawn ends when the container reboots (exit 133); booting it again is the host's part
    for _ in $(seq 150); do kill -0 "$old" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$old" 2>/dev/null && { say "container did not go down"; return 1; }
    boot || return 1
    c systemctl start b3lb-sink.service 2>/dev/null || c systemd-run --quiet --unit=b3lb-sink python3 /root/sink.py
    wait_up || return 1
    [ "$(c systemctl is-enabled b3lb-node)" = enabled ]
}

ck_reinstall() {
    local before
    before=$(c sha256sum /etc/b3lb-node/application.properties)
    csh "cd /root && apt-get install -y --reinstall ./$(basename "$DEB")" || return 1
    [ "$(c cat /etc/b3lb-node/secret)" = THE-NODE-SECRET ] || { say "secret changed"; return 1; }
    [ "$(c stat -c %U:%G:%a /etc/b3lb-node/secret)" = root:bigbluebutton:640 ] || return 1
    [ "$(c sha256sum /etc/b3lb-node/application.properties)" = "$before" ] || { say "config changed"; return 1; }
    wait_up
}

ck_purge() {
    c apt-get purge -y b3lb-node || return 1
    c test -e /etc/b3lb-node && { c find /etc/b3lb-node; return 1; }
    c test -e /lib/systemd/system/b3lb-node.service && return 1
    c test -e /etc/bigbluebutton/nginx/b3lb-node-load.nginx && return 1
    c test -e /var/lib/b3lb-node && return 1
    csh "pgrep -u bigbluebutton java" && { say "a JVM still runs"; return 1; }
    c systemctl is-active --quiet nginx || { say "nginx is down"; return 1; }
    # recordings stay
    c test -f /var/bigbluebutton/recording/status/archived/fedcba9876543210fedcba9876543210fedcba98-1700000000002.tar
}

queued_arrived() { [ "$(sink_count 'POST /b3lb/b/record/upload?nonce=Queue-Nonce_7 ')" -ge 1 ]; }

# B3LB 3.3's node scripts in service as their READMEs install them (b3lb-load writing its figure,
# b3lb-push running, B3LB's hook, its nginx snippet) with one recording in its SQLite queue; then
# the package installed over them non-interactively, and `b3lb-node migrate` taking over
# install_beside NAME EXPECTED-LINE WHOSE BEFORE HOOK: the package installed over old scripts in
# service says so, leaves b3lb-node stopped and changes none of their files (hook, nginx snippet)
install_beside() {
    csh "cd /root && apt-get install -y ./$(basename "$DEB")" > "$RUN/$1.out" 2>&1 || { cat "$RUN/$1.out"; return 1; }
    grep -q "$2" "$RUN/$1.out" || { cat "$RUN/$1.out"; return 1; }
    c systemctl is-active --quiet b3lb-node && { say "b3lb-node was started beside $3 scripts"; return 1; }
    [ "$4" = "$(c sha256sum "$5" /etc/bigbluebutton/nginx/b3lb-load.nginx)" ] || { say "$3 files changed"; return 1; }
}

ck_takeover_b3lb() {
    local id=aaaabbbbccccddddeeeeffff0000111122223333-1700000000003 pub=/var/bigbluebutton/published/presentation
    local hooks=/usr/local/bigbluebutton/core/scripts before after figure
    c install -d /usr/local/lib/b3lb /etc/b3lb /var/bigbluebutton/b3lb $hooks/post_publish /etc/bigbluebutton/nginx || return 1
    csh "printf '%s\n' '#!/usr/bin/env python3' 'import os, time' \"os.makedirs('/run/b3lb', exist_ok=True)\" 'while True:' \
         \"    open('/run/b3lb/load.new', 'w').write('4711\\\\n'); os.replace('/run/b3lb/load.new', '/run/b3lb/load'); time.sleep(10)\" \
         > /usr/local/lib/b3lb/b3lb-load
         printf '%s\n' '#!/usr/bin/env python3' 'CONFIG_FILENAME = \"/etc/b3lb/push.properties\"' \
         '# \"{}b3lb/b/record/upload\".format(B3LB_BASE_DOMAIN)' 'import time' 'time.sleep(1000000)' > /usr/local/lib/b3lb/b3lb-push
         chmod 755 /usr/local/lib/b3lb/b3lb-load /usr/local/lib/b3lb/b3lb-push
         printf 'b3lbBaseDomain=http://127.0.0.1:8090/\npublishedFolder=$pub\nqueueDirname=/var/bigbluebutton/b3lb\nqueueFilename=push-queue.db\nnonceMetaTag=b3lb-recordset\n' > /etc/b3lb/push.properties
         printf '[Unit]\nDescription=Dumps the server load periodically at /run/b3lb/load.\n[Service]\nType=simple\nExecStart=/usr/bin/env python3 /usr/local/lib/b3lb/b3lb-load\n[Install]\nWantedBy=multi-user.target\n' > /etc/systemd/system/b3lb-load.service
         printf '[Unit]\nDescription=uploading bbb recordings to the b3lb backend\n[Service]\nType=simple\nUser=bigbluebutton\nGroup=bigbluebutton\nExecStart=/usr/bin/env python3 /usr/local/lib/b3lb/b3lb-push\n[Install]\nWantedBy=multi-user.target\n' > /etc/systemd/system/b3lb-push.service
         printf '# B3LB - BigBlueButton Load Balancer\n\nlocation /b3lb/load {\n    alias /run/b3lb/load;\n    default_type text/plain;\n}\n' > /etc/bigbluebutton/nginx/b3lb-load.nginx
         printf '%s\n' '#!/usr/bin/ruby' 'require \"sqlite3\"' 'properties_fn = \"/etc/b3lb/push.properties\"' \
           '    db.execute \"CREATE TABLE IF NOT EXISTS backlog (mid varchar(64), nonce varchar(64))\"' \
           '    db.execute \"INSERT INTO backlog (mid, nonce) VALUES (?, ?)\", meeting_id, nonce' 'exit 0' > $hooks/post_publish/b3lb-push-hook.rb
         install -d -o bigbluebutton -g bigbluebutton $pub/$id/presentation
         printf '<recording><id>$id</id><meta><isBreakout>false</isBreakout></meta></recording>' > $pub/$id/metadata.xml
         head -c 100000 /dev/urandom > $pub/$id/presentation/slides.bin
         chown -R bigbluebutton: $pub/$id
         python3 -c \"import sqlite3; db = sqlite3.connect('/var/bigbluebutton/b3lb/push-queue.db'); db.execute('CREATE TABLE IF NOT EXISTS backlog (mid varchar(64), nonce varchar(64))'); db.execute('INSERT INTO backlog VALUES (?, ?)', ('$id', 'Queue-Nonce_7')); db.commit()\"
         systemctl daemon-reload && systemctl enable --now b3lb-load.service b3lb-push.service && systemctl reload nginx" || return 1
    wait_for 20 c test -f /run/b3lb/load || { say "B3LB's b3lb-load wrote no figure"; return 1; }
    before=$(c sha256sum $hooks/post_publish/b3lb-push-hook.rb /etc/bigbluebutton/nginx/b3lb-load.nginx)

    install_beside takeover-install "found B3LB's node scripts in service" "B3LB's" \
        "$before" $hooks/post_publish/b3lb-push-hook.rb || return 1
    c test -f $hooks/post_publish/b3lb-node-push-hook.rb || return 1
    # until the takeover nginx answers with B3LB's own figure
    figure=$(c curl -sk https://localhost/b3lb/load)
    [ "$figure" = 4711 ] || { say "before migrate /b3lb/load said: $figure"; return 1; }

    c b3lb-node migrate --dry-run || return 1
    c b3lb-node migrate || return 1
    wait_up || return 1
    for u in b3lb-load b3lb-push; do
        c systemctl is-active --quiet $u && { say "$u still runs"; return 1; }
    done
    c test -e $hooks/post_publish/b3lb-push-hook.rb && { say "B3LB's hook still in post_publish"; return 1; }
    c test -e /etc/bigbluebutton/nginx/b3lb-load.nginx && { say "B3LB's snippet still included"; return 1; }
    figure=$(c curl -sk https://localhost/b3lb/load)
    case "$figure" in ''|4711|*[!0-9]*) say "after migrate /b3lb/load said: $figure"; return 1 ;; esac
    wait_for 60 queued_arrived || { say "the queued recording never arrived"; c cat /root/sink.log; journal_now | tail; return 1; }
    c b3lb-node migrate | grep -q 'nothing to do' || { say "a second migrate found work"; return 1; }
}

spec_pending_arrived() { [ "$(sink_count 'POST /b3lb/b/recording/upload .* SPEC-SECRET-9')" -ge 1 ]; }

# the node-scripts document's scripts in service as its Installation sections place them (its
# load server on port 8765, its uploader and cleaner with their timers, its post_archive hook, its
# nginx snippet) with one recording waiting; the package installed over them, then migrate
ck_takeover_spec() {
    local id=99998888777766665555444433332222111100ff-1700000000004 hooks=/usr/local/bigbluebutton/core/scripts
    local dir=/var/bigbluebutton/recording/status/archived before after figure
    c apt-get purge -y b3lb-node > /dev/null || return 1
    # a node runs one set or the other: what the B3LB check left (its scripts, config, emptied queue) goes
    c rm -rf /usr/local/lib/b3lb /etc/b3lb /var/bigbluebutton/b3lb /run/b3lb /var/backups/b3lb-node || return 1
    c install -d $hooks/post_archive /etc/bigbluebutton/nginx || return 1
    csh "printf '%s\n' '#!/usr/bin/env python3' 'PORT = 8765' 'import http.server' \
           'class H(http.server.BaseHTTPRequestHandler):' '    def do_GET(self):' \
           '        self.send_response(200); self.end_headers(); self.wfile.write(b\"12.34\")' \
           '    def log_message(self, *a): pass' 'http.server.HTTPServer((\"127.0.0.1\", PORT), H).serve_forever()' > /usr/local/bin/b3lb-load
         printf '%s\n' '#!/bin/bash' '# B3LB Recording Upload Script' 'B3LB_ENDPOINT=\"http://127.0.0.1:8090/b3lb/b/recording/upload\"' \
           'B3LB_NODE_SECRET=\"SPEC-SECRET-9\"' 'B3LB_RECORDING_DIR=\"/var/bigbluebutton/recording/status/archived\"' 'sleep 1000000' > /usr/local/bin/b3lb-push
         printf '%s\n' '#!/usr/bin/env python3' 'RECORDING_DIR = \"/var/bigbluebutton/recording/status/archived\"' 'RETENTION_DAYS = 14' 'DRY_RUN = False' > /usr/local/bin/b3lb-cleaner
         chmod 755 /usr/local/bin/b3lb-load /usr/local/bin/b3lb-push /usr/local/bin/b3lb-cleaner
         printf '[Unit]\nDescription=B3LB Load Endpoint\n[Service]\nType=simple\nExecStart=/usr/local/bin/b3lb-load\n[Install]\nWantedBy=multi-user.target\n' > /etc/systemd/system/b3lb-load.service
         printf '[Unit]\nDescription=B3LB Recording Upload\n[Service]\nType=simple\nExecStart=/usr/local/bin/b3lb-push\n[Install]\nWantedBy=multi-user.target\n' > /etc/systemd/system/b3lb-push.service
         printf '[Unit]\nDescription=B3LB Recording Cleaner\n[Service]\nType=oneshot\nExecStart=/usr/local/bin/b3lb-cleaner\nUser=bigbluebutton\n[Install]\nWantedBy=multi-user.target\n' > /etc/systemd/system/b3lb-cleaner.service
         printf 'location /b3lb/load {\n    proxy_pass http://127.0.0.1:8765/;\n    allow 10.0.0.0/8;\n    deny all;\n}\n' > /etc/bigbluebutton/nginx/b3lb-load.nginx
         printf '%s\n' '#!/usr/bin/ruby' '# B3LB Post-Archive Hook' \"require 'fileutils'\" 'exit 0' > $hooks/post_archive/b3lb-push-hook.rb
         head -c 300000 /dev/urandom > $dir/$id.tar && : > $dir/$id.ready && chown bigbluebutton: $dir/$id.tar $dir/$id.ready
         systemctl daemon-reload && systemctl enable --now b3lb-load.service b3lb-push.service && systemctl reload nginx" || return 1
    wait_for 20 csh "curl -sf http://127.0.0.1:8765/ >/dev/null" || { say "the spec's load server is not up"; return 1; }
    before=$(c sha256sum $hooks/post_archive/b3lb-push-hook.rb /etc/bigbluebutton/nginx/b3lb-load.nginx)

    install_beside takeover-spec "found the spec's scripts in service" "the spec's" \
        "$before" $hooks/post_archive/b3lb-push-hook.rb || return 1
    figure=$(c curl -sk https://localhost/b3lb/load)
    [ "$figure" = 12.34 ] || { say "before migrate /b3lb/load said: $figure"; return 1; }
    c test -f $dir/$id.ready || { say "the spec's waiting recording was taken before the takeover"; return 1; }

    c b3lb-node migrate || return 1
    wait_up || return 1
    for u in b3lb-load b3lb-push; do
        c systemctl is-active --quiet $u && { say "$u still runs"; return 1; }
    done
    c test -e $hooks/post_archive/b3lb-push-hook.rb && { say "the spec's hook still in post_archive"; return 1; }
    [ "$(c cat /etc/b3lb-node/secret)" = SPEC-SECRET-9 ] || { say "secret not carried"; return 1; }
    grep -q '^b3lb.cleaner.retention-days=14' "$ROOT/etc/b3lb-node/application.properties" || { say "retention not carried"; return 1; }
    figure=$(c curl -sk https://localhost/b3lb/load)
    case "$figure" in *[0-9].[0-9][0-9]) ;; *) say "after migrate /b3lb/load said: $figure"; return 1 ;; esac
    wait_for 60 spec_pending_arrived || { say "the waiting recording never arrived"; c cat /root/sink.log; journal_now | tail; return 1; }
}

say "deploy-test: $SUITE with $(basename "$DEB")"
if check "boot: systemd up in the container" ck_boot; then
    check "prepare: BBB's user, directories, nginx server, receiver" ck_prepare
    check "install: apt install (README), empty secret: exit 2, no restart, postinst says it did not start" ck_install
    check "configure: README's Configure commands, service up" ck_configure
    check "verify: README's Verify commands" ck_verify
    check "sandbox: seccomp, user, read-only / and writable recording dir" ck_sandbox
    check "routes as root: list, stop upload, status shows it stopped, start" ck_routes_root
    check "routes as bigbluebutton: list, stop, start" ck_routes_service_user
    check "routes as bigbluebutton after a restart" ck_routes_fresh_service_user
    check "hook spec (post_archive as bigbluebutton) -> upload" ck_hook_spec
    check "hook b3lb (post_publish -f presentation) -> upload with nonce" ck_hook_b3lb
    check "cleanup: dry run names it, the service's pass deletes it" ck_cleanup
    check "kill -9: restarted" ck_kill9
    check "broken YAML route file: exit 2, one line, no restart" ck_broken_yaml
    check "route file with only a comment: exit 2, one line, no restart" ck_comment_only
    check "unknown EIP in a route file: exit 2, one line, no restart" ck_unknown_eip
    check "postinst with a route file holding only a comment: both starts name it" ck_postinst_route_file
    check "route file removed: starts again" ck_fixed_route
    check "PrivateTmp=no (read-only /tmp): starts; routes refused without a thread dump" ck_readonly_tmp
    check "SystemCallFilter=~@chown drop-in: attach fails, no thread dump" ck_attach_without_chown
    check "reboot: the service is up after boot" ck_reboot
    check "reinstall over itself: config and secret kept" ck_reinstall
    check "purge: package files gone, recordings and nginx stay" ck_purge
    check "takeover: installed over B3LB's running node scripts, B3LB's figure until migrate, then ours and the queue uploaded" ck_takeover_b3lb
    check "takeover: installed over the spec's running scripts, their figure until migrate, then ours and the waiting recording uploaded" ck_takeover_spec
fi
cp "$LOG" "$CACHE/last-$SUITE-nspawn.log" 2>/dev/null
say "deploy-test: $SUITE summary ($(elapsed "$T0") s in all):"
for r in "${RESULTS[@]}"; do say "  $r"; done
for a in "${ATTACH_TIMES[@]}"; do say "  attach: $a"; done
exit $FAILED
