#!/usr/bin/env bash
# Builds the Kubernetes binaries that the real-API-server tests run (kube-apiserver, etcd,
# kubectl, kube-controller-manager) from Go modules, into the directory layout that Fabric8's
# kube-api-test reads: $KUBE_API_TEST_DIR/k8s/<version>-linux-<arch>/.
#
# Why build: kube-api-test downloads these binaries on a machine with internet; the machines
# this project is built on reach only package registries, and the Go module proxy is one.
# Idempotent and cached: with the binaries present it exits at once; Go's build cache makes a
# rebuild quick. The first build takes about 15-20 minutes on 2 cores.
#
# Usage: tools/kube-test-binaries/build.sh [--check]
#   --check   only say whether the binaries are present (exit 0) or not (exit 1)
set -euo pipefail

K8S_VERSION=1.35.4      # the API server the tests run against
K8S_MODULES=0.35.4      # the k8s.io/* staging modules of that release
ETCD_VERSION=3.6.5      # the etcd that Kubernetes 1.35 pins

case "$(uname -m)" in
  x86_64) arch=amd64 ;;
  aarch64|arm64) arch=arm64 ;;
  *) echo "kube-test-binaries: unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac
test_dir="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}"
out="$test_dir/k8s/$K8S_VERSION-linux-$arch"
binaries=(kube-apiserver etcd kubectl kube-controller-manager)

present() {
  for b in "${binaries[@]}"; do [ -x "$out/$b" ] || return 1; done
}
if present; then
  [ "${1:-}" = "--check" ] && echo "kube-test-binaries: present in $out"
  exit 0
fi
if [ "${1:-}" = "--check" ]; then
  echo "kube-test-binaries: missing in $out (run tools/kube-test-binaries/build.sh)" >&2
  exit 1
fi
if ! command -v go >/dev/null 2>&1; then
  echo "kube-test-binaries: Go is needed to build kube-apiserver and etcd v$K8S_VERSION into $out; install Go >= 1.25 and run tools/kube-test-binaries/build.sh" >&2
  exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/kube-test-binaries.XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "kube-test-binaries: building Kubernetes v$K8S_VERSION and etcd v$ETCD_VERSION into $out (first time ~15-20 min)" >&2
export GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0

# kube-apiserver, kube-controller-manager, kubectl: k8s.io/kubernetes is not meant to be
# required as a module; its go.mod replaces every k8s.io/* staging module with a local path.
# A wrapper module requires it and points those replacements at the published modules.
mkdir -p "$work/k8s"
(
  cd "$work/k8s"
  go mod init wakegate.io/kube-test-binaries >/dev/null 2>&1
  gomod="$(go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
  {
    echo "require k8s.io/kubernetes v$K8S_VERSION"
    echo "replace ("
    sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/src/k8s.io/.*#\t\1 => \1 v'"$K8S_MODULES"'#p' "$gomod"
    echo ")"
  } >>go.mod
  cat >tools.go <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
  go mod tidy -e >/dev/null 2>&1 || true
  go get "k8s.io/kubernetes@v$K8S_VERSION" >/dev/null
  # Without the version stamp /version reports v0.0.0-master, which kubectl and Fabric8 refuse.
  ldflags=""
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags="$ldflags -X $pkg.gitVersion=v$K8S_VERSION -X $pkg.gitMajor=${K8S_VERSION%%.*}"
    minor="${K8S_VERSION#*.}"; ldflags="$ldflags -X $pkg.gitMinor=${minor%%.*} -X $pkg.gitTreeState=clean"
  done
  mkdir -p bin
  for cmd in kube-apiserver kube-controller-manager kubectl; do
    go build -trimpath -ldflags "-s -w $ldflags" -o "bin/$cmd" "k8s.io/kubernetes/cmd/$cmd"
  done
)

# etcd: its server module's etcdmain is the whole program.
mkdir -p "$work/etcd"
(
  cd "$work/etcd"
  go mod init wakegate.io/etcd >/dev/null 2>&1
  cat >main.go <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
  go get "go.etcd.io/etcd/server/v3@v$ETCD_VERSION" >/dev/null
  go mod tidy >/dev/null
  go build -trimpath -ldflags "-s -w" -o bin/etcd .
)

mkdir -p "$out.partial"
cp "$work"/k8s/bin/* "$work"/etcd/bin/etcd "$out.partial/"
rm -rf "$out" && mv "$out.partial" "$out"
"$out/kube-apiserver" --version >&2
echo "kube-test-binaries: done: $out" >&2
