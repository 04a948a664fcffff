#!/usr/bin/env bash
# Brings the system parts the test suite uses onto this machine (Debian packages listed in
# scripts/apt-packages.txt), so that `npm test` passes on a fresh machine and no test skips itself.
# As root it installs what is missing; otherwise it stops and prints the one command to run.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
while read -r package probe; do
  [[ -z "${package}" || "${package}" == \#* ]] && continue
  if ! bash -c "${probe}" >/dev/null 2>&1; then missing+=("${package}"); fi
done < scripts/apt-packages.txt

if ((${#missing[@]} > 0)); then
  if [[ "$(id -u)" != "0" ]]; then
    echo "The tests need Debian packages that are missing. Run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing test prerequisites: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# kerberos is an optional dependency: its native part builds only once libkrb5-dev is there, and
# npm drops an optional dependency whose build failed. Build it, or install it again, now.
if ! node -e "require('kerberos')" >/dev/null 2>&1; then
  echo "Building the kerberos module (CM_AUTH=negotiate)"
  if [[ -d node_modules/kerberos ]]; then
    npm rebuild kerberos >/dev/null
  else
    version=$(node -p "require('./package-lock.json').packages['node_modules/kerberos'].version")
    npm install --no-save --no-audit --no-fund "kerberos@${version}" >/dev/null
  fi
  node -e "require('kerberos')"
fi
