#!/usr/bin/env bash
# Installs and starts the real components Forge's tests use (DESIGN §4), idempotently:
#   Docker engine (docker.io), compose v1, the CNCF registry (docker-registry), Caddy, busybox-static,
#   and a local base image `forge-test/busybox:1` built from busybox-static (nothing is pulled).
#   iproute2 (`ip netns`) for the swarm tests, which start Docker engines in network namespaces.
# Tests start their own registry and Caddy instances on ports they choose; this script only makes
# sure the binaries exist and the Docker engine answers.
set -euo pipefail

log() { printf '[test-env] %s\n' "$*"; }
die() { printf '[test-env] ERROR: %s\n' "$*" >&2; exit 1; }

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v caddy >/dev/null 2>&1 || missing+=(caddy)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 || missing+=(docker-compose)
[ -x /bin/busybox ] && file_is_static=$(ldd /bin/busybox 2>&1 | grep -c 'not a dynamic' || true) || file_is_static=0
[ "${file_is_static:-0}" != 0 ] || missing+=(busybox-static)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)

if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing Debian packages: ${missing[*]}. Run as root, or: sudo apt-get install -y ${missing[*]}"
  log "installing ${missing[*]} (apt-get)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Tests start their own Caddy instances on ports of their own (test-support/caddy.ts), so a Caddy
# service the Debian package may have started elsewhere is left alone.

if ! docker info >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || die "the Docker engine is not running and only root can start it: sudo dockerd &"
  log "starting dockerd"
  mkdir -p /var/log
  nohup dockerd >/var/log/forge-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || die "dockerd did not answer within 60 s; see /var/log/forge-dockerd.log"
fi
log "docker engine $(docker version --format '{{.Server.Version}}') is up"

# Caddy rebinds its listener (SO_REUSEPORT) on every config change; without this sysctl the kernel
# resets connections queued on the old socket, which the zero-downtime test counts as failures.
# See packages/proxy-caddy/README.md.
if [ -e /proc/sys/net/ipv4/tcp_migrate_req ] && [ "$(cat /proc/sys/net/ipv4/tcp_migrate_req)" != 1 ]; then
  [ "$(id -u)" = 0 ] || die "net.ipv4.tcp_migrate_req is 0 and only root can set it: sudo sysctl -w net.ipv4.tcp_migrate_req=1"
  sysctl -qw net.ipv4.tcp_migrate_req=1 || die "could not set net.ipv4.tcp_migrate_req=1 (needed for zero-downtime route swaps through Caddy)"
  log "set net.ipv4.tcp_migrate_req=1"
fi

# A base image without a registry: busybox-static in a scratch rootfs, imported locally.
if ! docker image inspect forge-test/busybox:1 >/dev/null 2>&1; then
  log "building forge-test/busybox:1 from busybox-static"
  root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/www" "$root/tmp" "$root/etc"
  cp /bin/busybox "$root/bin/busybox"
  for applet in $("$root/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
  echo 'root:x:0:' >"$root/etc/group"
  echo 'forge-test busybox' >"$root/www/index.html"
  tar -C "$root" -c . | docker import \
    -c 'ENV PATH=/bin' -c 'WORKDIR /' -c 'EXPOSE 8080' \
    -c 'CMD ["/bin/httpd", "-f", "-p", "8080", "-h", "/www"]' - forge-test/busybox:1 >/dev/null
  rm -rf "$root"
fi
log "ready: docker, docker-registry, caddy, compose, forge-test/busybox:1"
