#!/usr/bin/env bash
# Removes what `make install` put under ROOT (DESTDIR) + PREFIX: the files
# listed in PREFIX/lib/proctord/installed-files, then every directory that
# this left empty, up to PREFIX itself (kept). The user's config and state
# stay unless PURGE=1.
# usage: scripts/uninstall.sh ROOT PREFIX
set -euo pipefail
root="$1" prefix="$2"
manifest="$root$prefix/lib/proctord/installed-files"
if [[ ! -f "$manifest" ]]; then
  echo "uninstall: $manifest not found: nothing was installed with PREFIX=$prefix${root:+ DESTDIR=$root}" >&2
  exit 1
fi
# A real install (no DESTDIR) may be running as the user's service: stop it first.
if [[ -z "$root" ]] && command -v systemctl >/dev/null; then
  systemctl --user disable --now proctord.service proctord.socket >/dev/null 2>&1 || true
fi
mapfile -t files < "$manifest"
files+=("${manifest#"$root"}")
for file in "${files[@]}"; do rm -f "$root$file"; done
for file in "${files[@]}"; do
  dir="$(dirname "$root$file")"
  while [[ "$dir" == "$root$prefix"/* ]] && rmdir "$dir" 2>/dev/null; do dir="$(dirname "$dir")"; done
done
if [[ -z "$root" ]] && command -v systemctl >/dev/null; then systemctl --user daemon-reload >/dev/null 2>&1 || true; fi
echo "uninstall: removed ${#files[@]} files from $root$prefix"
if [[ "${PURGE:-0}" == 1 ]]; then
  config="${XDG_CONFIG_HOME:-$HOME/.config}/proctord" state="${XDG_STATE_HOME:-$HOME/.local/state}/proctord"
  rm -rf "$config" "$state"
  echo "uninstall: removed $config and $state (PURGE=1)"
fi
