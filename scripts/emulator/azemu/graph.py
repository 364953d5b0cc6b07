"""Microsoft Graph v1.0: applications, addPassword, removePassword.

Follows: microsoftgraph/msgraph-metadata schemas/v1.0-Prod.csdl (passwordCredential, application, the bound
actions addPassword/removePassword, the appId alternate key) and microsoft-graph-docs-contrib
api-reference/v1.0/api/application-addpassword.md, application-removepassword.md, application-get.md,
application-list.md; error shape per https://learn.microsoft.com/graph/errors."""

from __future__ import annotations

import json
import re

from . import federated_credentials
from .clock import graph_time, is_iso, now, parse_time
from .state import scaled
from .responses import Resp, graph_error
from .util import guid, new_client_secret

_APP_PATH = re.compile(r"^applications(?:/([0-9a-fA-F-]{36})|\(appId='([^']+)'\))(?:/(addPassword|removePassword|"
                       r"microsoft\.graph\.addPassword|microsoft\.graph\.removePassword|owners))?$")
_DENIED = "Insufficient privileges to complete the operation."


class Graph:
    def __init__(self, state):
        self.s = state

    def handle(self, method: str, parts: list[str], query: dict, body: bytes, headers: dict, rid: str) -> Resp:
        crid = headers.get("client-request-id")
        err = lambda status, code, msg, **kw: graph_error(status, code, msg, rid, crid, **kw)  # noqa: E731
        raw, problem = self.caller(headers)
        if problem:
            return err(401, "InvalidAuthenticationToken", problem)
        if len(parts) < 2 or parts[1] != "v1.0":
            return err(400, "BadRequest", "Invalid version.")
        rest = "/".join(parts[2:])
        if rest == "applications" and method == "GET":
            return self.list(raw, query, err)
        fm = federated_credentials.PATH.match(rest)
        if fm:
            a = self.find(fm.group(1), fm.group(2))
            if a:
                return federated_credentials.handle(self, method, fm, raw, a, body, err, query)
        m = _APP_PATH.match(rest)
        if not m:
            return err(400, "BadRequest", f"Resource not found for the segment '{parts[2] if len(parts) > 2 else ''}'.")
        ident = m.group(1) or m.group(2)
        a = self.find(m.group(1), m.group(2))
        if not a:
            return err(404, "Request_ResourceNotFound", f"Resource '{ident}' does not exist or one of its "
                       "queried reference-property objects are not present.")
        action = (m.group(3) or "").replace("microsoft.graph.", "")
        if not action:
            return self.get(method, raw, a, query, err)
        if action == "owners":
            return self.owners(method, raw, a, err)
        return self.act(method, action, raw, a, body, err)

    def caller(self, headers: dict) -> tuple[dict | None, str | None]:
        """The caller's token info, or why it is refused."""
        auth = headers.get("authorization", "")
        if not auth.lower().startswith("bearer ") or not auth[7:].strip():
            return None, "Access token is empty."
        raw = self.s.tokens.get(auth[7:].strip())
        if raw is None:
            return None, "IDX14100: JWT is not well formed."
        if raw["exp"] <= now():
            return None, "Lifetime validation failed, the token is expired."
        if raw["aud"] != "graph":
            return None, "Access token validation failure. Invalid audience."
        return raw, None

    def find(self, object_id: str | None, app_id: str | None) -> dict | None:
        if object_id:
            return next((x for x in self.s.apps.values() if x["objectId"].lower() == object_id.lower()), None)
        return self.s.apps.get(app_id.lower())

    def list(self, raw: dict, query: dict, err) -> Resp:
        fm = re.match(r"^\s*appId\s+eq\s+'([^']+)'\s*$", query.get("$filter", ""))
        if not fm:
            return err(400, "Request_UnsupportedQuery", "Only $filter=appId eq '...' is supported by the emulator.")
        a = self.s.apps.get(fm.group(1).lower())
        vals = [self.app_json(a, query.get("$select"))] if a and self.can_read(raw, a) else []
        return Resp(200, {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#applications", "value": vals})

    def get(self, method: str, raw: dict, a: dict, query: dict, err) -> Resp:
        if method != "GET":
            return err(405, "Request_BadRequest", "Method not allowed.")
        if not self.can_read(raw, a):
            return err(403, "Authorization_RequestDenied", _DENIED)
        out = {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#applications/$entity"}
        out.update(self.app_json(a, query.get("$select")))
        return Resp(200, out)

    def owners(self, method: str, raw: dict, a: dict, err) -> Resp:
        """GET /applications/{id}/owners (application-list-owners.md): the owners as directoryObjects, a service
        principal with its object id and appId, a user with its object id and userPrincipalName. Who may read
        the application may read its owners."""
        if method != "GET":
            return err(405, "Request_BadRequest", "Method not allowed.")
        if not self.can_read(raw, a):
            return err(403, "Authorization_RequestDenied", _DENIED)
        value = []
        for key in a.get("owners", []):
            owner = self.s.apps.get(key.lower())
            if owner:
                value.append({"@odata.type": "#microsoft.graph.servicePrincipal", "id": owner["servicePrincipalObjectId"],
                              "appId": owner["appId"], "displayName": owner.get("displayName"),
                              "servicePrincipalType": "Application"})
                continue
            user = self.s.users.get(key.lower())
            if user:
                value.append({"@odata.type": "#microsoft.graph.user", "id": user["objectId"],
                              "displayName": user.get("displayName"), "userPrincipalName": user["username"]})
        return Resp(200, {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#directoryObjects",
                          "value": value})

    def act(self, method: str, action: str, raw: dict, a: dict, body: bytes, err) -> Resp:
        if method != "POST":
            return err(405, "Request_BadRequest", "Method not allowed.")
        if not self.can_write(raw, a):
            return err(403, "Authorization_RequestDenied", _DENIED)
        try:
            req = json.loads(body) if body and body.strip() else {}
            if not isinstance(req, dict):
                raise ValueError
        except Exception:
            return err(400, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header "
                       "is set and payload is of valid JSON format.")
        if action == "addPassword":
            return self.add_password(a, req.get("passwordCredential") or {}, err)
        return self.remove_password(a, str(req.get("keyId") or ""), err)

    def add_password(self, a: dict, pc: dict, err) -> Resp:
        t = now()
        try:
            start = parse_time(pc.get("startDateTime")) or t
            end = parse_time(pc.get("endDateTime")) or (start + 2 * 365.25 * 86400)
        except ValueError:
            return err(400, "Request_BadRequest", "Invalid value specified for property 'startDateTime' or "
                       "'endDateTime' of resource 'PasswordCredential'.")
        if end <= start:
            return err(400, "Request_BadRequest", "Invalid value specified for property 'endDateTime' of resource "
                       "'PasswordCredential'.")
        max_days = a.get("maxSecretLifetimeDays")
        if max_days and end - start > float(max_days) * 86400 + 60:
            pol = a.get("appManagementPolicyId", "00000000-0000-0000-0000-000000000000")
            return err(400, "CredentialInvalidLifetimeAsPerAppPolicy",
                       f"Credential lifetime exceeds the max value allowed as per assigned policy '{pol}'.",
                       details=[{"code": "InvalidKeyEndDate", "message": f"Key credential end date is invalid. The "
                                 f"maximum allowed lifetime is {max_days} days.", "target": "EndDate"}])
        cred = self.new_credential(pc, start, end, t)
        a["passwordCredentials"].append(cred)
        return Resp(200, {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph."
                                            "passwordCredential", **self.credential_json(cred, cred["secretText"])})

    def new_credential(self, pc: dict, start: float, end: float, t: float) -> dict:
        s = self.s
        secret = new_client_secret()
        s.remember(secret)
        s.secrets_added += 1
        return {"keyId": guid(), "displayName": pc.get("displayName"), "secretText": secret, "hint": secret[:3],
                "start": start, "end": end, "addedAt": t, "flapSeed": f"{s.secrets_added}",
                "startSent": pc.get("startDateTime") if is_iso(pc.get("startDateTime")) else None,
                "endSent": pc.get("endDateTime") if is_iso(pc.get("endDateTime")) else None}

    def credential_json(self, p: dict, secret_text: str | None = None) -> dict:
        style = self.s.config.get("dateStyle") or "service"
        return {"customKeyIdentifier": None, "displayName": p["displayName"],
                "endDateTime": graph_time(p["end"], p.get("endSent"), style, p["keyId"]), "hint": p["hint"],
                "keyId": p["keyId"], "secretText": secret_text,
                "startDateTime": graph_time(p["start"], p.get("startSent"), style, p["keyId"])}

    def remove_password(self, a: dict, key: str, err) -> Resp:
        if not re.match(r"^[0-9a-fA-F-]{36}$", key):
            return err(400, "Request_BadRequest", "Invalid value specified for property 'keyId' of resource "
                       "'removePassword'.")
        t = now()
        lag = scaled(self.s.config, self.s.config.get("graphReadLagSeconds"))
        cred = next((p for p in a["passwordCredentials"] if p["keyId"].lower() == key.lower()), None)
        if cred is None or cred["addedAt"] + lag > t:  # unknown, or still replicating: the same real 400
            return err(400, "Request_BadRequest", f"No password credential found with keyId '{key}'.")
        a["passwordCredentials"].remove(cred)
        a.setdefault("removedPasswords", []).append(dict(cred, removedAt=t))
        return Resp(204, None)

    def visible_credentials(self, a: dict) -> list[dict]:
        """What a read shows: credentials added at least graphReadLagSeconds ago, plus those removed less
        than that ago (reads lag writes)."""
        t = now()
        lag = scaled(self.s.config, self.s.config.get("graphReadLagSeconds"))
        live = [p for p in a["passwordCredentials"] if p["addedAt"] + lag <= t]
        gone = [p for p in a.get("removedPasswords", []) if p["removedAt"] + lag > t and p["addedAt"] + lag <= t]
        return sorted(live + gone, key=lambda p: p["addedAt"])

    # ---- permissions
    def can_write(self, raw: dict, target: dict) -> bool:
        """Application.ReadWrite.All (or Directory.ReadWrite.All) for any application; an owner needs
        Application.ReadWrite.OwnedBy as well when it calls as an application (app-only calls need an application
        permission: "Application.ReadWrite.OwnedBy … allows the calling app to … update … applications … it
        owns", Graph permissions reference)."""
        roles = set((self.s.apps.get(raw["appId"].lower()) or {}).get("roles", [])) if raw["kind"] == "app" else set()
        if {"Application.ReadWrite.All", "Directory.ReadWrite.All"} & roles:
            return True
        owners = {o.lower() for o in target.get("owners", [])}
        owner = bool(owners & self.s.principal_ids(raw))
        return owner and (raw["kind"] != "app" or "Application.ReadWrite.OwnedBy" in roles)

    def can_read(self, raw: dict, target: dict) -> bool:
        if self.can_write(raw, target):
            return True
        if raw["kind"] == "app":
            roles = (self.s.apps.get(raw["appId"].lower()) or {}).get("roles", [])
            return bool({"Application.Read.All", "Directory.Read.All"} & set(roles))
        return True  # signed-in users can read app registrations in their tenant

    def app_json(self, a: dict, select: str | None) -> dict:
        full = {"id": a["objectId"], "appId": a["appId"], "displayName": a.get("displayName"),
                "signInAudience": "AzureADMyOrg", "isFallbackPublicClient": bool(a.get("publicClient")),
                "keyCredentials": [],
                "passwordCredentials": [self.credential_json(p) for p in self.visible_credentials(a)]}
        if select:
            fields = [f.strip() for f in select.split(",") if f.strip()]
            return {k: full.get(k) for k in fields}
        return full
