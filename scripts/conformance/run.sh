#!/usr/bin/env bash
# Drive the Azure emulator with Microsoft's own client libraries (msal, azure-identity,
# azure-keyvault-secrets, azure-devops). Creates .venv-conformance at the repo root.
#   bash scripts/conformance/run.sh [-v]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="$repo/.venv-conformance"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$here/requirements.txt"
export AZURE_DEVOPS_CACHE_DIR="$(mktemp -d)"
trap 'rm -rf "$AZURE_DEVOPS_CACHE_DIR"' EXIT
cd "$repo"
"$venv/bin/python" -m unittest discover -s scripts/conformance -p 'test_conformance*.py' "$@"
