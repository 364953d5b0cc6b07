"""Shared helpers of the tests that use the PAT owner's stored session (issue #15)."""

from __future__ import annotations

import json

from harness import PAT_CLIENT_ID, TENANT_ID, VAULT, Emulator, identity_wif

BOT = "rotation-bot@contoso.onmicrosoft.com"
SESSION = "pat-owner-session"
PIPELINE = "PAT owner sign-in"
ADO_SCOPE = "499b84ac-1321-427f-aa17-267ca6975798/.default offline_access"


def seed_session(emu: Emulator, username: str = BOT) -> str:
    """A refresh token of `username` stored the way pat-owner-login stores it (without the binary):
    a device-code sign-in approved through the emulator's control, then a Key Vault PUT."""
    status, _, raw = emu.request("POST", f"/login/{TENANT_ID}/oauth2/v2.0/devicecode",
                                 form={"client_id": PAT_CLIENT_ID, "scope": ADO_SCOPE})
    if status != 200:
        raise AssertionError(f"devicecode: {status} {raw[:200]!r}")
    dc = json.loads(raw)
    emu._control("POST", "/devicecode/approve", {"userCode": dc["user_code"], "username": username})
    tokens = json.loads(emu.request("POST", f"/login/{TENANT_ID}/oauth2/v2.0/token", form={
        "grant_type": "urn:ietf:params:oauth:grant-type:device_code", "client_id": PAT_CLIENT_ID,
        "device_code": dc["device_code"]})[2])
    kv = emu.token("https://vault.azure.net/.default")
    status, _, body = emu.request(
        "PUT", f"/kv/{VAULT}/secrets/{SESSION}?api-version=7.5",
        {"value": tokens["refresh_token"], "contentType": "application/vnd.microsoft.entra.refresh-token",
         "tags": {"user": username, "tenant": TENANT_ID, "client": PAT_CLIENT_ID, "signInPipeline": PIPELINE}},
        headers={"Authorization": f"Bearer {kv}"})
    if status != 200:
        raise AssertionError(f"Key Vault PUT: {status} {body[:200]!r}")
    return tokens["refresh_token"]


def session_inputs(emu: Emulator) -> dict:
    """The PAT owner from the stored session; Key Vault through the workload-identity connection."""
    return {"patOwnerRefreshTokenSecret": SESSION, **identity_wif(emu)}
