"""The Azure emulator as a package: a shared core plus one module per service.

Core:      clock (the emulator's "now"), util (ids, JWTs, generated secrets), responses (the error
           shapes of each service), certs (TLS), state (the fixture world), faults (injected faults,
           throttling), hold (holding one request), control (/_emulator routes), server (HTTP plumbing).
Services:  entra (token endpoint), graph (applications), ado_auth (Azure DevOps callers),
           pats (PAT lifecycle API), endpoints (service endpoints, OIDC, resource locations),
           keyvault (secrets). Each names the specification it follows at its top.

The entry point is scripts/emulator/azure_emulator.py; README.md next to it documents the behaviour.
"""
