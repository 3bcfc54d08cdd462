#!/usr/bin/env bash
# scripts/release.sh [--dry-run] VERSION
#
# Builds a release of polarlicense-go: the CLI (cmd/polarlicense) and the
# emulator (cmd/polarlicense-emulator) for linux, darwin and windows on amd64
# and arm64, with -trimpath and VERSION stamped in, into dist/VERSION/ with a
# SHA256SUMS file. Before building it checks what a release needs:
#   - VERSION is vMAJOR.MINOR.PATCH (optionally -prerelease) and matches the
#     SDK's Version constant (const Version in the root package);
#   - no go.mod that the release publishes keeps a replace directive or
#     requires a sibling module at the placeholder v0.0.0 (`go install
#     …@VERSION` refuses the first, and cannot resolve the second);
#   - the work tree is clean.
# It creates no tag and pushes nothing: RELEASING.md gives the steps.
#
# --dry-run (what CI runs) reports every check that would fail instead of
# stopping, builds into a temporary directory against the work tree (go.work),
# verifies the host's binaries report VERSION, and removes the directory.
set -euo pipefail
cd "$(dirname "$0")/.."

dry_run=false
version=
for arg in "$@"; do
  case "$arg" in
    --dry-run) dry_run=true ;;
    -h | --help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "release: unknown flag $arg" >&2; exit 2 ;;
    *) [ -z "$version" ] || { echo "release: one VERSION only" >&2; exit 2; }; version=$arg ;;
  esac
done
[ -n "$version" ] || { echo "usage: scripts/release.sh [--dry-run] VERSION (such as v0.1.0)" >&2; exit 2; }
if ! [[ "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
  echo "release: VERSION $version is not vMAJOR.MINOR.PATCH[-prerelease]" >&2
  exit 2
fi

# Modules kept out of releases: they exist for the repository's own checks.
unpublished='^(bench|compat|examples/.*)$'
sdk_module=github.com/polarlicense/polarlicense-go

problems=0
problem() {
  problems=$((problems + 1))
  if $dry_run; then echo "release would fail: $*"; else echo "release: $*" >&2; fi
}

echo "== checks for $version"
sdk_version=$(sed -n 's/^const Version = "\(.*\)"$/\1/p' ./*.go)
[ "v$sdk_version" = "$version" ] || problem "the SDK's Version is \"$sdk_version\", not \"${version#v}\""

for mod in $(git ls-files '*go.mod'); do
  dir=$(dirname "$mod")
  [[ "$dir" =~ $unpublished ]] && continue
  while IFS= read -r line; do
    problem "$mod keeps a replace directive ($line): drop it before tagging"
  done < <(grep -nE '^[[:space:]]*replace([[:space:]]|\()' "$mod" || true)
  while IFS= read -r line; do
    problem "$mod requires a sibling module at the placeholder v0.0.0 ($line): require $version"
  done < <(grep -nE "^[[:space:]]*(require[[:space:]]+)?$sdk_module(/[^[:space:]]+)?[[:space:]]+v0\.0\.0([[:space:]]|$)" "$mod" || true)
done

if [ -n "$(git status --porcelain)" ]; then
  problem "the work tree has uncommitted changes"
fi

if [ "$problems" -gt 0 ] && ! $dry_run; then
  echo "release: $problems problem(s); nothing built (see RELEASING.md)" >&2
  exit 1
fi

revision=$(git rev-parse HEAD)
if $dry_run; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
  trap 'exit 130' INT TERM HUP PIPE # so that the EXIT trap runs
else
  out=dist/$version
  rm -rf "$out"
  mkdir -p "$out"
  export GOWORK=off # a release builds each module as its users' go.mod resolves it
fi
out=$(cd "$out" && pwd) # absolute: the CLI is built from its own directory

echo "== build $version ($revision) into $out"
ldflags="-s -w -X main.stampedVersion=$version -X main.stampedRevision=$revision"
for goos in linux darwin windows; do
  for goarch in amd64 arm64; do
    ext=
    [ "$goos" = windows ] && ext=.exe
    for prog in polarlicense polarlicense-emulator; do
      bin="$out/${prog}_${version}_${goos}_${goarch}${ext}"
      if [ "$prog" = polarlicense ]; then
        # The CLI is a module of its own: build it from its directory.
        (cd cmd/polarlicense && CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch go build -trimpath -ldflags "$ldflags" -o "$bin" .)
      else
        CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch go build -trimpath -ldflags "$ldflags" -o "$bin" ./cmd/polarlicense-emulator
      fi
      echo "built $(basename "$bin")"
    done
  done
done

echo "== checksums"
(
  cd "$out"
  if command -v sha256sum >/dev/null; then
    sha256sum polarlicense* >SHA256SUMS
    sha256sum --check --quiet SHA256SUMS
  else
    shasum -a 256 polarlicense* >SHA256SUMS
    shasum -a 256 --check --quiet SHA256SUMS
  fi
)
echo "wrote $out/SHA256SUMS ($(wc -l <"$out/SHA256SUMS" | tr -d ' ') files)"

echo "== the host's binaries report $version"
host_os=$(go env GOOS) host_arch=$(go env GOARCH)
host_ext=
[ "$host_os" = windows ] && host_ext=.exe
cli="$out/polarlicense_${version}_${host_os}_${host_arch}${host_ext}"
emu="$out/polarlicense-emulator_${version}_${host_os}_${host_arch}${host_ext}"
# Their output is captured first: under pipefail, grep -q leaving early could
# fail a pipe into it with SIGPIPE and report a good binary as a bad one.
cli_version=$("$cli" version -o json)
emu_version=$("$emu" --version)
grep -q "\"module\": \"$version\"" <<<"$cli_version" || { echo "release: $cli does not report $version" >&2; exit 1; }
grep -q "\"revision\": \"$revision\"" <<<"$cli_version" || { echo "release: $cli does not report $revision" >&2; exit 1; }
grep -q "^polarlicense-emulator $version " <<<"$emu_version" || { echo "release: $emu does not report $version" >&2; exit 1; }
echo "ok: $("$cli" version -o table | head -1)"

if $dry_run; then
  echo "release dry run: $problems check(s) a real release of $version would have to fix first (see RELEASING.md)"
else
  echo "release $version built in $out; tag and publish as RELEASING.md says"
fi
