#!/usr/bin/env bash
# `make pulumi`: the pinned Pulumi CLI and the YAML language host in .tools/pulumi/bin/, built
# from the Go module proxy through two wrapper modules, tools/pulumi-cli and tools/pulumi-yaml
# (docs/reference/pulumi-cli-build.md). Prints the path of the `pulumi` to use on its last line.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tools="$(cd "$here/.." && pwd)"
root="$(cd "$tools/.." && pwd)"
out="$root/.tools/pulumi/bin"
# required_version <go.mod> <module>: the version a go.mod requires (one-line or block form)
required_version() {
  awk -v mod="$2" '{for (i = 1; i < NF; i++) if ($i == mod) {print $(i + 1); exit}}' "$1"
}
version="$(required_version "$here/go.mod" github.com/pulumi/pulumi/pkg/v3)"
yaml_version="$(required_version "$tools/pulumi-yaml/go.mod" github.com/pulumi/pulumi-yaml)"
major="${version%%.*}"   # v3
stamp="$out/.stamp"
want="$version $yaml_version $(cat "$here/go.mod" "$here/go.sum" \
  "$tools/pulumi-yaml/go.mod" "$tools/pulumi-yaml/go.sum" "$0" | cksum | cut -d' ' -f1)"

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
rm -f "$stamp"
export GOFLAGS="-mod=readonly"
start=$(date +%s)

# build <module folder> <label> <main package> [-X flag]: go build -v names each package as
# it is compiled; print a running count instead of ~2,000 lines, and every error line.
build() {
  local module="$1" label="$2" main="$3" ldflags="-s -w${4:+ $4}"
  echo "$label: downloading modules (cold: a few hundred MB) ..." >&2
  (cd "$module" && go mod download)
  echo "$label: compiling (cold: several minutes on 2 cores; Go's build cache makes later builds fast) ..." >&2
  # pipefail makes a compile error fail the pipeline even though awk succeeds.
  (cd "$module" && go build -v -o "$out/" -ldflags "$ldflags" "$main" 2>&1) |
    awk -v label="$label" '
      /^#|error|cannot|undefined|\.go:[0-9]+/ {print; fflush(); next}
      {n++; if (n % 100 == 0) {printf "  %s: %d packages compiled\n", label, n; fflush()}}' >&2 ||
    { echo "$label: the build failed (see above)" >&2; exit 1; }
}

build "$here" "pulumi $version" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
  "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version"
build "$tools/pulumi-yaml" "pulumi-language-yaml $yaml_version" \
  github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml \
  "-X github.com/pulumi/pulumi-yaml/pkg/version.Version=$yaml_version"
echo "$want" > "$stamp"
echo "pulumi $version and pulumi-language-yaml $yaml_version: built in $(( $(date +%s) - start )) s into .tools/pulumi/bin ($("$out/pulumi" version))" >&2
echo "$out/pulumi"
