#!/usr/bin/env bash
# `make pulumi`: the pinned Pulumi CLI and the YAML language host in .tools/pulumi/bin/, built
# from the Go module proxy through this wrapper module (docs/reference/pulumi-cli-build.md).
# Prints the path of the `pulumi` to use on its last line.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/.tools/pulumi/bin"
version="$(awk '$1 == "github.com/pulumi/pulumi/pkg/v3" {print $2}' "$here/go.mod")"
major="${version%%.*}"   # v3
stamp="$out/.stamp"
want="$version $(cat "$here/go.mod" "$here/go.sum" "$0" | cksum | cut -d' ' -f1)"

if [ -x "$out/pulumi" ] && [ -x "$out/pulumi-language-yaml" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  echo "pulumi $version: up to date in .tools/pulumi/bin" >&2
  echo "$out/pulumi"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  # No Go: a pulumi on PATH of the pinned major version or newer will do.
  if command -v pulumi >/dev/null 2>&1; then
    have="$(pulumi version 2>/dev/null || true)"
    have_major="${have%%.*}"
    if [ "${have_major#v}" -ge "${major#v}" ] 2>/dev/null; then
      echo "Go is not installed: using $(command -v pulumi) ($have) instead of building pulumi $version" >&2
      command -v pulumi
      exit 0
    fi
  fi
  echo "Cannot get the Pulumi CLI: install Go 1.26 or newer (then run 'make pulumi' again), or put a pulumi ${major}.x on PATH." >&2
  exit 1
fi

mkdir -p "$out"
cd "$here"
export GOFLAGS="-mod=readonly"
echo "pulumi $version: downloading modules (cold: a few hundred MB, about a minute) ..." >&2
go mod download
echo "pulumi $version: compiling the CLI and pulumi-language-yaml (cold: 10-20 minutes on 2 cores; Go's build cache makes later builds fast) ..." >&2
start=$(date +%s)
# -v names each package as it is compiled: print a running count instead of ~2,000 lines.
go build -v -o "$out/" \
  -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" \
  github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
  github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml 2>&1 |
  awk '/^#|error|cannot|undefined/ {print; fflush(); next} {n++; if (n % 100 == 0) {printf "  %d packages compiled\n", n; fflush()}}' >&2 ||
  { echo "pulumi $version: the build failed (see above)" >&2; exit 1; }
echo "$want" > "$stamp"
echo "pulumi $version: built in $(( $(date +%s) - start )) s into .tools/pulumi/bin" >&2
echo "$out/pulumi"
