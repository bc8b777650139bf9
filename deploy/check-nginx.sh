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

# Then run that copy for real, on free ports, with nothing behind it (every answer is a 502,
# which is enough): the access log must mask invite tokens and carry no Referer, and HSTS
# must be sent over HTTPS only.
http_port=${CHECK_NGINX_HTTP_PORT:-18480}
https_port=${CHECK_NGINX_HTTPS_PORT:-18443}
sed -E \
  -e "s/listen 80 default_server;/listen 127.0.0.1:$http_port default_server;/" \
  -e "s/listen 443 ssl default_server;/listen 127.0.0.1:$https_port ssl default_server;/" \
  -e "s#access_log /dev/stdout parley;#access_log $tmp/access.log parley;#" \
  -e "s#error_log /dev/stderr warn;#error_log $tmp/error.log warn;#" \
  "$tmp/nginx.conf" >"$tmp/run.conf"
"$nginx" -p "$tmp/" -e "$tmp/error.log" -g "pid $tmp/run.pid;" -c "$tmp/run.conf"
trap '"$nginx" -p "$tmp/" -e "$tmp/error.log" -g "pid $tmp/run.pid;" -c "$tmp/run.conf" -s stop 2>/dev/null; rm -rf "$tmp"' EXIT
token=eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LWludml0ZQ.c2lnbmF0dXJl
# An invite code as links carry it now: the web page /i/<code> and the API's routes.
code=Kq7mT-x3PzR
curl -s -o /dev/null "http://127.0.0.1:$http_port/api/invites/$token/accept" || true
curl -s -o /dev/null -H "Referer: http://parley.example/invite/$token" \
  "http://127.0.0.1:$http_port/invite/$token?from=mail" || true
curl -s -o /dev/null -H "Referer: http://parley.example/i/$code" \
  "http://127.0.0.1:$http_port/i/$code?debug=1" || true
curl -s -o /dev/null "http://127.0.0.1:$http_port/api/invites/$code" || true
curl -s -o /dev/null -X DELETE "http://127.0.0.1:$http_port/api/rooms/r1/invites/$code" || true
http_hsts=$(curl -s -D - -o /dev/null "http://127.0.0.1:$http_port/api/health" | grep -ci '^strict-transport-security' || true)
https_hsts=$(curl -sk -D - -o /dev/null "https://127.0.0.1:$https_port/api/health" | grep -ci '^strict-transport-security' || true)
sleep 0.2 # nginx writes the log line after answering
fail=0
if grep -q -e "$token" -e "$code" "$tmp/access.log"; then
  echo "check-nginx: FAIL: an invite token or code is in the access log:" >&2
  cat "$tmp/access.log" >&2
  fail=1
fi
if ! grep -q '/api/invites/\[redacted\]/accept' "$tmp/access.log" ||
  ! grep -q '/invite/\[redacted\]?from=mail' "$tmp/access.log" ||
  ! grep -q '"GET /i/\[redacted\]?debug=1 ' "$tmp/access.log" ||
  ! grep -q '"GET /api/invites/\[redacted\] ' "$tmp/access.log" ||
  ! grep -q '"DELETE /api/rooms/r1/invites/\[redacted\] ' "$tmp/access.log"; then
  echo "check-nginx: FAIL: the access log does not show the masked invite paths:" >&2
  cat "$tmp/access.log" >&2
  fail=1
fi
if [[ $http_hsts != 0 || $https_hsts != 1 ]]; then
  echo "check-nginx: FAIL: HSTS over HTTP $http_hsts time(s), over HTTPS $https_hsts (want 0 and 1)" >&2
  fail=1
fi
[[ $fail == 0 ]] && echo "check-nginx: invite tokens and codes masked in the access log; HSTS on HTTPS only"
exit $fail
