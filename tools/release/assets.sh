#!/bin/sh
# tools/release/assets.sh VERSION EPOCH: writes what the release's archives
# and packages carry besides the binaries, generated from the CLI's own
# command tree, into release-assets/ (git-ignored): shell completions
# (completions/polarlicense.bash, _polarlicense, polarlicense.fish) and a
# gzipped man page per command (man/polarlicense*.1.gz, dated EPOCH, the
# commit's time, so that the pages are reproducible). .goreleaser.yaml runs it
# as a before-hook from the repository's root.
set -eu
[ $# -eq 2 ] || { echo "usage: tools/release/assets.sh VERSION EPOCH" >&2; exit 2; }
version=$1 epoch=$2
out=release-assets
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Built for this host, from the CLI's module as its go.mod resolves it.
(cd cmd/polarlicense && GOWORK=off CGO_ENABLED=0 go build -trimpath -o "$tmp/polarlicense" .)
rm -rf "$out"
mkdir -p "$out/completions" "$out/man"
"$tmp/polarlicense" completion bash >"$out/completions/polarlicense.bash"
"$tmp/polarlicense" completion zsh >"$out/completions/_polarlicense"
"$tmp/polarlicense" completion fish >"$out/completions/polarlicense.fish"
SOURCE_DATE_EPOCH=$epoch "$tmp/polarlicense" man --dir "$out/man" --source "polarlicense $version"
gzip -9n "$out"/man/*.1
echo "release assets: 3 completions, $(ls "$out/man" | wc -l | tr -d ' ') man pages in $out/"
