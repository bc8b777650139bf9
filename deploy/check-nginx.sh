#!/usr/bin/env bash
# `nginx -t` on deploy/nginx.conf (or the file given as $1) outside Docker; CI runs it.
# Needs nginx and openssl, and root: nginx -t binds the ports it listens on (80, 443).
# Exit status: non-zero when nginx finds the file broken.
#
# Two things the file names only exist inside the compose set-up, and nginx -t needs both:
#   - the upstream hosts parley-1, parley-2, …: nginx resolves them while testing and fails
#     on a name it cannot resolve, and only Docker's DNS knows them;
#   - the TLS certificate in /etc/nginx/certs/ (mounted from deploy/certs): nginx loads it
#     while testing.
# So the test runs on a temporary copy in which exactly these change (the diff is printed):
# each `server parley-N:` line of an upstream points at 127.0.0.1 instead (nginx -t does not
# connect to it), and /etc/nginx/certs/ becomes a temporary folder holding a throwaway
# self-signed certificate. Everything else is tested as shipped.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
conf=${1:-$here/nginx.conf}
nginx=${NGINX:-/usr/sbin/nginx}
[[ -x $nginx ]] || nginx=$(command -v nginx) || {
  echo "check-nginx: nginx not found (apt-get install nginx)" >&2
  exit 2
}
[[ -r $conf ]] || {
  echo "check-nginx: cannot read $conf" >&2
  exit 2
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-nginx.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/certs"

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
  -keyout "$tmp/certs/privkey.pem" -out "$tmp/certs/fullchain.pem" 2>/dev/null

sed -E \
  -e 's/^([[:space:]]*server[[:space:]]+)parley-[0-9]+:/\1127.0.0.1:/' \
  -e "s#/etc/nginx/certs/#$tmp/certs/#g" \
  "$conf" >"$tmp/nginx.conf"

echo "check-nginx: testing $conf, with these lines changed in a copy ($tmp):"
changes=$(diff -u "$conf" "$tmp/nginx.conf" | sed -n '3,$p' | grep '^[-+]' || true)
echo "${changes:-  (none)}"

# A prefix, start-up log and pid file of our own: nothing of the host's nginx is touched (the
# shipped file sets no pid; the image's default applies there).
"$nginx" -t -p "$tmp/" -e stderr -g "pid $tmp/nginx.pid;" -c "$tmp/nginx.conf"
