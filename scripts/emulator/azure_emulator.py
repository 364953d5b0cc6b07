#!/usr/bin/env python3
"""Local HTTPS emulator of the Azure services used by rotate-credential.

One process, one port, routed by path prefix:

    /login/{tenant}/oauth2/v2.0/token          Microsoft Entra token endpoint      (azemu/entra.py)
    /graph/v1.0/...                            Microsoft Graph (applications)      (azemu/graph.py)
    /ado/{org}/...                             Azure DevOps (service endpoints, OIDC) (azemu/endpoints.py)
    /vssps/{org}/_apis/tokens/pats             Azure DevOps PAT lifecycle API      (azemu/pats.py)
    /kv/{vault}/secrets/...                    Azure Key Vault secrets             (azemu/keyvault.py)
    /_emulator/...                             control API (no auth, not logged)   (azemu/control.py)

Usage:
    python3 azure_emulator.py [--fixture FILE] [--port 0] [--workdir DIR] [--ca-dir DIR]
                              [--extra-dns NAME]... [--verbose]

Prints one JSON line {"baseUrl", "caFile", "pid"} on stdout, then serves until
SIGTERM/SIGINT.  Python 3.11 standard library + the openssl CLI only.
See README.md next to this file for the fixture, the quirks and the control API.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from azemu.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(description=__doc__))
