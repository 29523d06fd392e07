#!/usr/bin/env bash
# Builds proctord_<version>_<arch>.deb with dpkg-deb from a release build,
# offline: the installed tree of scripts/stage-install.sh for /usr (the Swift
# runtime bundled in /usr/lib/proctord, found through RUNPATH), the default
# config as the conffile /etc/proctord/plugins.json, the user units in
# /usr/lib/systemd/user, Depends: from dpkg-shlibdeps, and debian/copyright
# with every bundled model's licence.
# usage: scripts/make-deb.sh BUILD_DIR OUT_DIR     (prints the .deb's path last)
set -euo pipefail
build="$(cd "$1" && pwd)" out="$(mkdir -p "$2" && cd "$2" && pwd)"
repo="$(cd "$(dirname "$0")/.." && pwd)"
version="$("$build/proctord" --version)"
arch="$(dpkg --print-architecture)"
package=proctord
work="$out/work"
root="$work/root"
rm -rf "$work"
mkdir -p "$root/DEBIAN" "$out"
# Files owned by root, modes from the staging, dates fixed: the same build gives the same package.
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)}"

"$repo/scripts/stage-install.sh" "$build" "$root" /usr /usr/lib/systemd/user --no-config > "$work/files"
install -D -m 0644 "$repo/plugins.json" "$root/etc/proctord/plugins.json"
echo /etc/proctord/plugins.json > "$root/DEBIAN/conffiles"

doc="$root/usr/share/doc/$package"
install -d "$doc"
install -m 0644 "$repo/packaging/debian/copyright" "$doc/copyright"
{
  echo "$package ($version) unstable; urgency=medium"
  echo
  echo "  * Built from $(git -C "$repo" describe --always --dirty 2>/dev/null || echo 'a source tree')."
  echo
  echo " -- proctord maintainers <maintainers@proctord.invalid>  $(date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n > "$doc/changelog.gz"
chmod 0644 "$doc/changelog.gz"
install -m 0755 "$repo/packaging/debian/postinst" "$root/DEBIAN/postinst"
install -m 0755 "$repo/packaging/debian/postrm" "$root/DEBIAN/postrm"

# Depends: from the ELF files, the bundled runtime being this package's own.
shlibs="$work/shlibs"
mkdir -p "$shlibs/debian"
printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$package" "$package" > "$shlibs/debian/control"
root_abs="$(cd "$root" && pwd)"
elves=()
for elf in "$root_abs"/usr/bin/proctord{,-call} "$root_abs"/usr/lib/proctord/proctord-plugin-host{,-c} "$root_abs"/usr/lib/proctord/*.so; do elves+=("-e$elf"); done
(cd "$shlibs" && dpkg-shlibdeps -O --ignore-missing-info -l"$root_abs/usr/lib/proctord" "${elves[@]}" 2>"$work/shlibdeps.log") \
  | sed -n 's/^shlibs:Depends=//p' > "$work/depends" || { cat "$work/shlibdeps.log" >&2; exit 1; }
depends="$(cat "$work/depends"), libdlib-data"

installed_size="$(du -sk --apparent-size "$root" --exclude=DEBIAN | cut -f1)"
cat > "$root/DEBIAN/control" <<EOF
Package: $package
Version: $version
Architecture: $arch
Maintainer: proctord maintainers <maintainers@proctord.invalid>
Installed-Size: $installed_size
Depends: $depends
Recommends: x11-utils, opencv-data
Section: utils
Priority: optional
Homepage: https://github.com/proctord/proctord
Description: proctoring agent for remote interviews
 proctord runs on the interviewee's desktop as a systemd user service. Its
 plugins watch the camera (gaze), the screen and the desktop, and it serves
 what they see to the interview's call page over a WebSocket on localhost,
 after the person at the machine pairs the page with a code.
 .
 The Swift runtime it needs is bundled in /usr/lib/proctord. Start it per
 user with "proctord service enable"; "proctord doctor" checks the machine.
EOF
find "$root" -newermt "@$SOURCE_DATE_EPOCH" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
deb="$out/${package}_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >&2
echo "$deb"
