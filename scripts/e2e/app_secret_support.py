"""Shared helpers of the app-secret and service-connection end-to-end tests."""

from __future__ import annotations

from harness import (Emulator, PAYMENTS_APP_ID, ENDPOINTS, TENANT_ID, VAULT, identity_client_secret, task_env)

PAYMENTS_OBJECT_ID = "bbbbbbbb-0003-4000-8000-000000000003"
SECRET_NAME = "payments-prod-secret"


def app_env(emu: Emulator, action: str, **inputs) -> dict:
    """Inputs for payments-deployer, identity rotation-automation (owner, KV officer, org member)."""
    base = dict(action=action, applicationId=PAYMENTS_APP_ID, secretName=SECRET_NAME,
                azureDevOpsIdentity="azureSubscription", organization="contoso", project="Platform")
    base.update(identity_client_secret())
    base.update(inputs)
    return task_env(emu, **base)


def app(emu: Emulator, app_id: str = PAYMENTS_APP_ID) -> dict:
    return next(a for a in emu.state()["apps"] if a["appId"] == app_id)


def endpoint(emu: Emulator, name: str) -> dict:
    state = emu.state()["endpoints"]
    if isinstance(state, dict):
        state = list(state.values())
    for e in state:
        body = e.get("body", e)
        if body["name"] == name:
            return body
    raise KeyError(name)


def vault_versions(emu: Emulator, name: str = SECRET_NAME) -> list[dict]:
    vaults = emu.state()["vaults"]
    v = vaults[VAULT] if isinstance(vaults, dict) else next(x for x in vaults if x["name"] == VAULT)
    return v["secrets"].get(name, [])


def token_works(emu: Emulator, secret: str, app_id: str = PAYMENTS_APP_ID) -> bool:
    status, _, _ = emu.request("POST", f"/login/{TENANT_ID}/oauth2/v2.0/token",
                               form={"client_id": app_id, "client_secret": secret, "grant_type": "client_credentials",
                                     "scope": "https://graph.microsoft.com/.default"})
    return status == 200


def is_record(request: dict) -> bool:
    """Whether `request` reads or writes the task's own record in Key Vault (lease, intents,
    holders), which consumers never read."""
    return "/secrets/rotate-credential-" in request["path"]


def changes(emu: Emulator) -> list[dict]:
    """Requests that change something (token requests excluded)."""
    return [r for r in emu.requests() if r["method"] in ("POST", "PUT", "PATCH", "DELETE")
            and "/oauth2/" not in r["path"] and "/_emulator" not in r["path"]]
