#!/usr/bin/env bash
# Builds the local Kubernetes control plane (kube-apiserver, etcd, kubectl) and, with --eso, the External Secrets
# Operator, from the Go module proxy into a cache outside the repository, keyed by version. Idempotent: a binary
# already in the cache is kept. Expected time on 2 cores with an empty module cache: kube-apiserver + kubectl ~9 min,
# etcd ~1 min, ESO ~7 min more.
#
# Usage: scripts/build-k8s.sh [--eso] [--print-dir]
set -euo pipefail

K8S_VERSION=${LAB_K8S_VERSION:-1.35.4}
ETCD_VERSION=${LAB_ETCD_VERSION:-3.6.16}
ESO_VERSION=${LAB_ESO_VERSION:-0.16.2}
cache=${LAB_BIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vault-lab/bin}
want_eso=0
for a in "$@"; do
  case "$a" in
    --eso) want_eso=1 ;;
    --print-dir) echo "$cache"; exit 0 ;;
    *) echo "unknown option: $a" >&2; exit 2 ;;
  esac
done

say() { printf '[build-k8s] %s\n' "$*" >&2; }
# The lab's own discovery order (src/services/kube/bin.ts): a binary given by the environment is not built.
given() { # given ENV_VAR envtest-name
  [ -n "${!1:-}" ] && return 0
  [ -n "${KUBEBUILDER_ASSETS:-}" ] && [ -n "$2" ] && [ -x "$KUBEBUILDER_ASSETS/$2" ]
}
mkdir -p "$cache"
apiserver="$cache/kube-apiserver-v$K8S_VERSION"
kubectl="$cache/kubectl-v$K8S_VERSION"
etcd="$cache/etcd-v$ETCD_VERSION"
eso="$cache/external-secrets-v$ESO_VERSION"
need_k8s=0; need_etcd=0; need_eso=0
# A binary built without the version stamp says v0.0.0-master: kubectl version fails against it and Helm refuses
# charts with a kubeVersion. Such a cached binary is rebuilt.
stamped() { [ -x "$1" ] && "$1" --version 2>/dev/null | grep -q "v$K8S_VERSION"; }
[ -x "$apiserver" ] && ! stamped "$apiserver" && rm -f "$apiserver" "$kubectl"
{ [ -x "$apiserver" ] || given KUBE_APISERVER_BIN kube-apiserver; } || need_k8s=1
{ [ -x "$kubectl" ] || command -v kubectl >/dev/null || given KUBECTL_BIN kubectl; } || need_k8s=1
{ [ -x "$etcd" ] || given ETCD_BIN etcd; } || need_etcd=1
if [ "$want_eso" = 1 ]; then { [ -x "$eso" ] || given ESO_BIN ""; } || need_eso=1; fi
if [ $need_k8s$need_etcd$need_eso = 000 ]; then say "nothing to build: every binary is in $cache or given by the environment"; exit 0; fi
command -v go >/dev/null || { say "Go is not installed: install Go >= 1.24 (https://go.dev/dl), or set KUBE_APISERVER_BIN/ETCD_BIN, or KUBEBUILDER_ASSETS"; exit 3; }
# One build at a time per cache: a second caller waits, then finds the binaries made.
if command -v flock >/dev/null; then exec 9>"$cache/.build.lock"; flock 9; fi
work=$(mktemp -d "${TMPDIR:-/tmp}/vault-lab-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
export GOFLAGS=-buildvcs=false CGO_ENABLED=0
# What `--version`, `kubectl version` and the apiserver's /version report (k8s.io/component-base/version).
minor=${K8S_VERSION#1.}; minor=${minor%%.*}
vflags="-s -X k8s.io/component-base/version.gitVersion=v$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"

if [ ! -x "$apiserver" ] || [ ! -x "$kubectl" ] && [ $need_k8s = 1 ]; then
  say "kube-apiserver and kubectl v$K8S_VERSION from the Go module proxy (about 9 min on 2 cores the first time)"
  m="$work/k8s"; mkdir -p "$m/kube-apiserver" "$m/kubectl"
  ( cd "$m"
    go mod init vault-lab.local/k8s >/dev/null 2>&1
    gomod=$(go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
    # k8s.io/kubernetes requires its staging modules at v0.0.0 and replaces them with local folders; a dependent
    # module must replace each one with the published v0.X.Y instead.
    staging=$(sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\1#p' "$gomod")
    { echo "require k8s.io/kubernetes v$K8S_VERSION"; echo "replace ("
      for s in $staging; do echo "  $s => $s v0.${K8S_VERSION#1.}"; done; echo ")"; } >> go.mod
    cat > kube-apiserver/main.go <<'EOF'
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() { os.Exit(cli.Run(app.NewAPIServerCommand())) }
EOF
    cat > kubectl/main.go <<'EOF'
package main

import (
	"k8s.io/component-base/cli"
	"k8s.io/kubectl/pkg/cmd"
	"k8s.io/kubectl/pkg/cmd/util"
)

func main() {
	command := cmd.NewDefaultKubectlCommand()
	if err := cli.RunNoErrOutput(command); err != nil {
		util.CheckErr(err)
	}
}
EOF
    go mod tidy
    go build -trimpath -ldflags="$vflags" -o "$apiserver.tmp" ./kube-apiserver
    go build -trimpath -ldflags="$vflags" -o "$kubectl.tmp" ./kubectl
    mv "$apiserver.tmp" "$apiserver"; mv "$kubectl.tmp" "$kubectl" )
fi

if [ $need_etcd = 1 ] && [ ! -x "$etcd" ]; then
  say "etcd v$ETCD_VERSION from the Go module proxy (about 1 min)"
  m="$work/etcd"; mkdir -p "$m"
  ( cd "$m"
    go mod init vault-lab.local/etcd >/dev/null 2>&1
    cat > main.go <<'EOF'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
EOF
    go get "go.etcd.io/etcd/server/v3@v$ETCD_VERSION" >/dev/null 2>&1
    go mod tidy
    go build -trimpath -ldflags=-s -o "$etcd.tmp" .
    mv "$etcd.tmp" "$etcd" )
fi

if [ $need_eso = 1 ] && [ ! -x "$eso" ]; then
  say "External Secrets Operator v$ESO_VERSION from the Go module proxy (about 7 min, module cache grows ~3 GB)"
  m="$work/eso"; mkdir -p "$m"
  ( cd "$m"
    go mod init vault-lab.local/eso >/dev/null 2>&1
    cat > main.go <<'EOF'
package main

import "github.com/external-secrets/external-secrets/cmd/controller"

func main() { controller.Execute() }
EOF
    # The same replace external-secrets' own go.mod carries.
    { echo "require github.com/external-secrets/external-secrets v$ESO_VERSION"
      echo "replace github.com/Masterminds/sprig/v3 => github.com/external-secrets/sprig/v3 v3.3.0"; } >> go.mod
    go mod tidy
    go build -trimpath -ldflags=-s -o "$eso.tmp" .
    mv "$eso.tmp" "$eso"
    crds=$(go list -m -f '{{.Dir}}' github.com/external-secrets/external-secrets)/config/crds/bases
    rm -rf "$cache/external-secrets-crds-v$ESO_VERSION"; cp -r "$crds" "$cache/external-secrets-crds-v$ESO_VERSION"
    chmod -R u+w "$cache/external-secrets-crds-v$ESO_VERSION" )
fi
say "ready in $cache"
ls -1 "$cache" >&2
