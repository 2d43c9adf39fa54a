#!/usr/bin/env bash
# Builds Wakegate's container images on this machine, with no image registry:
#
#   wakegate/jre:local        base: Debian bookworm (minbase) + openjdk-17-jre-headless, made with
#                             debootstrap and `docker import`; user nonroot (uid/gid 65532)
#   wakegate/interceptor:TAG  interceptor/target/wakegate.jar      (also runs `wakegate demo-model`)
#   wakegate/scaler:TAG       scaler-grpc/target/wakegate-scaler.jar
#   wakegate/controller:TAG   controller/target/wakegate-controller.jar (skipped, with a note, while
#                             the controller module does not build that jar)
#
# TAG is the Helm chart's appVersion, the image tag the chart installs by default: build, then
# `helm install` with no image values. `build.sh --list` prints the images it builds and exits.
#
# Idempotent: the base is reused when it exists (WAKEGATE_REBUILD_BASE=1 makes it again, ~1 min);
# application images are rebuilt from Docker's layer cache, so an unchanged jar costs ~1 s.
# Needs: root (debootstrap), a running Docker engine, the jars (./mvnw -B package -DskipTests).
# Env: WAKEGATE_DEBIAN_MIRROR   Debian mirror for debootstrap (default: the one apt is configured with)
#      WAKEGATE_IMAGE_TAG       tag of the application images (default: the chart's appVersion)
set -euo pipefail
cd "$(dirname "$0")/../.."
images=deploy/images
app_version=$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' deploy/helm/wakegate/Chart.yaml)
tag=${WAKEGATE_IMAGE_TAG:-$app_version}
base=wakegate/jre:local
if [ "${1:-}" = --list ]; then
  for name in interceptor scaler controller; do echo "wakegate/$name:$tag"; done
  exit 0
fi
export DOCKER_BUILDKIT=0   # the classic builder resolves FROM against local images only: no registry needed

log() { echo "images: $*" >&2; }

docker info >/dev/null 2>&1 || { log "no Docker engine answers (docker info failed); start dockerd first (.ci/docker-setup does)"; exit 1; }

debian_mirror() {
  if [ -n "${WAKEGATE_DEBIAN_MIRROR:-}" ]; then echo "$WAKEGATE_DEBIAN_MIRROR"; return; fi
  local m
  m=$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v -- '-security' | head -1 || true)
  [ -n "$m" ] || m=$(grep -hsE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}' | grep -v -- '-security' | head -1 || true)
  [ -n "$m" ] || { log "no Debian mirror found in apt's sources; set WAKEGATE_DEBIAN_MIRROR"; exit 1; }
  echo "$m"
}

build_base() {
  command -v debootstrap >/dev/null || { log "debootstrap is missing (apt-get install -y debootstrap)"; exit 1; }
  local rootfs mirror started=$SECONDS
  mirror=$(debian_mirror)
  rootfs=$(mktemp -d "${TMPDIR:-/tmp}/wakegate-rootfs.XXXXXX")
  trap 'rm -rf "$rootfs"' EXIT
  log "making $base with debootstrap (bookworm, minbase, openjdk-17-jre-headless)..."
  debootstrap --variant=minbase --include=openjdk-17-jre-headless bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1 \
    || { tail -20 "$rootfs.log" >&2; log "debootstrap failed (log: $rootfs.log)"; exit 1; }
  rm -f "$rootfs.log"
  # What a JVM service never needs at run time: package caches, docs, manuals, translations.
  rm -rf "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* \
         "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/* "$rootfs"/var/log/*
  echo 'nonroot:x:65532:65532:nonroot:/home/nonroot:/usr/sbin/nologin' >>"$rootfs/etc/passwd"
  echo 'nonroot:x:65532:' >>"$rootfs/etc/group"
  mkdir -p "$rootfs/home/nonroot" && chown 65532:65532 "$rootfs/home/nonroot"
  tar -C "$rootfs" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'USER 65532:65532' \
    --change 'WORKDIR /home/nonroot' \
    --message 'Debian bookworm minbase + openjdk-17-jre-headless (deploy/images/build.sh)' \
    - "$base" >/dev/null
  rm -rf "$rootfs"
  trap - EXIT
  log "$base made in $((SECONDS - started)) s"
}

if [ "${WAKEGATE_REBUILD_BASE:-0}" = 1 ] || ! docker image inspect "$base" >/dev/null 2>&1; then
  build_base
else
  log "reusing $base"
fi

# build_app NAME JAR [JVM_OPTIONS]: wakegate/NAME:$tag from deploy/images/NAME/Dockerfile with JAR
# (as app.jar) and, when given, the JVM argument file (as jvm.options) as its only context files.
build_app() {
  local name=$1 jar=$2 options=${3:-} ctx
  ctx=$(mktemp -d "${TMPDIR:-/tmp}/wakegate-image.XXXXXX")
  cp "$jar" "$ctx/app.jar"
  [ -z "$options" ] || cp "$options" "$ctx/jvm.options"
  docker build -t "wakegate/$name:$tag" -f "$images/$name/Dockerfile" "$ctx" >"$ctx.log" 2>&1 \
    || { cat "$ctx.log" >&2; rm -rf "$ctx" "$ctx.log"; log "building wakegate/$name:$tag failed"; exit 1; }
  rm -rf "$ctx" "$ctx.log"
  log "built wakegate/$name:$tag ($(docker image inspect -f '{{.Size}}' "wakegate/$name:$tag" | awk '{printf "%d MB", $1/1000000}'))"
}

missing=0
for jar in interceptor/target/wakegate.jar scaler-grpc/target/wakegate-scaler.jar; do
  [ -f "$jar" ] || { log "$jar is missing: run ./mvnw -B -pl interceptor,scaler-grpc -am package -DskipTests"; missing=1; }
done
[ "$missing" = 0 ] || exit 1

build_app interceptor interceptor/target/wakegate.jar interceptor/jvm.options
build_app scaler scaler-grpc/target/wakegate-scaler.jar
if [ -f controller/target/wakegate-controller.jar ]; then
  build_app controller controller/target/wakegate-controller.jar
else
  log "skipping wakegate/controller:$tag: controller/target/wakegate-controller.jar does not exist (yet)"
fi
