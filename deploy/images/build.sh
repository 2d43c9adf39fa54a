#!/usr/bin/env bash
# Builds Wakegate's container images on this machine, with no image registry:
#
#   wakegate/jre:25-trixie    base: Debian trixie (minbase) + openjdk-25-jre-headless, made with
#                             debootstrap and `docker import`; user nonroot (uid/gid 65532)
#   wakegate/interceptor:TAG  interceptor/target/wakegate.jar      (also runs `wakegate demo-model`)
#   wakegate/scaler:TAG       scaler-grpc/target/wakegate-scaler.jar
#   wakegate/controller:TAG   controller/target/wakegate-controller.jar (skipped, with a note, while
#                             the controller module does not build that jar)
#
# TAG is the Helm chart's appVersion, the image tag the chart installs by default: build, then
# `helm install` with no image values. `build.sh --list` prints the images it builds and exits.
#
# Idempotent: the base is reused when an image with its tag exists (WAKEGATE_REBUILD_BASE=1 makes it
# again, ~1 min); application images are rebuilt from Docker's layer cache, so an unchanged jar
# costs ~1 s. The base's tag names its content (JDK feature release, Debian release): a machine that
# holds an older base (wakegate/jre:local was bookworm's JDK 17) makes the new one instead of reusing
# it, so change the tag whenever what build_base installs changes.
# Why JDK 25 and trixie: docs/interceptor.md#jvm-settings. The build itself stays on JDK 17.
# Needs: root (debootstrap), a running Docker engine, the jars (./mvnw -B package -DskipTests), and
# Debian 13 (trixie) archive keys on this machine (debian-archive-keyring 2023.3+deb12u2 or later
# on a bookworm host; WAKEGATE_DEBIAN_KEYRING points at another keyring).
# Env: WAKEGATE_DEBIAN_MIRROR   Debian mirror for debootstrap (default: the one apt is configured with)
#      WAKEGATE_DEBIAN_KEYRING  keyring debootstrap checks the trixie Release file with
#                               (default: /usr/share/keyrings/debian-archive-keyring.gpg)
#      WAKEGATE_IMAGE_TAG       tag of the application images (default: the chart's appVersion)
set -euo pipefail
cd "$(dirname "$0")/../.."
images=deploy/images
app_version=$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' deploy/helm/wakegate/Chart.yaml)
tag=${WAKEGATE_IMAGE_TAG:-$app_version}
suite=trixie jre=openjdk-25-jre-headless
base=wakegate/jre:25-trixie   # what it holds; the Dockerfiles' FROM names the same tag
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

# The keyring debootstrap checks $suite's Release file with: it must hold the Debian 13 (trixie)
# archive keys, which bookworm's debian-archive-keyring has from 2023.3+deb12u2 on.
debian_keyring() {
  local k=${WAKEGATE_DEBIAN_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}
  [ -r "$k" ] || { log "no keyring at $k: apt-get install -y debian-archive-keyring, or set WAKEGATE_DEBIAN_KEYRING"; exit 1; }
  echo "$k"
}

build_base() {
  command -v debootstrap >/dev/null || { log "debootstrap is missing (apt-get install -y debootstrap)"; exit 1; }
  [ -e "/usr/share/debootstrap/scripts/$suite" ] || { log "this debootstrap has no script for $suite: apt-get install -y debootstrap (a newer one)"; exit 1; }
  local rootfs mirror keyring started=$SECONDS
  mirror=$(debian_mirror)
  keyring=$(debian_keyring)
  rootfs=$(mktemp -d "${TMPDIR:-/tmp}/wakegate-rootfs.XXXXXX")
  trap 'rm -rf "$rootfs"' EXIT
  log "making $base with debootstrap ($suite, minbase, $jre)..."
  debootstrap --variant=minbase --keyring="$keyring" --include="$jre" "$suite" "$rootfs" "$mirror" >"$rootfs.log" 2>&1 \
    || { tail -20 "$rootfs.log" >&2
         if grep -qE 'signed by unknown key|NO_PUBKEY' "$rootfs.log"; then
           log "$keyring lacks Debian's $suite archive keys (debian-archive-keyring" \
               "$(dpkg-query -W -f '${Version}' debian-archive-keyring 2>/dev/null || echo '?') here): apt-get update &&" \
               "apt-get install -y debian-archive-keyring (2023.3+deb12u2 or later), or set WAKEGATE_DEBIAN_KEYRING"
         fi
         log "debootstrap failed (log: $rootfs.log)"; exit 1; }
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
    --message "Debian $suite minbase + $jre (deploy/images/build.sh)" \
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
  # A FROM left on another tag would build on whatever base the daemon holds under it.
  grep -qx "FROM $base" "$images/$name/Dockerfile" \
    || { log "$images/$name/Dockerfile does not say FROM $base (the base this script makes)"; exit 1; }
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
