#!/usr/bin/env bash
# The office's own certificate authority and the Loket server's TLS certificate, with
# openssl (Debian package openssl), for HTTPS on the office LAN (docs/deployment.md).
#
#   bash scripts/office-ca.sh DIR NAME_OR_IP [NAME_OR_IP ...]
#   e.g. bash scripts/office-ca.sh /etc/loket/tls loket.dukcapil.local 192.168.1.10
#
# Writes into DIR:
#   office-ca.crt   the office CA's certificate: copy it to every kiosk, counter PC and
#                   display (--ca-file) and to browsers that open Loket's pages
#   office-ca.key   the CA's private key (mode 0600): keep it on this PC or offline;
#                   made once, reused when the script runs again
#   loket.crt       the server's certificate for every NAME_OR_IP given (825 days),
#   loket.key       and its key (mode 0600), for the reverse proxy (nginx)
# Running it again keeps the CA and issues a new server certificate (new names, renewal).
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: bash scripts/office-ca.sh DIR NAME_OR_IP [NAME_OR_IP ...]" >&2
  exit 2
fi
command -v openssl >/dev/null || { echo "openssl is missing: apt-get install openssl" >&2; exit 1; }
dir="$1"; shift
mkdir -p "$dir"
umask 077
san=""
for name in "$@"; do
  if [[ "$name" =~ ^[0-9.]+$ || "$name" == *:* ]]; then san+="${san:+,}IP:$name"; else san+="${san:+,}DNS:$name"; fi
done
if [ ! -s "$dir/office-ca.key" ]; then
  openssl req -x509 -newkey rsa:3072 -sha256 -nodes -days 3650 \
    -subj "/O=Loket/CN=Loket office CA $(hostname -s 2>/dev/null || echo server)" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$dir/office-ca.key" -out "$dir/office-ca.crt" 2>/dev/null
  echo "office CA made: $dir/office-ca.crt"
fi
openssl req -newkey rsa:2048 -sha256 -nodes -subj "/O=Loket/CN=$1" \
  -keyout "$dir/loket.key" -out "$dir/loket.csr" 2>/dev/null
openssl x509 -req -in "$dir/loket.csr" -CA "$dir/office-ca.crt" -CAkey "$dir/office-ca.key" -CAcreateserial \
  -days 825 -sha256 -out "$dir/loket.crt" -extfile <(printf '%s\n' \
    "subjectAltName=$san" "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth") 2>/dev/null
rm -f "$dir/loket.csr"
chmod 0644 "$dir/office-ca.crt" "$dir/loket.crt"
echo "server certificate for $san: $dir/loket.crt (key $dir/loket.key)"
