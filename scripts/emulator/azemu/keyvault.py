"""Azure Key Vault secrets (data plane).

Follows: Azure/azure-rest-api-specs specification/keyvault/data-plane/Microsoft.KeyVault/stable/7.5/secrets.json
(SetSecret, GetSecret, UpdateSecret, GetSecretVersions, GetSecrets; SecretBundle, SecretAttributes, KeyVaultError)
and its examples; https://learn.microsoft.com/azure/key-vault/general/authentication-requests-and-responses
(401 challenge, x-ms-error-code) and …/secrets/about-secrets (name rules, 25 KB values)."""

from __future__ import annotations

import json
import re
import uuid

from .clock import now
from .responses import Resp, kv_error
from .util import b64url, b64url_decode, parse_json_object

_NAME = re.compile(r"^[0-9a-zA-Z-]{1,127}$")
_VERSION = re.compile(r"^(7\.\d+|\d{4}-\d{2}-\d{2})(-preview(\.\d+)?)?$")
_DISABLED = ("Operation get is not allowed on a disabled secret.", "SecretDisabled")


def _not_found(what: str, more: str = "") -> Resp:
    return kv_error(404, "SecretNotFound", f"A secret with (name/id) {what} was not found in this key vault.{more}")


class KeyVault:
    def __init__(self, state):
        self.s = state
        self.root = False  # set per request (under the state lock): the request came via the root alias

    def base(self, vault: dict) -> str:
        return self.s.base if self.root else f"{self.s.base}/kv/{vault['name']}"

    def handle(self, method: str, parts: list[str], query: dict, body: bytes, headers: dict) -> Resp:
        s = self.s
        if len(parts) < 2 or parts[1].lower() not in s.vaults:
            return kv_error(404, "VaultNotFound", "The vault was not found.")
        vault = s.vaults[parts[1].lower()]
        info, err = self.authenticate(headers)
        if err:
            return err
        err = self.check_version(query.get("api-version")) or self.authorize(vault, info, method)
        if err:
            return err
        if len(parts) < 3 or parts[2].lower() != "secrets":
            return kv_error(400, "BadParameter", "Unsupported path.")
        rest = parts[3:]
        if rest and rest[-1] == "":
            rest = rest[:-1]
        if not rest:
            return self.list_all(vault, query) if method == "GET" else kv_error(405, "BadParameter",
                                                                                 "Method not allowed.")
        return self.secret_route(method, vault, rest, query, body)

    def secret_route(self, method: str, vault: dict, rest: list[str], query: dict, body: bytes) -> Resp:
        name = rest[0]
        if not _NAME.match(name):
            return kv_error(400, "BadParameter", "The request URI contains an invalid name: " + name)
        entry = vault["secrets"].get(name.lower())
        if len(rest) == 2 and rest[1] == "versions" and method == "GET":
            return self.versions(vault, entry, name, query)
        if len(rest) > 2:
            return kv_error(400, "BadParameter", "Unsupported path.")
        version = rest[1] if len(rest) == 2 else ""
        if method == "PUT" and not version:
            return self.set(vault, entry, name, body)
        if method == "GET":
            return self.get(vault, entry, name, version)
        if method == "PATCH":
            return self.update(vault, entry, name, version, body)
        return kv_error(405, "BadParameter", f"Method {method} is not supported on this path.")

    # ---- auth
    def authenticate(self, headers: dict) -> tuple[dict | None, Resp | None]:
        s = self.s
        # Real Key Vault names the public authority with the tenant as the ONLY path segment, and Microsoft's
        # SDK reads the tenant as the first path segment (conformance test). Clients must take just the
        # tenant from it and keep their configured authority host. Override with config kvChallengeAuthority.
        authority = (s.config.get("kvChallengeAuthority") or "https://login.windows.net").rstrip("/")
        challenge = {"WWW-Authenticate": f"Bearer authorization=\"{authority}/{s.tenant['id']}\", "
                                         f"resource=\"https://vault.azure.net\""}
        auth = headers.get("authorization", "")
        if not auth.lower().startswith("bearer ") or not auth[7:].strip():
            return None, kv_error(401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.",
                                  headers=challenge)
        info = s.token_info(auth[7:].strip())
        if not info:
            return None, kv_error(401, "Unauthorized", "AKV10022: Invalid audience or the token is expired.",
                                  headers=challenge)
        if info["aud"] != "kv":
            return None, kv_error(401, "Unauthorized", "AKV10022: Invalid audience. Expected "
                                  f"https://vault.azure.net, found: {info['resource']}.", headers=challenge)
        return info, None

    @staticmethod
    def check_version(ver: str | None) -> Resp | None:
        if not ver:
            return kv_error(400, "BadParameter", "The request URI contains an invalid or missing api-version "
                            "query parameter.")
        if not _VERSION.match(ver):
            return kv_error(400, "BadParameter", f"The specified version ({ver}) is not recognized. Consider "
                            "using the latest supported version (7.5).")
        return None

    def authorize(self, vault: dict, info: dict, method: str) -> Resp | None:
        write = method in ("PUT", "PATCH", "DELETE")
        ids = self.s.principal_ids(info)
        officer = bool(ids & set(vault["secretsOfficers"]))
        if officer or (not write and ids & set(vault["readers"])):
            return None
        action = "setSecret" if write else "getSecret"
        return kv_error(403, "Forbidden", f"Caller is not authorized to perform action on resource.\r\nIf "
                        f"role assignments, deny assignments or role definitions were changed recently, "
                        f"please observe propagation time.\r\nCaller: appid={info['appId']};oid={info['oid']};"
                        f"iss=https://sts.windows.net/{info['tenant']}/\r\nAction: 'Microsoft.KeyVault/vaults/"
                        f"secrets/{action}/action'\r\nResource: '/subscriptions/00000000-0000-0000-0000-000000000000"
                        f"/resourcegroups/rg/providers/microsoft.keyvault/vaults/{vault['name']}/secrets/'\r\n"
                        f"Assignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: null \r\nVault: "
                        f"{vault['name']};location=westeurope\r\n", inner="ForbiddenByRbac")

    # ---- operations
    def set(self, vault: dict, entry: dict | None, name: str, body: bytes) -> Resp:
        if name.lower() in vault["deletedSecrets"]:
            return kv_error(409, "Conflict", f"Secret {name} is currently in a deleted but recoverable state, "
                            "and its name cannot be reused; in this state, the secret can only be recovered or "
                            "purged.", inner="ObjectIsDeletedButRecoverable")
        req = parse_json_object(body)
        if req is None:
            return kv_error(400, "BadParameter", "The request body is not valid JSON.")
        value = req.get("value")
        if not isinstance(value, str):
            return kv_error(400, "BadParameter", "The parameter 'value' is required.")
        if len(value.encode()) > 25 * 1024:
            return kv_error(400, "BadParameter", "Secret value is too large. The maximum size of a secret "
                            "value is 25KB.")
        tags = req.get("tags")
        if tags is not None and (not isinstance(tags, dict) or len(tags) > 15):
            return kv_error(400, "BadParameter", "Tags must be an object with at most 15 entries.")
        attrs = req.get("attributes") or {}
        t = int(now())
        v = {"version": uuid.uuid4().hex, "value": value, "contentType": req.get("contentType"), "tags": tags,
             "enabled": attrs.get("enabled", True), "nbf": attrs.get("nbf"), "exp": attrs.get("exp"),
             "created": t, "updated": t}
        if entry is None:
            entry = {"name": name, "versions": []}
            vault["secrets"][name.lower()] = entry
        entry["versions"].append(v)
        self.s.remember(value)
        return Resp(200, self.bundle(vault, entry, v, True))

    def get(self, vault: dict, entry: dict | None, name: str, version: str) -> Resp:
        if not entry:
            return _not_found(name, " If you recently deleted this secret you may be able to recover it using "
                              "the correct recovery command. For help resolving this issue, please see "
                              "https://go.microsoft.com/fwlink/?linkid=2125182")
        if version:
            v = next((x for x in entry["versions"] if x["version"] == version.lower()), None)
            if not v:
                return _not_found(f"{name}/{version}")
            if not v["enabled"]:
                return kv_error(403, "Forbidden", _DISABLED[0], inner=_DISABLED[1])
        else:
            enabled = [x for x in entry["versions"] if x["enabled"]]
            if not enabled:
                return kv_error(403, "Forbidden", _DISABLED[0], inner=_DISABLED[1])
            v = enabled[-1]  # versions are kept in creation order
        return Resp(200, self.bundle(vault, entry, v, True))

    def update(self, vault: dict, entry: dict | None, name: str, version: str, body: bytes) -> Resp:
        if not entry:
            return kv_error(404, "SecretNotFound", f"A secret with (name/id) {name} was not found in this key vault.")
        if version:
            v = next((x for x in entry["versions"] if x["version"] == version.lower()), None)
        else:
            v = entry["versions"][-1] if entry["versions"] else None
        if not v:
            return kv_error(404, "SecretNotFound", f"A secret with (name/id) {name}/{version} was not found.")
        req = parse_json_object(body, b"{}")
        if req is None:
            return kv_error(400, "BadParameter", "The request body is not valid JSON.")
        if "value" in req:
            return kv_error(400, "BadParameter", "The value of a secret cannot be changed with an update.")
        if "contentType" in req:
            v["contentType"] = req["contentType"]
        if "tags" in req:
            v["tags"] = req["tags"]
        for k in ("enabled", "nbf", "exp"):
            if k in (req.get("attributes") or {}):
                v[k] = req["attributes"][k]
        v["updated"] = int(now())
        return Resp(200, self.bundle(vault, entry, v, False))

    # ---- shapes and listing
    @staticmethod
    def attributes(v: dict) -> dict:
        a = {"enabled": v["enabled"]}
        for k in ("nbf", "exp"):
            if v.get(k) is not None:
                a[k] = int(v[k])
        a.update({"created": int(v["created"]), "updated": int(v["updated"]),
                  "recoveryLevel": "Recoverable+Purgeable", "recoverableDays": 90})
        return a

    def bundle(self, vault: dict, entry: dict, v: dict, with_value: bool) -> dict:
        out = {"value": v["value"]} if with_value else {}
        out["id"] = f"{self.base(vault)}/secrets/{entry['name']}/{v['version']}"
        if v.get("contentType") is not None:
            out["contentType"] = v["contentType"]
        out["attributes"] = self.attributes(v)
        if v.get("tags") is not None:
            out["tags"] = v["tags"]
        return out

    @staticmethod
    def page(items: list[dict], query: dict, link_path: str) -> Resp:
        try:
            maxr = int(query.get("maxresults") or 25)
        except ValueError:
            maxr = 0
        if maxr < 1 or maxr > 25:
            return kv_error(400, "BadParameter", "maxresults must be between 1 and 25.")
        skip = 0
        if query.get("$skiptoken"):
            try:
                skip = int(json.loads(b64url_decode(query["$skiptoken"]))["skip"])
            except Exception:
                return kv_error(400, "BadParameter", "Invalid $skiptoken.")
        nxt = None
        if skip + maxr < len(items):
            tokn = b64url(json.dumps({"skip": skip + maxr}).encode())
            nxt = f"{link_path}?api-version={query.get('api-version')}&$skiptoken={tokn}&maxresults={maxr}"
        return Resp(200, {"value": items[skip:skip + maxr], "nextLink": nxt})

    def versions(self, vault: dict, entry: dict | None, name: str, query: dict) -> Resp:
        items = [self.bundle(vault, entry, v, False)
                 for v in sorted(entry["versions"], key=lambda x: x["created"])] if entry else []
        return self.page(items, query, f"{self.base(vault)}/secrets/{name}/versions")

    def list_all(self, vault: dict, query: dict) -> Resp:
        items = []
        for entry in sorted(vault["secrets"].values(), key=lambda e: e["name"].lower()):
            if not entry["versions"]:
                continue
            it = self.bundle(vault, entry, entry["versions"][-1], False)
            it["id"] = f"{self.base(vault)}/secrets/{entry['name']}"
            items.append(it)
        return self.page(items, query, f"{self.base(vault)}/secrets")
