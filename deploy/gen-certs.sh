#!/bin/sh
# Generates a private CA and certificates for monitors (and one client certificate for managers,
# used only when monitors require client certificates: tls.clientCaFile). For the demo and for
# trying things out; in production use your own PKI.
#
#   deploy/gen-certs.sh <out-dir> <name>[,<extra-name>...] ...
#
# For each argument: <name>.crt and <name>.key, a server certificate for the DNS name <name>,
# every extra name (a DNS name or an IPv4 address), localhost and 127.0.0.1. Also ca.crt and ca.key
# (the CA), and client.crt and client.key (a client certificate, CN vigil-manager). Files that
# already exist are kept, so it is safe to run again. Keys are ECDSA P-256, PKCS#8, mode 0600.
#
# Example for the Kubernetes manifests (deploy/k8s, namespace vigil, headless service vigil-monitor):
#   deploy/gen-certs.sh certs \
#     vigil-monitor,*.vigil-monitor.vigil.svc,*.vigil-monitor.vigil.svc.cluster.local
set -euf # -f: no pathname expansion (names may be wildcards such as *.svc)

if [ "$#" -lt 2 ]; then
  echo "usage: $0 <out-dir> <name>[,<extra-name>...] ..." >&2
  exit 2
fi
out=$1
shift
mkdir -p "$out"
umask 077
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }

# sign <name> <cn> <extensions file>: <name>.crt signed by the CA.
sign() {
  openssl req -new -key "$out/$1.key" -subj "/CN=$2" -out "$tmp/$1.csr"
  openssl x509 -req -in "$tmp/$1.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial \
    -CAserial "$tmp/ca.srl" -days 825 -sha256 -extfile "$3" -out "$out/$1.crt"
  chmod 0644 "$out/$1.crt"
}

if [ ! -f "$out/ca.crt" ]; then
  key "$out/ca.key"
  openssl req -x509 -new -key "$out/ca.key" -subj "/CN=Vigil demo CA" -days 3650 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$out/ca.crt"
  chmod 0644 "$out/ca.crt"
  echo "gen-certs: $out/ca.crt"
fi

for arg in "$@"; do
  name=${arg%%,*}
  [ -f "$out/$name.crt" ] && continue
  sans="DNS:$name,DNS:localhost,IP:127.0.0.1"
  rest=${arg#"$name"}
  for extra in $(echo "$rest" | tr ',' ' '); do
    if echo "$extra" | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$'; then
      sans="$sans,IP:$extra"
    else
      sans="$sans,DNS:$extra"
    fi
  done
  printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
    "extendedKeyUsage=serverAuth" "subjectAltName=$sans" >"$tmp/server.ext"
  key "$out/$name.key"
  sign "$name" "$name" "$tmp/server.ext"
  echo "gen-certs: $out/$name.crt ($sans)"
done

if [ ! -f "$out/client.crt" ]; then
  printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
    "extendedKeyUsage=clientAuth" >"$tmp/client.ext"
  key "$out/client.key"
  sign client vigil-manager "$tmp/client.ext"
  echo "gen-certs: $out/client.crt (client certificate)"
fi
