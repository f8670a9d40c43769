#!/usr/bin/env bash
# Builds kind's own config loader and validator (v0.31.0) as a small binary for test/integration/kind-config-validate.test.ts.
# kind keeps them in pkg/internal, so the program is compiled inside a copy of kind's module, under pkg/.
set -euo pipefail
VERSION=v0.31.0
OUT="${1:-$HOME/.cache/vault-lab/bin/kind-validate-$VERSION}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
(cd "$WORK" && printf 'module tmp\n\ngo 1.24\n' > go.mod && GOFLAGS=-mod=mod go mod download "sigs.k8s.io/kind@$VERSION")
cp -r "$(go env GOMODCACHE)/sigs.k8s.io/kind@$VERSION" "$WORK/kind"
chmod -R u+w "$WORK/kind"
mkdir -p "$WORK/kind/pkg/labcheck"
cp "$(dirname "$0")/main.go" "$WORK/kind/pkg/labcheck/main.go"
mkdir -p "$(dirname "$OUT")"
(cd "$WORK/kind" && GOFLAGS=-mod=mod go build -o "$OUT" ./pkg/labcheck)
echo "$OUT"
