#!/usr/bin/env bash
# Builds a Caddy image from this machine's Debian caddy binary, with nothing pulled: the binary, the
# shared libraries it links and CA certificates. Its built-in config keeps the admin API on the
# container's own loopback (safe, and useless from outside): mount your config at
# /etc/caddy/caddy.json, as docs/operations-swarm.md shows. DOCKER_HOST chooses the engine.
#   bash scripts/caddy-image.sh [tag]
set -euo pipefail
tag=${1:-forge/caddy:local}
bin=$(command -v caddy) || { echo "caddy is not installed: apt-get install -y caddy" >&2; exit 1; }
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/usr/bin" "$root/etc/caddy" "$root/data" "$root/config" "$root/tmp"
chmod 1777 "$root/tmp"
cp "$bin" "$root/usr/bin/caddy"
for lib in $(ldd "$bin" | grep -oE '/[^ ]+'); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  mkdir -p "$root/etc/ssl/certs"
  cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
fi
echo 'root:x:0:0:root:/data:/usr/sbin/nologin' >"$root/etc/passwd"
echo 'root:x:0:' >"$root/etc/group"
echo '{"admin":{"listen":"127.0.0.1:2019","config":{"persist":false}}}' >"$root/etc/caddy/caddy.json"
tar -C "$root" -c . | docker import \
  -c 'ENV XDG_DATA_HOME=/data XDG_CONFIG_HOME=/config HOME=/data' \
  -c 'EXPOSE 80 443 2019' \
  -c 'ENTRYPOINT ["/usr/bin/caddy"]' \
  -c 'CMD ["run", "--config", "/etc/caddy/caddy.json"]' \
  - "$tag" >/dev/null
echo "$tag"
