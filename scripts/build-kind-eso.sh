#!/usr/bin/env bash
# The External Secrets Operator's image for the vso topic on the lab's own kind cluster (issue 19), built without any
# registry: the operator binary scripts/build-k8s.sh --eso made from the Go module proxy (static), a CA bundle, and
# nothing else. An OCI archive that the kind platform loads into its nodes (`kind load
# image-archive`) for the vso topic only: in <cache>/kind/eso, not images/, whose archives go to every topic's cluster.
# Its name is fully qualified (docker.io/…), since containerd in the node looks short names up there.
# The ESO kube adapter (src/services/eso/kube.ts) names it through toolchain.ts. Seconds on 2 cores.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${LAB_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vault-lab}
kdir=$cache/kind
images=$kdir/eso
version=${LAB_ESO_VERSION:-0.16.2}
started=$(date +%s)
say() { printf '\033[1m[build-kind-eso %3ss]\033[0m %s\n' "$(( $(date +%s) - started ))" "$*" >&2; }
die() { printf '[build-kind-eso] %s\n' "$*" >&2; exit "${2:-3}"; }
command -v python3 >/dev/null || die "python3 is missing"
bin=${ESO_BIN:-$(bash "$root/scripts/build-k8s.sh" --print-dir)/external-secrets-v$version}
if [ ! -x "$bin" ] && [ -z "${ESO_BIN:-}" ]; then
  say "no External Secrets Operator binary yet: scripts/build-k8s.sh --eso (~17 min on 2 cores with an empty Go module cache)"
  bash "$root/scripts/build-k8s.sh" --eso
fi
[ -x "$bin" ] || die "no External Secrets Operator binary at $bin (bash scripts/build-k8s.sh --eso)"
mkdir -p "$images"
exec 9>"$kdir/.eso.lock"; flock 9

ref=vault-lab/external-secrets:v$version
# Rebuilt when this script or the binary changes.
stamp=$( { sha256sum "$0"; stat -c '%s %Y' "$bin"; } | sha256sum | cut -c1-16)
if [ -s "$images/external-secrets.tar" ] && [ "$(cat "$kdir/eso.stamp" 2>/dev/null)" = "$stamp" ]; then say "ready: $ref"; exit 0; fi
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
mkdir -p "$t/bin" "$t/tmp" "$t/etc/ssl/certs"; chmod 1777 "$t/tmp"
cp "$bin" "$t/bin/external-secrets"
# Vault over https (a learner's own) needs roots; the lab's in-cluster Vault is plain http.
[ -f /etc/ssl/certs/ca-certificates.crt ] && cp /etc/ssl/certs/ca-certificates.crt "$t/etc/ssl/certs/"
echo 'nobody:x:65534:65534:nobody:/:/bin/false' > "$t/etc/passwd"; echo 'nogroup:x:65534:' > "$t/etc/group"
python3 "$root/scripts/kind/mkimg.py" "$t" "docker.io/$ref" "$images/external-secrets.tar.new" --entrypoint /bin/external-secrets --user 65534
mv "$images/external-secrets.tar.new" "$images/external-secrets.tar"
echo "$ref" > "$kdir/eso-image.txt"
echo "$stamp" > "$kdir/eso.stamp"
say "$ref ($(du -h "$images/external-secrets.tar" | cut -f1)) in $images"
