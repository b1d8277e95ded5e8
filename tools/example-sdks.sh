#!/usr/bin/env bash
# `make example-sdks`: what the examples need of this repository's SDKs (sdk/, `make sdks`)
# beyond the committed sources: the Node.js SDK compiled into sdk/nodejs/bin (git-ignored),
# which the TypeScript example installs as a file: dependency (docs/sdks.md). The Python SDK is
# installed into the virtualenv by `make`; the Go example reaches sdk/ through a `replace`.
# Up to date (instant) while sdk/nodejs is unchanged.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
sdk="$root/sdk/nodejs"
stamp="$sdk/bin/.stamp"
if ! command -v npm >/dev/null 2>&1; then
  echo "example SDKs: no npm, so no compiled Node.js SDK (only the TypeScript example needs it)" >&2
  exit 0
fi
want="$(find "$sdk" -path "$sdk/bin" -prune -o -path "$sdk/node_modules" -prune -o -type f -print0 \
  | sort -z | xargs -0 cat | cksum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  echo "example SDKs: sdk/nodejs/bin is up to date" >&2
  exit 0
fi
echo "example SDKs: compiling the Node.js SDK into sdk/nodejs/bin (npm install, tsc) ..." >&2
# built in a scratch copy: sdk/nodejs keeps exactly the generated sources (the staleness test)
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
tar -C "$sdk" --exclude=./bin --exclude=./node_modules -cf - . | tar -C "$build" -xf -
(
  cd "$build"
  npm install --no-package-lock --no-audit --no-fund --loglevel=error >&2
  npx --no-install tsc >&2
  cp package.json bin/
  if [ -f README.md ]; then cp README.md bin/; fi
)
rm -rf "$sdk/bin"
cp -r "$build/bin" "$sdk/bin"
echo "$want" > "$stamp"
echo "example SDKs: ready in sdk/nodejs/bin" >&2
