#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# mosd and `mos status` with REAL crun: services in containers built from Debian's busybox, their
# logs, restarts with backoff, a service given up, persistent volumes, user namespaces, network
# none/host, read-only root, capabilities, no_new_privs, seccomp; mosd as PID 1 of a PID
# namespace powering off and rebooting via reboot(2).
#
# crun needs a pure cgroup2 /sys/fs/cgroup (this host is hybrid, FIELD-NOTES.md): the script
# re-runs itself in a private mount namespace with a fresh cgroup2 mount there, and runs crun
# with --cgroup-manager=disabled. The host's cgroup v1 mounts are never touched.
. "$(dirname "$0")/../lib.sh"
MOS=$1
MOSD=$2

if [ -z "${MOS_TEST_PRIVATE_MOUNTS:-}" ]; then
        [ "$(id -u)" = 0 ] || skip_all "needs root (user and mount namespaces for crun)"
        command -v crun >/dev/null || skip_all "crun is not installed"
        command -v python3 >/dev/null || skip_all "python3 is not installed"
        [ -x /bin/busybox ] || skip_all "busybox is not installed"
        unshare -m --propagation private true 2>/dev/null || skip_all "unshare -m not permitted"
        exec env MOS_TEST_PRIVATE_MOUNTS=1 unshare -m --propagation private -- "$0" "$@"
fi
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null || skip_all "cannot mount cgroup2 in a private mount namespace"

mktemp_dir T
# The containers' mapped root must be able to reach the rootfs and the volumes.
chmod 755 "$T"
RUN=$T/run
# Should mosd die abnormally, its containers would outlive it: remove those of this test's own
# crun state directory (by container id, never by process name) before lib.sh's cleanup.
leftovers() {
        local c
        for c in $(crun --root "$RUN/crun" list -q 2>/dev/null); do
                crun --root "$RUN/crun" delete --force "$c" >/dev/null 2>&1
        done
        cleanup_all
}
trap leftovers EXIT
LOGS=$T/logs
mkdir -p "$LOGS" "$T/volumes"
SOCK=$RUN/status.sock

# A root file system from Debian's busybox: the binary, its libraries, one symlink per applet.
ROOTFS=$T/rootfs
mkdir -p "$ROOTFS/bin"
cp /bin/busybox "$ROOTFS/bin/"
for lib in $(ldd /bin/busybox | grep -o '/[^ ]*\.so[^ ]*'); do
        mkdir -p "$ROOTFS$(dirname "$lib")"
        cp "$lib" "$ROOTFS$lib"
done
for applet in $(/bin/busybox --list); do
        [ -e "$ROOTFS/bin/$applet" ] || ln -s busybox "$ROOTFS/bin/$applet"
done

# Services. Every long-running one exits on SIGTERM (a shell as PID 1 of its PID namespace has
# no default action for it).
STAY="trap 'exit 0' TERM; while :; do sleep 0.05; done"
PROBE='grep -E "^(CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):" /proc/self/status
echo "uid_map: $(cat /proc/self/uid_map | tr -s " " | sed "s/^ //")"
echo "id: $(id -u):$(id -g)"
echo "links: $(ip -o link | wc -l) $(ip -o link | grep -c "lo:.*UP")"
touch /probe-root 2>&1; echo "rootwrite: $?"
echo x > /tmp/t && echo "tmpwrite: ok"
[ -d /scratch ] && echo x > /scratch/t && echo "scratch: $(stat -c %u /scratch/t)"
echo "sysfs: $(grep -E "^sysfs /sys " /proc/mounts | cut -d" " -f4 | cut -d, -f1)"
unshare -U true 2>/dev/null; echo "newuserns: $?"
echo probe-done'
cat > "$T/services.json" <<EOF
{"services":[
 {"name":"hello","rootfs":"$ROOTFS","command":["/bin/sh","-c","echo hello from \$WHO; $STAY"],
  "environment":["WHO=the web service"],"restart":"always"},
 {"name":"probe","rootfs":"$ROOTFS","command":["/bin/sh","-c",$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$PROBE; $STAY")],
  "userns_group":"shared"},
 {"name":"nonroot","rootfs":"$ROOTFS","command":["/bin/sh","-c",$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$PROBE; $STAY")],
  "user":1000,"group":1000,"userns_group":"shared","network":"host",
  "volumes":[{"destination":"/scratch","size":1048576}]},
 {"name":"crash","rootfs":"$ROOTFS",
  "command":["/bin/sh","-c","cut -d' ' -f1 /proc/uptime >> /starts/times; echo crashing; exit 3"],
  "volumes":[{"source":"$T/volumes/crash","destination":"/starts"}]},
 {"name":"counter","rootfs":"$ROOTFS","restart":"on-failure",
  "command":["/bin/sh","-c","n=\$((\$(cat /data/count 2>/dev/null || echo 0) + 1)); echo \$n > /data/count; echo count=\$n; [ \$n -ge 3 ] || exit 1; $STAY"],
  "volumes":[{"source":"$T/volumes/counter","destination":"/data"}]}
]}
EOF
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/services.json" || { not_ok "services file is valid JSON"; done_testing; exit 1; }

start_mosd() { # extra options...
        "$MOSD" --services "$T/services.json" --runtime-dir "$RUN" --log-dir "$LOGS" \
                --status-socket "$SOCK" --userns-db "$T/userns.json" --start-ms 300 \
                --settle-ms 1000 --backoff-initial-ms 100 --backoff-max-ms 400 \
                --max-failures 3 --stop-timeout-ms 3000 "$@" 2>>"$T/mosd.console" &
        MOSD_PID=$!
        track_pid "$MOSD_PID"
}

# wait_for SECONDS CMD...: polls CMD every 0.1 s.
wait_for() {
        local n=$(($1 * 10))
        shift
        while [ "$n" -gt 0 ]; do
                "$@" >/dev/null 2>&1 && return 0
                sleep 0.1
                n=$((n - 1))
        done
        return 1
}

# field SERVICE KEY: a member of the service's object in `mos status --json`.
field() {
        "$MOS" status --json --socket "$SOCK" | python3 -c '
import json, sys
d = json.load(sys.stdin)
s = [x for x in d["services"] if x["name"] == sys.argv[1]][0]
print(s.get(sys.argv[2], ""))' "$1" "$2"
}
state_is() { [ "$(field "$1" state)" = "$2" ]; }
log_has() { grep -qF -- "$2" "$LOGS/$1.log"; }
check() { # DESCRIPTION CMD...
        local what=$1
        shift
        if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# ---- a first boot ----
start_mosd
check "mosd answers on its status socket" wait_for 10 "$MOS" status --socket "$SOCK"
check "the socket is 0600" [ "$(stat -c %a "$SOCK")" = 600 ]

check "hello is running" wait_for 10 state_is hello running
check "hello's output lands in its log, with its environment" wait_for 5 log_has hello "hello from the web service"

check "crash is given up" wait_for 15 state_is crash failed
expect 0 '"name":"crash"' -- "$MOS" status --json --socket "$SOCK"
check "crash: the reason names the restarts and the exit status" \
        [ "$(field crash reason)" = "gave up after 3 restarts in a row, last run exited with status 3" ]
check "crash: exit_status 3, 3 restarts" [ "$(field crash exit_status)/$(field crash restarts)" = 3/3 ]
check "crash: its log shows each of the 4 runs" [ "$(grep -c '^crashing$' "$LOGS/crash.log")" = 4 ]
# The n-th restart waits min(100 ms * 2^(n-1), 400 ms) after the run before it ended: the start
# times (/proc/uptime, 10 ms resolution) are at least that far apart.
gaps=$(awk 'NR > 1 { printf "%d ", ($1 - prev) * 1000 + 0.5 } { prev = $1 }' "$T/volumes/crash/times")
check "crash: restarts back off 100, 200, 400 ms (gaps: $gaps)" \
        awk -v g="$gaps" 'BEGIN { split(g, a, " "); exit !(a[1] >= 90 && a[2] >= 190 && a[3] >= 390) }'

check "counter restarts on failure until it stays up" wait_for 10 state_is counter running
check "counter: the volume kept its data across container restarts" [ "$(cat "$T/volumes/counter/count")" = 3 ]
check "counter: each run saw the previous count" \
        [ "$(grep '^count=' "$LOGS/counter.log" | tr '\n' ' ')" = "count=1 count=2 count=3 " ]

# User namespaces: one 65536-id range per group, recorded; the volume belongs to the range.
base() { python3 -c 'import json,sys; print(0x80000 + 65536 * json.load(open(sys.argv[1]))["groups"][sys.argv[2]])' "$T/userns.json" "$1"; }
COUNTER_BASE=$(base counter)
SHARED_BASE=$(base shared)
check "counter's volume is owned by its range ($COUNTER_BASE), mode 0700" \
        [ "$(stat -c '%u:%g %a' "$T/volumes/counter")" = "$COUNTER_BASE:$COUNTER_BASE 700" ]
check "files the container wrote are owned by uid 0 of its range" \
        [ "$(stat -c %u "$T/volumes/counter/count")" = "$COUNTER_BASE" ]
check "ranges differ between groups" [ "$COUNTER_BASE" != "$SHARED_BASE" ]

# Isolation, as the service sees it.
check "probe ran" wait_for 10 log_has probe probe-done
probe() { grep -E "^$1" "$LOGS/probe.log" | head -1 | tr -s '\t ' ' '; }
check "probe: uid 0 inside maps to the group's range: $(probe uid_map)" \
        [ "$(probe uid_map)" = "uid_map: 0 $SHARED_BASE 65536" ]
check "probe: runs as 0:0 inside" [ "$(probe id)" = "id: 0:0" ]
check "probe: effective capabilities are CAP_NET_BIND_SERVICE only" [ "$(probe CapEff)" = "CapEff: 0000000000000400" ]
check "probe: bounding set too" [ "$(probe CapBnd)" = "CapBnd: 0000000000000400" ]
check "probe: no_new_privs is set" [ "$(probe NoNewPrivs)" = "NoNewPrivs: 1" ]
check "probe: seccomp filter active" [ "$(probe Seccomp)" = "Seccomp: 2" ]
check "probe: network none has only lo, and lo is up" [ "$(probe links)" = "links: 1 1" ]
check "probe: the root file system is read-only" grep -q "Read-only file system" "$LOGS/probe.log"
check "probe: writing / failed" [ "$(probe rootwrite)" != "rootwrite: 0" ]
check "probe: /tmp is writable" [ "$(probe tmpwrite)" = "tmpwrite: ok" ]
check "probe: /sys is read-only" [ "$(probe sysfs)" = "sysfs: ro" ]
check "probe: new user namespaces are refused" [ "$(probe newuserns)" = "newuserns: 1" ]

check "nonroot ran" wait_for 10 log_has nonroot probe-done
nonroot() { grep -E "^$1" "$LOGS/nonroot.log" | head -1 | tr -s '\t ' ' '; }
check "nonroot: runs as 1000:1000" [ "$(nonroot id)" = "id: 1000:1000" ]
check "nonroot: a tmpfs volume it owns and can write" [ "$(nonroot scratch)" = "scratch: 1000" ]
check "nonroot: same group, same range" [ "$(nonroot uid_map)" = "uid_map: 0 $SHARED_BASE 65536" ]
check "nonroot: keeps CAP_NET_BIND_SERVICE as an ambient capability" \
        [ "$(nonroot CapEff)/$(nonroot CapAmb)" = "CapEff: 0000000000000400/CapAmb: 0000000000000400" ]
HOST_LINKS=$(ip -o link | wc -l)
check "nonroot: network host sees the host's $HOST_LINKS links" [ "$(nonroot links | cut -d' ' -f2)" = "$HOST_LINKS" ]

# Every service in the status, and the human table.
names=$("$MOS" status --json --socket "$SOCK" | python3 -c 'import json,sys; print(" ".join(s["name"] for s in json.load(sys.stdin)["services"]))')
check "mos status --json lists every service ($names)" [ "$names" = "hello probe nonroot crash counter" ]
expect 0 '^SERVICE +STATE +PID +RESTARTS +FOR +REASON' -- "$MOS" status --socket "$SOCK"
expect 0 'crash +failed +- +3 .*gave up after 3 restarts' -- "$MOS" status --socket "$SOCK"
# crash failed, so the boot is not good.
expect 0 'boot: not yet good' -- "$MOS" status --socket "$SOCK"
check "the console shows state changes" grep -q "Service 'crash': failed (gave up after 3 restarts" "$T/mosd.console"

# Shutdown: SIGTERM stops every container, mosd (not PID 1) exits 0.
kill -TERM "$MOSD_PID"
wait "$MOSD_PID"
check "mosd exits 0 after SIGTERM" [ $? = 0 ]
check "the status socket is gone" [ ! -e "$SOCK" ]
check "no container is left in crun's state" [ -z "$(crun --root "$RUN/crun" list -q)" ]
check "hello was stopped by SIGTERM" grep -q "Service 'hello': exited (stopped, exited with status 0)" "$T/mosd.console"
expect 1 "Failed to get the status from mosd at '$SOCK': No such file or directory" -- "$MOS" status --socket "$SOCK"

# ---- a second boot on the same data: ranges and volumes are kept ----
cp "$T/userns.json" "$T/userns.json.before"
rm -f "$RUN/boot-good"
start_mosd
check "after a restart of mosd, counter continues from its volume" wait_for 10 log_has counter "count=4"
check "the user-namespace record is unchanged" cmp -s "$T/userns.json" "$T/userns.json.before"
kill -TERM "$MOSD_PID"
wait "$MOSD_PID"

# ---- boot good: only services that stay up ----
cat > "$T/good.json" <<EOF
{"services":[{"name":"hello","rootfs":"$ROOTFS","command":["/bin/sh","-c","echo up; $STAY"]}]}
EOF
"$MOSD" --services "$T/good.json" --runtime-dir "$RUN" --log-dir "$LOGS" --status-socket "$SOCK" \
        --userns-db "$T/userns.json" --start-ms 200 --settle-ms 500 2>"$T/good.console" &
MOSD_PID=$!
track_pid "$MOSD_PID"
check "boot good once every service has been up for the settle time" wait_for 10 [ -e "$RUN/boot-good" ]
expect 0 'boot: good' -- "$MOS" status --socket "$SOCK"
kill -TERM "$MOSD_PID"
wait "$MOSD_PID"

# ---- mosd as PID 1 (of a PID namespace): reboot(2) on SIGTERM / SIGINT ----
# In a PID namespace, reboot(2) kills its init with SIGINT for power-off and SIGHUP for a
# restart (reboot(2), "Behavior inside PID namespaces"); unshare(1) then exits 128 + signal.
pid1() { # SIGNAL
        unshare -p -f --mount-proc "$MOSD" --services "$T/good.json" --runtime-dir "$RUN" \
                --log-dir "$LOGS" --status-socket "$SOCK" --userns-db "$T/userns.json" \
                --start-ms 200 --settle-ms 500 2>"$T/pid1.console" &
        local u=$! m
        track_pid "$u"
        wait_for 10 "$MOS" status --socket "$SOCK" || return 1
        m=$(pgrep -P "$u")
        # mosd is PID 1 in its namespace.
        [ -n "$m" ] && grep -q "^NSpid:.*[[:space:]]1$" "/proc/$m/status" || return 1
        kill "-$1" "$m"
        { wait "$u"; } 2>/dev/null
        PID1_RC=$?
}
pid1 TERM
check "PID 1: SIGTERM stops the services and powers off (exit $PID1_RC = 128 + SIGINT)" [ "$PID1_RC" = 130 ]
check "PID 1: the console says so" grep -q "Powering off." "$T/pid1.console"
check "PID 1: the service was stopped first" grep -q "Service 'hello': exited (stopped" "$T/pid1.console"
pid1 INT
check "PID 1: SIGINT reboots (exit $PID1_RC = 128 + SIGHUP)" [ "$PID1_RC" = 129 ]
check "PID 1: the console says so" grep -q "Rebooting." "$T/pid1.console"

done_testing
