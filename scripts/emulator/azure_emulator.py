#!/usr/bin/env python3
"""Local HTTPS emulator of the Azure services used by rotate-credential.

One process, one port, routed by path prefix:

    /login/{tenant}/oauth2/v2.0/token          Microsoft Entra token endpoint
    /graph/v1.0/...                            Microsoft Graph (applications)
    /ado/{org}/...                             Azure DevOps (service endpoints, OIDC)
    /vssps/{org}/_apis/tokens/pats             Azure DevOps PAT lifecycle API
    /kv/{vault}/secrets/...                    Azure Key Vault secrets
    /_emulator/...                             control API (no auth, not logged)

Usage:
    python3 azure_emulator.py [--fixture FILE] [--port 0] [--workdir DIR] [--verbose]

Prints one JSON line {"baseUrl", "caFile", "pid"} on stdout, then serves until
SIGTERM/SIGINT.  Python 3.11 standard library + the openssl CLI only.
See README.md next to this file for the fixture, the quirks and the control API.
"""

from __future__ import annotations

import argparse
import base64
import collections
import copy
import datetime as dt
import hashlib
import http.server
import json
import os
import re
import secrets as pysecrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_FIXTURE = os.path.join(HERE, "default_fixture.json")

ADO_RESOURCE = "499b84ac-1321-427f-aa17-267ca6975798"
GRAPH_RESOURCES = {
    "https://graph.microsoft.com", "https://graph.microsoft.us",
    "https://dod-graph.microsoft.us", "https://microsoftgraph.chinacloudapi.cn",
    "00000003-0000-0000-c000-000000000000",
}
KV_RESOURCES = {"https://vault.azure.net", "https://vault.usgovcloudapi.net", "https://vault.azure.cn",
                "cfa8b339-82a2-471a-a3c9-0fc0be7a4093"}
RESERVED_SCOPES = {"openid", "profile", "offline_access", "email"}
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

KNOWN_PAT_SCOPES = set("""
app_token vso.agentpools vso.agentpools_manage vso.analytics vso.auditlog vso.build vso.build_execute
vso.code vso.code_write vso.code_manage vso.code_full vso.code_status vso.connected_server vso.dashboards
vso.dashboards_manage vso.entitlements vso.environment_manage vso.extension vso.extension_manage
vso.extension.data vso.extension.data_write vso.graph vso.graph_manage vso.hooks_write vso.identity
vso.identity_manage vso.machinegroup_manage vso.memberentitlementmanagement vso.memberentitlementmanagement_write
vso.notification vso.notification_write vso.notification_manage vso.notification_diagnostics vso.packaging
vso.packaging_write vso.packaging_manage vso.pats vso.pats_manage vso.profile vso.profile_write vso.project
vso.project_write vso.project_manage vso.release vso.release_execute vso.release_manage vso.securefiles_read
vso.securefiles_write vso.securefiles_manage vso.security_manage vso.serviceendpoint vso.serviceendpoint_query
vso.serviceendpoint_manage vso.symbols vso.symbols_write vso.symbols_manage vso.taskgroups_read
vso.taskgroups_write vso.taskgroups_manage vso.test vso.test_write vso.threads_full vso.tokens
vso.tokenadministration vso.variablegroups_read vso.variablegroups_write vso.variablegroups_manage vso.wiki
vso.wiki_write vso.work vso.work_write vso.work_full vso.advsec vso.advsec_write vso.advsec_manage
""".split())

def _loc(lid, area, resource, template, version=4, released="7.1"):
    return {"id": lid, "area": area, "resourceName": resource, "routeTemplate": template,
            "routeName": f"{area}-{resource}", "resourceVersion": version, "minVersion": 1.0,
            "maxVersion": 7.2, "releasedVersion": released}


API_LOCATIONS = [
    _loc("e81700f7-3be2-46de-8624-2eb35882fcaa", "Location", "ResourceAreas", "_apis/{resource}/{areaId}", 1, "0.0"),
    _loc("e85f1c62-adfc-4b74-b618-11a150fb195e", "serviceendpoint", "endpoints",
         "{project}/_apis/{area}/{resource}/{endpointId}"),
    _loc("14e48fdc-2c8b-41ce-a0c3-e26f6cc55bd0", "serviceendpoint", "endpoints",
         "_apis/{area}/{resource}/{endpointId}"),
    _loc("69a319f4-28c1-4bfd-93e6-ea0ff5c6f1a2", "distributedtask", "oidctoken",
         "{scopeIdentifier}/_apis/{area}/hubs/{hubName}/plans/{planId}/jobs/{jobId}/{resource}", 1, "7.1"),
]

ENDPOINT_SECRET_PARAMS = ("serviceprincipalkey", "password", "servicePrincipalCertificate", "apitoken",
                          "accessToken", "certificate", "key")

VERBOSE = False


def log(msg: str) -> None:
    if VERBOSE:
        sys.stderr.write(f"[azure-emulator] {msg}\n")
        sys.stderr.flush()


# --------------------------------------------------------------------------- helpers

def now() -> float:
    return time.time()


def iso7(ts: float) -> str:
    """2026-01-02T03:04:05.1234567Z (the 7-digit form Azure DevOps and Graph use)."""
    d = dt.datetime.fromtimestamp(ts, dt.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond:06d}0Z"


_ISO_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*(Z|z|[+-]\d{2}:?\d{2})?$")
_REL_RE = re.compile(r"^(?:now)?\s*([+-])\s*(\d+(?:\.\d+)?)\s*([smhd])$")


def parse_time(value, base: float | None = None) -> float | None:
    """Parse ISO-8601 (any fraction length, Z/offset/none = UTC), epoch numbers,
    or fixture-relative forms: "now", "+3d", "-85d", "+2h", "-30m", "+10s"."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return float(value)
    s = str(value).strip()
    base = now() if base is None else base
    if s == "now":
        return base
    m = _REL_RE.match(s)
    if m:
        n = float(m.group(2)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(3)]
        return base + n if m.group(1) == "+" else base - n
    m = _ISO_RE.match(s)
    if not m:
        raise ValueError(f"bad date-time: {s!r}")
    y, mo, d, h, mi = (int(m.group(i)) for i in range(1, 6))
    sec = int(m.group(6) or 0)
    frac = float(m.group(7) or 0)
    t = dt.datetime(y, mo, d, h, mi, sec, tzinfo=dt.timezone.utc).timestamp() + frac
    tz = m.group(8)
    if tz and tz not in ("Z", "z"):
        sign = 1 if tz[0] == "+" else -1
        tz = tz[1:].replace(":", "")
        t -= sign * (int(tz[:2]) * 3600 + int(tz[2:]) * 60)
    return t


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def make_jwt(payload: dict) -> str:
    header = {"typ": "JWT", "alg": "RS256", "kid": "azure-emulator"}
    return ".".join([b64url(json.dumps(header, separators=(",", ":")).encode()),
                     b64url(json.dumps(payload, separators=(",", ":")).encode()),
                     b64url(pysecrets.token_bytes(64))])


def jwt_payload(token: str) -> dict | None:
    try:
        parts = token.split(".")
        if len(parts) != 3:
            return None
        return json.loads(b64url_decode(parts[1]))
    except Exception:
        return None


def new_pat_value() -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    return "".join(pysecrets.choice(alphabet) for _ in range(52))


def new_client_secret() -> str:
    """40 chars like Entra's: 3 chars + '8Q~' + 34 chars, containing ~ . _ -"""
    alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    full = alnum + "~._-"
    head = "".join(pysecrets.choice(alnum) for _ in range(3)) + "8Q~"
    tail = [pysecrets.choice(full) for _ in range(30)] + list("._-~")
    # shuffle the tail so the punctuation is not always at the end
    for i in range(len(tail) - 1, 0, -1):
        j = pysecrets.randbelow(i + 1)
        tail[i], tail[j] = tail[j], tail[i]
    return head + "".join(tail)


def guid() -> str:
    return str(uuid.uuid4())


def lower_keys(d: dict) -> dict:
    return {k.lower(): v for k, v in d.items()}


# --------------------------------------------------------------------------- certificates

def generate_certs(workdir: str, ca_dir: str | None = None) -> tuple[str, str, str]:
    """CA + server cert (SAN IP:127.0.0.1, IP:::1, DNS:localhost) via the openssl CLI.
    The CA is name-constrained to loopback. With ca_dir, an existing ca.pem/ca.key there is reused
    (so it can be trusted once, e.g. in the system store), else created there."""
    ca_home = ca_dir or workdir
    os.makedirs(ca_home, mode=0o700, exist_ok=True)
    ca_key = os.path.join(ca_home, "ca.key")
    ca_pem = os.path.join(ca_home, "ca.pem")
    srv_key = os.path.join(workdir, "server.key")
    srv_csr = os.path.join(workdir, "server.csr")
    srv_pem = os.path.join(workdir, "server.pem")
    ext = os.path.join(workdir, "server.ext")

    def run(*args):
        r = subprocess.run(["openssl", *args], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"openssl {' '.join(args[:2])} failed: {r.stderr}")

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    if not (ca_dir and os.path.exists(ca_pem) and os.path.exists(ca_key)):
        run("req", "-x509", *ec, "-keyout", ca_key, "-out", ca_pem, "-days", "3650" if ca_dir else "30",
            "-sha256", "-subj", "/CN=Azure Emulator Test CA (loopback only)",
            "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            "-addext", "nameConstraints=critical,permitted;IP:127.0.0.0/255.0.0.0,"
                       "permitted;IP:0:0:0:0:0:0:0:1/FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF,permitted;DNS:localhost",
            "-addext", "subjectKeyIdentifier=hash")
    os.chmod(ca_key, 0o600)
    run("req", "-new", *ec, "-keyout", srv_key, "-out", srv_csr, "-subj", "/CN=localhost")
    os.chmod(srv_key, 0o600)
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\n"
                "basicConstraints=critical,CA:FALSE\n"
                "keyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\n"
                "subjectKeyIdentifier=hash\n"
                "authorityKeyIdentifier=keyid,issuer\n")
    run("x509", "-req", "-in", srv_csr, "-CA", ca_pem, "-CAkey", ca_key, "-CAcreateserial",
        "-out", srv_pem, "-days", "30", "-sha256", "-extfile", ext)
    return ca_pem, srv_pem, srv_key


# --------------------------------------------------------------------------- responses

class Resp:
    def __init__(self, status: int, body=None, headers: dict | None = None,
                 content_type: str | None = "application/json; charset=utf-8", raw: bytes | None = None):
        self.status = status
        self.headers = dict(headers or {})
        self.drop = False
        if raw is not None:
            self.body = raw
        elif body is None and status in (204, 302) and content_type == "application/json; charset=utf-8":
            self.body = b""
            content_type = None
        elif isinstance(body, (bytes, bytearray)):
            self.body = bytes(body)
        elif isinstance(body, str) and content_type and "json" not in content_type:
            self.body = body.encode()
        else:
            self.body = json.dumps(body).encode()
        if content_type and self.body is not None and (self.body or status not in (204, 304)):
            self.headers.setdefault("Content-Type", content_type)


def signin_page(base: str) -> Resp:
    html = ("<!DOCTYPE html><html><head><title>Azure DevOps Services | Sign In</title></head>"
            "<body><p>Sign in to continue to Azure DevOps.</p>"
            f"<a href=\"{base}/vssps/_signin\">Sign in</a></body></html>")
    return Resp(203, html, {"X-TFS-FedAuthRedirect": f"{base}/vssps/_signin",
                            "X-TFS-ProcessId": guid()}, content_type="text/html; charset=utf-8")


def vss_error(status: int, message: str, type_key: str, type_ns: str = "Microsoft.VisualStudio.Services.WebApi",
              headers: dict | None = None, error_code: int = 0, event_id: int = 3000) -> Resp:
    body = {"$id": "1", "innerException": None, "message": message,
            "typeName": f"{type_ns}.{type_key}, {type_ns}",
            "typeKey": type_key, "errorCode": error_code, "eventId": event_id}
    return Resp(status, body, headers)


def graph_error(status: int, code: str, message: str, req_id: str, client_req_id: str | None = None,
                details: list | None = None, headers: dict | None = None) -> Resp:
    err = {"code": code, "message": message}
    if details is not None:
        err["details"] = details
    err["innerError"] = {"date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"),
                         "request-id": req_id, "client-request-id": client_req_id or req_id}
    return Resp(status, {"error": err}, headers)


def kv_error(status: int, code: str, message: str, inner: str | None = None, headers: dict | None = None) -> Resp:
    err = {"code": code, "message": message}
    if inner:
        err["innererror"] = {"code": inner}
    h = dict(headers or {})
    h["x-ms-error-code"] = code
    return Resp(status, {"error": err}, h)


def aad_error(status: int, error: str, code: int, text: str) -> Resp:
    trace, corr = guid(), guid()
    ts = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
    desc = f"AADSTS{code}: {text} Trace ID: {trace} Correlation ID: {corr} Timestamp: {ts}"
    return Resp(status, {"error": error, "error_description": desc, "error_codes": [code],
                         "timestamp": ts, "trace_id": trace, "correlation_id": corr,
                         "error_uri": f"https://login.microsoftonline.com/error?code={code}"},
                {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"})


# --------------------------------------------------------------------------- state

class State:
    """All mutable emulator state. Every access happens under self.lock."""

    def __init__(self, fixture: dict, base_url: str):
        self.lock = threading.RLock()
        self.base = base_url
        self.launch_fixture = copy.deepcopy(fixture)
        self.issued_list: list[str] = []
        self.issued_set: set[str] = set()
        self.requests: list[dict] = []
        self.seq = 0
        self.faults: list[dict] = []
        self.config = {"delayMs": 0, "throttle": None, "replicationDelaySeconds": 0, "patPageSize": 20}
        self.windows: dict[str, collections.deque] = {}
        self.load(fixture)

    # ---- secrets registry
    def remember(self, value) -> None:
        if isinstance(value, str) and value and value not in self.issued_set:
            self.issued_set.add(value)
            self.issued_list.append(value)

    # ---- fixture
    def load(self, fx: dict) -> None:
        t0 = now()
        T = lambda v: parse_time(v, t0)  # noqa: E731
        fx = copy.deepcopy(fx)
        self.fixture = fx
        self.tenant = fx["tenant"]
        self.org = fx["organization"]
        self.projects = fx["organization"].get("projects", [])
        self.job = fx.get("job", {})
        self.job_token = fx.get("jobAccessToken", {})
        self.remember(self.job_token.get("token"))
        self.policies = {"patMaxLifespanDays": 365, "restrictGlobalPat": False, "restrictFullScopePat": False}
        self.policies.update(fx.get("policies", {}))
        self.users = {}
        for u in fx.get("users", []):
            u = dict(u)
            u.setdefault("objectId", guid())
            u.setdefault("orgMember", True)
            self.users[u["username"].lower()] = u
            self.remember(u.get("password"))
        self.apps = {}
        for a in fx.get("apps", []):
            a = dict(a)
            a.setdefault("objectId", guid())
            a.setdefault("servicePrincipalObjectId", guid())
            a.setdefault("owners", [])
            a.setdefault("roles", [])
            a.setdefault("publicClient", False)
            a.setdefault("orgMember", False)
            a.setdefault("federatedCredentials", [])
            creds = []
            for p in a.get("passwordCredentials", []):
                secret = p.get("secretText") or new_client_secret()
                start = T(p.get("startDateTime", "-1d"))
                creds.append({"keyId": p.get("keyId") or guid(), "displayName": p.get("displayName"),
                              "secretText": secret, "hint": secret[:3], "start": start,
                              "end": T(p.get("endDateTime", "+730d")), "addedAt": start})
                self.remember(secret)
            a["passwordCredentials"] = creds
            self.apps[a["appId"].lower()] = a
        self.pats = []
        for p in fx.get("pats", []):
            tok = p.get("token") or new_pat_value()
            self.remember(tok)
            self.pats.append({"authorizationId": p.get("authorizationId") or guid(), "owner": p["owner"].lower(),
                              "displayName": p["displayName"], "scope": p.get("scope", "vso.code"),
                              "allOrgs": bool(p.get("allOrgs", False)), "validFrom": T(p.get("validFrom", "-1d")),
                              "validTo": T(p.get("validTo", "+30d")), "token": tok,
                              "revoked": bool(p.get("revoked", False))})
        self.endpoints = {}
        for e in fx.get("endpoints", []):
            e = copy.deepcopy(e)
            fail = e.pop("failReadinessAfterUpdate", False)
            admins = e.pop("administrators", None)
            e.setdefault("isReady", True)
            e.setdefault("operationStatus", {"state": "Ready", "statusMessage": ""})
            for k, v in (e.get("authorization", {}).get("parameters") or {}).items():
                if k in ENDPOINT_SECRET_PARAMS:
                    self.remember(v)
            self.endpoints[e["id"].lower()] = {"body": e, "failReadinessAfterUpdate": fail, "administrators": admins}
        self.vaults = {}
        for v in fx.get("vaults", []):
            vault = {"name": v["name"], "secretsOfficers": [x.lower() for x in v.get("secretsOfficers", [])],
                     "readers": [x.lower() for x in v.get("secretsUsers", [])],
                     "deletedSecrets": [x.lower() for x in v.get("deletedSecrets", [])], "secrets": {}}
            for name, versions in (v.get("secrets") or {}).items():
                if isinstance(versions, dict):
                    versions = [versions]
                entry = {"name": name, "versions": []}
                for ver in versions:
                    created = T(ver.get("created", "-1d"))
                    entry["versions"].append({
                        "version": ver.get("version") or uuid.uuid4().hex, "value": ver["value"],
                        "contentType": ver.get("contentType"), "tags": ver.get("tags"),
                        "enabled": ver.get("enabled", True), "nbf": T(ver.get("nbf")), "exp": T(ver.get("exp")),
                        "created": created, "updated": T(ver.get("updated")) or created})
                    self.remember(ver["value"])
                vault["secrets"][name.lower()] = entry
            self.vaults[v["name"].lower()] = vault
        self.tokens: dict[str, dict] = {}
        self.refresh_tokens: dict[str, dict] = {}
        self.oidc: dict[str, dict] = {}
        self.windows = {}

    # ---- clock
    def advance(self, hours: float) -> None:
        d = hours * 3600.0
        for a in self.apps.values():
            for p in a["passwordCredentials"]:
                p["start"] -= d
                p["end"] -= d
                p["addedAt"] -= d
        for p in self.pats:
            p["validFrom"] -= d
            p["validTo"] -= d
        for store in (self.tokens, self.refresh_tokens, self.oidc):
            for t in store.values():
                t["exp"] -= d
                if "iat" in t:
                    t["iat"] -= d
        for v in self.vaults.values():
            for s in v["secrets"].values():
                for ver in s["versions"]:
                    for k in ("created", "updated", "nbf", "exp"):
                        if ver.get(k) is not None:
                            ver[k] -= d

    # ---- lookups
    def project(self, key: str) -> dict | None:
        k = urllib.parse.unquote(key).lower()
        for p in self.projects:
            if p["name"].lower() == k or p["id"].lower() == k:
                return p
        return None

    def token_info(self, token: str) -> dict | None:
        info = self.tokens.get(token)
        if info and info["exp"] > now():
            return info
        return None

    def principal_ids(self, info: dict) -> set[str]:
        ids = set()
        for k in ("appId", "oid", "username"):
            if info.get(k):
                ids.add(str(info[k]).lower())
        return ids

    def is_org_member(self, info: dict) -> bool:
        if info["kind"] == "user":
            u = self.users.get(info["username"].lower())
            return bool(u and u.get("orgMember"))
        a = self.apps.get(info["appId"].lower())
        return bool(a and a.get("orgMember"))

    def snapshot(self) -> dict:
        apps = []
        for a in self.apps.values():
            a2 = {k: v for k, v in a.items() if k != "passwordCredentials"}
            a2["passwordCredentials"] = [
                {"keyId": p["keyId"], "displayName": p["displayName"], "secretText": p["secretText"],
                 "hint": p["hint"], "startDateTime": iso7(p["start"]), "endDateTime": iso7(p["end"]),
                 "addedDateTime": iso7(p["addedAt"])} for p in a["passwordCredentials"]]
            apps.append(a2)
        pats = [{**{k: v for k, v in p.items() if k not in ("validFrom", "validTo")},
                 "validFrom": iso7(p["validFrom"]), "validTo": iso7(p["validTo"])} for p in self.pats]
        vaults = []
        for v in self.vaults.values():
            secrets_out = {}
            for s in v["secrets"].values():
                secrets_out[s["name"]] = [
                    {**{k: val for k, val in ver.items()},
                     "id": f"{self.base}/kv/{v['name']}/secrets/{s['name']}/{ver['version']}"}
                    for ver in s["versions"]]
            vaults.append({"name": v["name"], "secretsOfficers": v["secretsOfficers"],
                           "deletedSecrets": v["deletedSecrets"], "secrets": secrets_out})
        return {
            "baseUrl": self.base, "now": iso7(now()),
            "tenant": self.tenant, "organization": self.org, "job": self.job, "jobAccessToken": self.job_token,
            "policies": self.policies, "users": list(self.users.values()), "apps": apps, "pats": pats,
            "endpoints": [{**e["body"], "failReadinessAfterUpdate": e["failReadinessAfterUpdate"]}
                          for e in self.endpoints.values()],
            "vaults": vaults, "config": self.config, "faults": self.faults,
            "tokens": [{"kind": t["kind"], "audience": t["aud"], "appId": t.get("appId"),
                        "username": t.get("username"), "expires": iso7(t["exp"])} for t in self.tokens.values()],
            "requests": self.requests, "issuedSecrets": list(self.issued_list),
        }


# --------------------------------------------------------------------------- the emulator

class Emulator:
    def __init__(self, state: State):
        self.s = state
        self.kv_root = False  # set per request (under the state lock): request came via the root alias

    def vault_base(self, vault: dict) -> str:
        return self.s.base if self.kv_root else f"{self.s.base}/kv/{vault['name']}"

    # ------------------------------------------------------------ tokens
    def issue_token(self, aud_kind: str, resource: str, kind: str, tenant_id: str, app: dict,
                    user: dict | None = None, refresh: bool = False) -> dict:
        s = self.s
        t = now()
        oid = user["objectId"] if user else app["servicePrincipalObjectId"]
        payload = {"aud": resource, "iss": f"https://sts.windows.net/{tenant_id}/", "iat": int(t),
                   "nbf": int(t), "exp": int(t + 3599), "appid": app["appId"], "oid": oid, "tid": tenant_id,
                   "sub": oid, "ver": "1.0", "jti": guid(), "idtyp": kind}
        if user:
            payload["upn"] = user["username"]
            payload["scp"] = "user_impersonation"
        else:
            payload["roles"] = app.get("roles", [])
        tok = make_jwt(payload)
        info = {"aud": aud_kind, "resource": resource, "kind": kind, "appId": app["appId"], "oid": oid,
                "tenant": tenant_id, "exp": t + 3599, "iat": t, "username": user["username"] if user else None}
        s.tokens[tok] = info
        s.remember(tok)
        out = {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": tok}
        if refresh:
            rt = "0.A" + b64url(pysecrets.token_bytes(96))
            s.refresh_tokens[rt] = dict(info, exp=t + 90 * 86400)
            s.remember(rt)
            out["refresh_token"] = rt
            out["scope"] = f"{resource}/user_impersonation" if aud_kind == "ado" else f"{resource}/.default"
        return out

    def resource_kind(self, resource: str) -> str | None:
        r = resource.rstrip("/")
        if r.lower() == ADO_RESOURCE or r.lower() in ("https://app.vssps.visualstudio.com",):
            return "ado"
        if r in GRAPH_RESOURCES or r == f"{self.s.base}/graph":
            return "graph"
        if r in KV_RESOURCES:
            return "kv"
        return None

    def login(self, method: str, parts: list[str], query: dict, form: dict, headers: dict) -> Resp:
        s = self.s
        # /login/{tenant}/v2.0/.well-known/openid-configuration  (discovery, used by MSAL)
        if method == "GET" and len(parts) >= 3 and parts[-1] == "openid-configuration":
            tenant = parts[1]
            tid = s.tenant["id"] if tenant.lower() in (s.tenant["id"], s.tenant.get("domain", "").lower()) else tenant
            root = f"{s.base}/login/{tenant}"
            return Resp(200, {"token_endpoint": f"{root}/oauth2/v2.0/token",
                              "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
                              "device_authorization_endpoint": f"{root}/oauth2/v2.0/devicecode",
                              "issuer": f"https://login.microsoftonline.com/{tid}/v2.0",
                              "jwks_uri": f"{root}/discovery/v2.0/keys",
                              "end_session_endpoint": f"{root}/oauth2/v2.0/logout",
                              "response_types_supported": ["code", "id_token", "code id_token", "token id_token"],
                              "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt",
                                                                        "client_secret_basic"],
                              "tenant_region_scope": "NA", "cloud_instance_name": "microsoftonline.com"})
        # /login/common/userrealm/{user}  (MSAL's home realm discovery for ROPC)
        if method == "GET" and len(parts) >= 4 and parts[2] == "userrealm":
            user = urllib.parse.unquote(parts[3])
            return Resp(200, {"ver": "1.0", "account_type": "Managed", "domain_name": user.split("@")[-1],
                              "cloud_instance_name": "microsoftonline.com", "cloud_audience_urn": "urn:federation:MicrosoftOnline"})
        if not (len(parts) == 5 and parts[2:] == ["oauth2", "v2.0", "token"]):
            return aad_error(404, "invalid_request", 90002 if len(parts) < 2 else 900561,
                             "The endpoint only accepts POST requests to /{tenant}/oauth2/v2.0/token.")
        if method != "POST":
            return aad_error(405, "invalid_request", 900561, "The endpoint only accepts POST requests.")
        tenant = urllib.parse.unquote(parts[1]).lower()
        grant = form.get("grant_type")
        if tenant in ("common", "consumers") and grant in ("password", "client_credentials"):
            return aad_error(400, "invalid_request", 9001023,
                             "The grant type isn't supported over the /common or /consumers endpoints. "
                             "Please use the /organizations or tenant-specific endpoint.")
        if tenant not in (s.tenant["id"].lower(), s.tenant.get("domain", "").lower(), "organizations"):
            return aad_error(400, "invalid_request", 90002, f"Tenant '{tenant}' not found. Check to make sure "
                             "you have the correct tenant ID and are signing into the correct cloud.")
        tenant_id = s.tenant["id"]
        if not grant:
            return aad_error(400, "invalid_request", 900144,
                             "The request body must contain the following parameter: 'grant_type'.")
        if grant not in ("client_credentials", "password", "refresh_token"):
            return aad_error(400, "unsupported_grant_type", 70003,
                             f"The app requested an unsupported grant type '{grant}'.")
        # HTTP Basic client authentication (RFC 6749 2.3.1)
        client_id = form.get("client_id")
        client_secret = form.get("client_secret")
        auth = headers.get("authorization", "")
        if auth.lower().startswith("basic "):
            try:
                cid, _, csec = base64.b64decode(auth[6:].strip()).decode().partition(":")
                client_id = client_id or urllib.parse.unquote_plus(cid)
                client_secret = client_secret or urllib.parse.unquote_plus(csec)
            except Exception:
                pass
        if not client_id:
            return aad_error(400, "invalid_request", 900144,
                             "The request body must contain the following parameter: 'client_id'.")
        app = s.apps.get(client_id.lower())
        if not app:
            return aad_error(400, "unauthorized_client", 700016,
                             f"Application with identifier '{client_id}' was not found in the directory "
                             f"'{s.tenant.get('domain', tenant_id)}'. This can happen if the application has not "
                             "been installed by the administrator of the tenant or consented to by any user in "
                             "the tenant. You may have sent your authentication request to the wrong tenant.")

        if grant == "refresh_token":
            rt = s.refresh_tokens.get(form.get("refresh_token", ""))
            if not rt or rt["exp"] <= now() or rt["appId"].lower() != app["appId"].lower():
                return aad_error(400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.")
            user = s.users.get((rt.get("username") or "").lower())
            kind = self.resource_kind(rt["resource"])
            return Resp(200, self.issue_token(kind, rt["resource"], "user", tenant_id, app, user, refresh=True))

        # --- scope
        scope_raw = form.get("scope")
        if not scope_raw:
            return aad_error(400, "invalid_request", 900144,
                             "The request body must contain the following parameter: 'scope'.")
        scopes = [x for x in scope_raw.split() if x not in RESERVED_SCOPES]
        if len(scopes) != 1:
            if len({x.rsplit("/", 1)[0] for x in scopes}) > 1:
                return aad_error(400, "invalid_scope", 700022, "The provided value for the input parameter scope "
                                 "is not valid because it contains more than one resource.")
            return aad_error(400, "invalid_scope", 70011, f"The provided value for the input parameter 'scope' "
                             f"is not valid. The scope {scope_raw} is not valid.")
        scope = scopes[0]
        if not scope.endswith("/.default"):
            return aad_error(400, "invalid_scope", 70011, f"The provided value for the input parameter 'scope' "
                             f"is not valid. The scope {scope} is not valid. .default scope is required.")
        resource = scope[: -len("/.default")]
        kind = self.resource_kind(resource)
        if kind is None:
            return aad_error(400, "invalid_resource", 500011, f"The resource principal named {resource} was not "
                             f"found in the tenant named {s.tenant.get('domain', tenant_id)}. This can happen if "
                             "the application has not been installed by the administrator of the tenant or "
                             "consented to by any user in the tenant.")

        # --- client authentication
        assertion = form.get("client_assertion")
        client_ok = False
        if assertion is not None:
            if form.get("client_assertion_type") != JWT_BEARER:
                return aad_error(400, "invalid_request", 50027,
                                 "Invalid client_assertion_type; expected "
                                 "urn:ietf:params:oauth:client-assertion-type:jwt-bearer.")
            o = s.oidc.get(assertion)
            if o is None:
                return aad_error(401, "invalid_client", 700027,
                                 "Client assertion failed signature validation.")
            if o["exp"] <= now():
                return aad_error(400, "invalid_client", 700024,
                                 "Client assertion is not within its valid time range.")
            match = [f for f in app.get("federatedCredentials", [])
                     if f.get("subject") == o["sub"] and f.get("issuer", o["iss"]) == o["iss"]
                     and o["aud"] in f.get("audiences", ["api://AzureADTokenExchange"])]
            if not match:
                return aad_error(400, "invalid_request", 700213,
                                 f"No matching federated identity record found for presented assertion subject "
                                 f"'{o['sub']}'. Check your federated identity credential Subject, Audience and "
                                 "Issuer against the presented assertion.")
            client_ok = True
        elif client_secret is not None:
            r = self.check_secret(app, client_secret)
            if r is not None:
                return r
            client_ok = True

        if grant == "client_credentials":
            if not client_ok:
                return aad_error(401, "invalid_client", 7000218, "The request body must contain the following "
                                 "parameter: 'client_assertion' or 'client_secret'.")
            return Resp(200, self.issue_token(kind, resource, "app", tenant_id, app))

        # --- ROPC
        if not app.get("publicClient") and not client_ok:
            return aad_error(401, "invalid_client", 7000218, "The request body must contain the following "
                             "parameter: 'client_assertion' or 'client_secret'.")
        username, password = form.get("username"), form.get("password")
        if not username:
            return aad_error(400, "invalid_request", 900144,
                             "The request body must contain the following parameter: 'username'.")
        user = s.users.get(username.lower())
        if not user:
            return aad_error(400, "invalid_grant", 50034, f"The user account {username} does not exist in the "
                             f"{s.tenant.get('domain', tenant_id)} directory. To sign into this application, the "
                             "account must be added to the directory.")
        if password != user.get("password"):
            return aad_error(400, "invalid_grant", 50126,
                             "Error validating credentials due to invalid username or password.")
        if user.get("mfaRequired"):
            return aad_error(400, "interaction_required", 50076, "Due to a configuration change made by your "
                             "administrator, or because you moved to a new location, you must use multi-factor "
                             "authentication to access '" + resource + "'.")
        return Resp(200, self.issue_token(kind, resource, "user", tenant_id, app, user, refresh=True))

    def check_secret(self, app: dict, secret: str) -> Resp | None:
        t = now()
        for p in app["passwordCredentials"]:
            if pysecrets.compare_digest(p["secretText"], secret):
                if p["end"] <= t:
                    return aad_error(401, "invalid_client", 7000222,
                                     f"The provided client secret keys for app '{app['appId']}' are expired. "
                                     "Visit the Azure portal to create new keys for your app: "
                                     "https://aka.ms/NewClientSecret, or consider using certificate credentials "
                                     "for added security: https://aka.ms/certCreds.")
                delay = float(self.s.config.get("replicationDelaySeconds") or 0)
                if p["start"] > t or p["addedAt"] + delay > t:
                    break  # not replicated yet / not yet valid: looks exactly like a wrong secret
                return None
        return aad_error(401, "invalid_client", 7000215,
                         "Invalid client secret provided. Ensure the secret being sent in the request is the "
                         f"client secret value, not the client secret ID, for a secret added to app "
                         f"'{app['appId']}'.")

    # ------------------------------------------------------------ Azure DevOps auth
    def ado_principal(self, headers: dict, allow_pat: bool = True):
        """Returns (principal dict, None) or (None, kind) with kind in anon|bad|nonmember."""
        s = self.s
        auth = headers.get("authorization", "")
        if not auth:
            return None, "anon"
        scheme, _, cred = auth.partition(" ")
        cred = cred.strip()
        if scheme.lower() == "bearer":
            if cred and cred == s.job_token.get("token"):
                return {"kind": "job", "id": "build-service"}, None
            info = s.token_info(cred)
            if not info or info["aud"] != "ado":
                return None, "bad"
            if not s.is_org_member(info):
                return None, "nonmember"
            return {"kind": info["kind"], "appId": info["appId"], "username": info.get("username"),
                    "id": (info.get("username") or info["appId"]).lower()}, None
        if scheme.lower() == "basic":
            try:
                user, _, pw = base64.b64decode(cred).decode().partition(":")
            except Exception:
                return None, "bad"
            if pw and pw == s.job_token.get("token"):
                return {"kind": "job", "id": "build-service"}, None
            if allow_pat:
                t = now()
                for p in s.pats:
                    if p["token"] == pw and not p["revoked"] and p["validFrom"] <= t < p["validTo"]:
                        return {"kind": "pat", "username": p["owner"], "id": p["owner"], "scope": p["scope"]}, None
            return None, "bad"
        return None, "bad"

    def ado_unauth(self, headers: dict, kind: str) -> Resp:
        s = self.s
        if kind == "nonmember":
            return vss_error(401, "TF400813: The user is not authorized to access this resource.",
                             "UnauthorizedRequestException", "Microsoft.TeamFoundation.Framework.Server")
        if headers.get("x-tfs-fedauthredirect", "").lower() == "suppress":
            r = vss_error(401, "TF400813: The user '' is not authorized to access this resource.",
                          "UnauthorizedRequestException", "Microsoft.TeamFoundation.Framework.Server")
            r.headers["WWW-Authenticate"] = (f"Bearer authorization_uri={s.base}/login/{s.tenant['id']}, "
                                             f"Basic realm=\"{s.base}/ado/\", TFS-Federated")
            r.headers["X-TFS-ServiceError"] = urllib.parse.quote(
                "TF400813: Resource not available for anonymous access. Client authentication required.")
            r.headers["X-VSS-ResourceTenant"] = s.tenant["id"]
            r.headers["X-TFS-FedAuthRealm"] = f"{s.base}/ado/"
            r.headers["X-VSS-AuthorizationEndpoint"] = f"{s.base}/vssps/{s.org['name']}/"
            return r
        return signin_page(s.base)

    # ------------------------------------------------------------ VSSPS PAT API
    def vssps(self, method: str, parts: list[str], query: dict, body: bytes, headers: dict) -> Resp:
        s = self.s
        # parts: vssps, {org}, _apis, tokens, pats
        if len(parts) != 5 or [p.lower() for p in parts[2:]] != ["_apis", "tokens", "pats"]:
            return vss_error(404, "The resource cannot be found.", "NotFoundException")
        if parts[1].lower() != s.org["name"].lower():
            return vss_error(404, f"TF400813: The organization '{parts[1]}' was not found.",
                             "AccountNotFoundException", "Microsoft.VisualStudio.Services.Account")
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            tok = auth[7:].strip()
            info = s.token_info(tok)
            if tok == s.job_token.get("token") or (info and info["aud"] == "ado" and info["kind"] == "app"):
                return Resp(302, f"<html><head><title>Object moved</title></head><body><h2>Object moved to "
                                 f"<a href=\"{s.base}/vssps/_signin?realm=vssps\">here</a>.</h2></body></html>",
                            {"Location": f"{s.base}/vssps/_signin?realm=vssps&reply_to={s.base}/vssps/"},
                            content_type="text/html; charset=utf-8")
            if not info or info["aud"] != "ado":
                return self.ado_unauth(headers, "bad")
            if not s.is_org_member(info):
                return self.ado_unauth(headers, "nonmember")
            owner = info["username"].lower()
        elif auth.lower().startswith("basic "):
            p, kind = self.ado_principal(headers)
            if not p:
                return self.ado_unauth(headers, kind)
            return vss_error(401, "The requested operation is not allowed.", "InvalidAccessException",
                             "Microsoft.VisualStudio.Services.Common")
        else:
            return self.ado_unauth(headers, "anon")

        ver = query.get("api-version", "")
        if ver in ("7.1", "7.2", "7.0", "6.1", "6.0") or not ver:
            if not ver:
                return vss_error(400, "No api-version was supplied for the \"GET\" request. The version must "
                                 "be supplied either as part of the Accept header (e.g. \"application/json; "
                                 "api-version=1.0\") or as a query parameter (e.g. \"?api-version=1.0\").",
                                 "VssVersionNotSpecifiedException")
            return vss_error(400, f"The requested version \"{ver}\" of the resource is under preview. The "
                             "-preview flag must be supplied in the api-version for such requests. For example: "
                             f"\"{ver}-preview\"", "VssInvalidPreviewVersionException")
        if not re.match(r"^(7\.[12]|6\.1)-preview(\.1)?$", ver):
            return vss_error(400, f"The requested REST API version of {ver} is out of range for this server.",
                             "VssVersionOutOfRangeException")
        mine = [p for p in s.pats if p["owner"] == owner]
        t = now()
        max_life = float(s.policies.get("patMaxLifespanDays") or 365) * 86400

        def result(p, with_token=False, err="none"):
            out = {"patToken": self.pat_json(p, with_token) if p else None, "patTokenError": err}
            if ver.startswith("7.2"):
                out["patTokenErrorMessage"] = None if err == "none" else err
            return Resp(200, out)

        if method == "GET" and "authorizationId" in query:
            aid = query["authorizationId"].lower()
            p = next((x for x in mine if x["authorizationId"].lower() == aid), None)
            return result(p, err="none" if p else "authorizationNotFound")
        if method == "GET":
            return self.pat_list(mine, query)
        if method == "DELETE":
            aid = query.get("authorizationId", "").lower()
            p = next((x for x in mine if x["authorizationId"].lower() == aid), None)
            if not p:
                return result(None, err="authorizationNotFound")
            p["revoked"] = True
            return Resp(204, None)
        if method not in ("POST", "PUT"):
            return vss_error(405, "The requested resource does not support http method '" + method + "'.",
                             "HttpMethodNotAllowedException")
        try:
            req = json.loads(body or b"{}")
            if not isinstance(req, dict):
                raise ValueError
        except Exception:
            return vss_error(400, "TF400898: An Internal Error Occurred. Activity Id: " + guid() + ".",
                             "JsonReaderException", "Newtonsoft.Json")

        def check_scope(scope):
            toks = (scope or "").split()
            if not toks or any(x not in KNOWN_PAT_SCOPES for x in toks):
                return "invalidScope"
            if "app_token" in toks and s.policies.get("restrictFullScopePat"):
                return "fullScopePatPolicyViolation"
            return None

        if method == "POST":
            if not (req.get("displayName") or "").strip():
                return result(None, err="displayNameRequired")
            e = check_scope(req.get("scope"))
            if e:
                return result(None, err=e)
            try:
                valid_to = parse_time(req.get("validTo")) if req.get("validTo") else t + 30 * 86400
            except ValueError:
                return result(None, err="invalidValidTo")
            if valid_to <= t:
                return result(None, err="invalidValidTo")
            all_orgs = bool(req.get("allOrgs"))
            if all_orgs and s.policies.get("restrictGlobalPat"):
                return result(None, err="globalPatPolicyViolation")
            valid_to = min(valid_to, t + max_life)
            p = {"authorizationId": guid(), "owner": owner, "displayName": req["displayName"],
                 "scope": req["scope"], "allOrgs": all_orgs, "validFrom": t, "validTo": round(valid_to, 2),
                 "token": new_pat_value(), "revoked": False}
            s.remember(p["token"])
            s.pats.append(p)
            return result(p, with_token=True)
        # PUT
        aid = str(req.get("authorizationId") or "").lower()
        p = next((x for x in mine if x["authorizationId"].lower() == aid), None)
        if not p or p["revoked"]:
            return result(None, err="authorizationNotFound")
        if p["validTo"] <= t:
            return result(None, err="expiredPatCannotBeExtended")
        if "displayName" in req and req["displayName"] is not None and not str(req["displayName"]).strip():
            return result(None, err="invalidDisplayName")
        if req.get("scope") is not None:
            e = check_scope(req["scope"])
            if e:
                return result(None, err=e)
        if req.get("allOrgs") and s.policies.get("restrictGlobalPat"):
            return result(None, err="globalPatPolicyViolation")
        new_to = None
        if req.get("validTo"):
            try:
                new_to = parse_time(req["validTo"])
            except ValueError:
                return result(None, err="invalidValidTo")
            if new_to <= t:
                return result(None, err="invalidValidTo")
            new_to = round(min(new_to, p["validFrom"] + max_life), 2)
        if req.get("displayName"):
            p["displayName"] = req["displayName"]
        if req.get("scope") is not None:
            p["scope"] = req["scope"]
        if req.get("allOrgs") is not None:
            p["allOrgs"] = bool(req["allOrgs"])
        if new_to is not None:
            p["validTo"] = new_to
        return result(p)

    def pat_json(self, p: dict, with_token: bool = False) -> dict:
        return {"displayName": p["displayName"], "validTo": iso7(p["validTo"]), "scope": p["scope"],
                "targetAccounts": None if p["allOrgs"] else [self.s.org["id"]],
                "validFrom": iso7(p["validFrom"]), "authorizationId": p["authorizationId"],
                "token": p["token"] if with_token else None}

    def pat_list(self, mine: list[dict], query: dict) -> Resp:
        s = self.s
        t = now()
        flt = (query.get("displayFilterOption") or "active").lower()
        if flt not in ("active", "revoked", "expired", "all"):
            return vss_error(400, f"The value '{flt}' is not valid for displayFilterOption.", "ArgumentException",
                             "System")

        def status(p):
            return "revoked" if p["revoked"] else ("expired" if p["validTo"] <= t else "active")
        sel = [p for p in mine if flt == "all" or status(p) == flt]
        sort = (query.get("sortByOption") or "displayName").lower()
        asc = (query.get("isSortAscending") or "true").lower() != "false"
        key = {"displayname": lambda p: p["displayName"].lower(), "displaydate": lambda p: p["validTo"],
               "status": lambda p: status(p)}.get(sort)
        if key is None:
            return vss_error(400, f"The value '{sort}' is not valid for sortByOption.", "ArgumentException", "System")
        sel.sort(key=lambda p: (key(p), p["authorizationId"]), reverse=not asc)
        try:
            top = int(query.get("$top") or s.config.get("patPageSize") or 20)
        except ValueError:
            return vss_error(400, "The value of $top is not valid.", "ArgumentException", "System")
        if top < 1 or top > 100:
            return vss_error(400, "The $top value must be between 1 and 100.", "ArgumentOutOfRangeException",
                             "System")
        size = min(top, int(s.config.get("patPageSize") or 20))
        fingerprint = hashlib.sha256(f"{flt}|{sort}|{asc}".encode()).hexdigest()[:8]
        offset = 0
        ct = query.get("continuationToken")
        if ct:
            try:
                d = json.loads(b64url_decode(ct))
                offset = int(d["o"])
                if d["f"] != fingerprint:
                    raise ValueError
            except Exception:
                return vss_error(400, "The continuation token is not valid for this request.", "ArgumentException",
                                 "System")
        page = sel[offset:offset + size]
        nxt = offset + size
        token = b64url(json.dumps({"o": nxt, "f": fingerprint}).encode()) if nxt < len(sel) else ""
        return Resp(200, {"continuationToken": token, "patTokens": [self.pat_json(p) for p in page]})

    # ------------------------------------------------------------ Azure DevOps (dev.azure.com)
    def ado(self, method: str, parts: list[str], query: dict, body: bytes, headers: dict) -> Resp:
        s = self.s
        if len(parts) < 2 or parts[1].lower() != s.org["name"].lower():
            return vss_error(404, f"TF400813: The organization was not found.", "AccountNotFoundException")
        low = [p.lower() for p in parts]
        # Resource-location discovery used by Microsoft's clients (azure-devops Python/Node):
        # OPTIONS {org}/_apis lists ApiResourceLocations; GET {org}/_apis/ResourceAreas lists none (= all here).
        if method == "OPTIONS" and low[2:] == ["_apis"]:
            return Resp(200, {"count": len(API_LOCATIONS), "value": API_LOCATIONS})
        principal, kind = self.ado_principal(headers)
        if not principal:
            return self.ado_unauth(headers, kind)
        if method == "GET" and low[2:] == ["_apis", "resourceareas"]:
            return Resp(200, {"count": 0, "value": []})
        n = len(low)
        # PUT {org}/_apis/serviceendpoint/endpoints/{id}   (the documented route: no project segment)
        if n == 6 and low[2:5] == ["_apis", "serviceendpoint", "endpoints"]:
            if method != "PUT":
                return vss_error(405, f"The requested resource does not support http method '{method}'.",
                                 "HttpMethodNotAllowedException")
            return self.endpoint_put(parts[5], query, body, principal)
        # {org}/{project}/_apis/serviceendpoint/endpoints[/{id}]
        if n in (6, 7) and low[3:6] == ["_apis", "serviceendpoint", "endpoints"]:
            proj = s.project(parts[2])
            if not proj:
                return vss_error(404, f"TF200016: The following project does not exist: {parts[2]}. Verify "
                                 "that the name of the project is correct and that the project exists on the "
                                 "specified Azure DevOps Server.", "ProjectDoesNotExistWithNameException",
                                 "Microsoft.TeamFoundation.Core.WebApi")
            if n == 6 and method == "GET":
                return self.endpoint_list(proj, query)
            if n == 7 and method == "GET":
                e = s.endpoints.get(low[6])
                if not e or not self.in_project(e, proj):
                    return Resp(200, raw=b"null")
                return Resp(200, self.endpoint_public(e, omit=False))
            if n == 7 and method == "PUT":
                return self.endpoint_put(parts[6], query, body, principal)
            return vss_error(405, f"The requested resource does not support http method '{method}'.",
                             "HttpMethodNotAllowedException")
        # OIDC: {org}/{projectId}/_apis/distributedtask/hubs/{hub}/plans/{planId}/jobs/{jobId}/oidctoken
        if n == 12 and low[3:6] == ["_apis", "distributedtask", "hubs"] and low[7] == "plans" \
                and low[9] == "jobs" and low[11] == "oidctoken":
            if method != "POST":
                return vss_error(405, f"The requested resource does not support http method '{method}'.",
                                 "HttpMethodNotAllowedException")
            return self.oidc_token(parts, query, principal)
        return vss_error(404, "The controller for path '/" + "/".join(parts[1:]) + "' was not found or does "
                         "not implement IController.", "NotFoundException")

    def in_project(self, e: dict, proj: dict) -> bool:
        for r in e["body"].get("serviceEndpointProjectReferences") or []:
            pr = r.get("projectReference") or {}
            if str(pr.get("id", "")).lower() == proj["id"].lower() or str(pr.get("name", "")).lower() == \
                    proj["name"].lower():
                return True
        return False

    def endpoint_public(self, e: dict, omit: bool) -> dict:
        b = copy.deepcopy(e["body"])
        params = (b.get("authorization") or {}).get("parameters")
        if isinstance(params, dict):
            for k in list(params):
                if k in ENDPOINT_SECRET_PARAMS:
                    if omit:
                        del params[k]
                    else:
                        params[k] = None
        return b

    def endpoint_list(self, proj: dict, query: dict) -> Resp:
        s = self.s
        out = [e for e in s.endpoints.values() if self.in_project(e, proj)]
        if query.get("endpointNames"):
            names = [n.strip().lower() for n in query["endpointNames"].split(",") if n.strip()]
            out = [e for e in out if e["body"]["name"].lower() in names]
        if query.get("endpointIds"):
            ids = [n.strip().lower() for n in query["endpointIds"].split(",") if n.strip()]
            out = [e for e in out if e["body"]["id"].lower() in ids]
        if query.get("type"):
            out = [e for e in out if e["body"].get("type", "").lower() == query["type"].lower()]
        if query.get("authSchemes"):
            sch = [x.strip().lower() for x in query["authSchemes"].split(",")]
            out = [e for e in out if (e["body"].get("authorization") or {}).get("scheme", "").lower() in sch]
        if (query.get("includeFailed") or "").lower() != "true":
            out = [e for e in out if (e["body"].get("operationStatus") or {}).get("state") != "Failed"
                   or e["body"].get("isReady", True)]
        vals = [self.endpoint_public(e, omit=True) for e in out]
        return Resp(200, {"count": len(vals), "value": vals})

    def endpoint_put(self, eid: str, query: dict, body: bytes, principal: dict) -> Resp:
        s = self.s
        e = s.endpoints.get(eid.lower())
        if not e:
            return vss_error(404, f"Service connection with id {eid} not found.", "ServiceEndpointNotFoundException",
                             "Microsoft.VisualStudio.Services.ServiceEndpoints.WebApi")
        # permission: Administrator role on the endpoint
        allowed = True
        if principal["kind"] == "job":
            allowed = bool(s.job_token.get("endpointAdministrator"))
        elif e.get("administrators") is not None:
            allowed = principal["id"].lower() in [x.lower() for x in e["administrators"]]
        if not allowed:
            return vss_error(403, f"Access denied. {'Project Collection Build Service (' + s.org['name'] + ')' if principal['kind'] == 'job' else principal['id']}"
                             f" needs Administrator role on the service connection {e['body']['name']} to perform "
                             "this action. For more information, contact the Azure DevOps Server administrator.",
                             "AccessCheckException", "Microsoft.VisualStudio.Services.Security")
        try:
            new = json.loads(body or b"null")
            if not isinstance(new, dict):
                raise ValueError
        except Exception:
            return vss_error(400, "Value cannot be null.\r\nParameter name: endpoint", "ArgumentNullException",
                             "System")
        if str(new.get("id", "")).lower() != eid.lower():
            return vss_error(400, "The id of the service connection in the request body does not match the id in "
                             "the URL.", "ArgumentException", "System")
        if not new.get("serviceEndpointProjectReferences"):
            return vss_error(400, "Value cannot be null.\r\nParameter name: endpoint.ServiceEndpointProjectReferences",
                             "ArgumentNullException", "System")
        if not isinstance(new.get("authorization"), dict):
            return vss_error(400, "Value cannot be null.\r\nParameter name: endpoint.Authorization",
                             "ArgumentNullException", "System")
        old = e["body"]
        old_params = (old.get("authorization") or {}).get("parameters") or {}
        new_params = dict(new["authorization"].get("parameters") or {})
        creation = ((new.get("data") or {}).get("creationMode") or "")
        changed_secret = False
        for k in ENDPOINT_SECRET_PARAMS:
            if k in new_params and new_params[k] is not None:
                if new_params[k] != old_params.get(k):
                    changed_secret = True
            elif k in old_params:
                new_params[k] = old_params[k]  # echoing null keeps the stored secret
        if changed_secret and creation.lower() == "automatic":
            return vss_error(400, f"Unable to update the credentials of the service connection '{old['name']}': "
                             "the credentials of an automatically created service connection cannot be updated. "
                             "Convert the service connection to Manual (data.creationMode) to update its "
                             "credentials.", "ServiceEndpointException",
                             "Microsoft.VisualStudio.Services.ServiceEndpoints.WebApi")
        # server-owned WIF parameters survive the PUT
        for k in ("workloadIdentityFederationIssuer", "workloadIdentityFederationSubject"):
            if k in old_params and not new_params.get(k):
                new_params[k] = old_params[k]
        stored = copy.deepcopy(new)
        stored["authorization"] = dict(new["authorization"], parameters=new_params)
        for k in ("createdBy", "owner"):
            if k in old and k not in stored:
                stored[k] = old[k]
        for k in ENDPOINT_SECRET_PARAMS:
            if new_params.get(k):
                s.remember(new_params[k])
        if e["failReadinessAfterUpdate"]:
            stored["isReady"] = False
            stored["operationStatus"] = {"state": "Failed", "statusMessage": "Failed to verify the service "
                                         "connection: AADSTS7000215: Invalid client secret provided."}
        else:
            stored["isReady"] = True
            stored["operationStatus"] = {"state": "Ready", "statusMessage": ""}
        e["body"] = stored
        return Resp(200, self.endpoint_public(e, omit=False))

    def oidc_token(self, parts: list[str], query: dict, principal: dict) -> Resp:
        s = self.s
        if principal["kind"] != "job":
            return vss_error(403, "The OIDC token can only be requested with the job access token.",
                             "InvalidAccessException", "Microsoft.VisualStudio.Services.Common")
        proj = s.project(parts[2])
        if not proj:
            return vss_error(404, f"TF200016: The following project does not exist: {parts[2]}.",
                             "ProjectDoesNotExistException", "Microsoft.TeamFoundation.Core.WebApi")
        if parts[6].lower() != s.job.get("hub", "build").lower() or \
                parts[8].lower() != s.job.get("planId", "").lower() or parts[10].lower() != s.job.get("jobId", "").lower():
            return vss_error(404, "The plan or job was not found.", "TaskOrchestrationPlanNotFoundException",
                             "Microsoft.TeamFoundation.DistributedTask.WebApi")
        sc = query.get("serviceConnectionId")
        if not sc:
            return vss_error(400, "Value cannot be null.\r\nParameter name: serviceConnectionId",
                             "ArgumentNullException", "System")
        e = s.endpoints.get(sc.lower())
        if not e or not self.in_project(e, proj):
            return vss_error(404, f"Service connection {sc} could not be found, or the pipeline is not "
                             "authorized to use it.", "ServiceEndpointNotFoundException",
                             "Microsoft.VisualStudio.Services.ServiceEndpoints.WebApi")
        t = now()
        iss = f"https://vstoken.dev.azure.com/{s.org['id']}"
        sub = f"sc://{s.org['name']}/{proj['name']}/{e['body']['name']}"
        aud = "api://AzureADTokenExchange"
        tok = make_jwt({"iss": iss, "sub": sub, "aud": aud, "iat": int(t), "nbf": int(t), "exp": int(t + 600),
                        "jti": guid()})
        s.oidc[tok] = {"iss": iss, "sub": sub, "aud": aud, "exp": t + 600, "iat": t}
        s.remember(tok)
        return Resp(200, {"oidcToken": tok})

    # ------------------------------------------------------------ Microsoft Graph
    def graph(self, method: str, parts: list[str], query: dict, body: bytes, headers: dict, rid: str) -> Resp:
        s = self.s
        crid = headers.get("client-request-id")
        # auth
        auth = headers.get("authorization", "")
        if not auth.lower().startswith("bearer ") or not auth[7:].strip():
            return graph_error(401, "InvalidAuthenticationToken", "Access token is empty.", rid, crid)
        tok = auth[7:].strip()
        raw = s.tokens.get(tok)
        if raw is None:
            return graph_error(401, "InvalidAuthenticationToken", "IDX14100: JWT is not well formed.", rid, crid)
        if raw["exp"] <= now():
            return graph_error(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is "
                               "expired.", rid, crid)
        if raw["aud"] != "graph":
            return graph_error(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid "
                               "audience.", rid, crid)
        if len(parts) < 2 or parts[1] != "v1.0":
            return graph_error(400, "BadRequest", "Invalid version.", rid, crid)
        rest = "/".join(parts[2:])
        m = re.match(r"^applications(?:/([0-9a-fA-F-]{36})|\(appId='([^']+)'\))(?:/(addPassword|removePassword|"
                     r"microsoft\.graph\.addPassword|microsoft\.graph\.removePassword))?$", rest)
        if rest == "applications" and method == "GET":
            flt = query.get("$filter", "")
            fm = re.match(r"^\s*appId\s+eq\s+'([^']+)'\s*$", flt)
            if not fm:
                return graph_error(400, "Request_UnsupportedQuery", "Only $filter=appId eq '...' is supported by "
                                   "the emulator.", rid, crid)
            a = s.apps.get(fm.group(1).lower())
            vals = []
            if a and self.graph_can_read(raw, a):
                vals = [self.app_json(a, query.get("$select"))]
            return Resp(200, {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#applications",
                              "value": vals})
        if not m:
            return graph_error(400, "BadRequest", f"Resource not found for the segment '{parts[2] if len(parts) > 2 else ''}'.",
                               rid, crid)
        if m.group(1):
            a = next((x for x in s.apps.values() if x["objectId"].lower() == m.group(1).lower()), None)
            ident = m.group(1)
        else:
            a = s.apps.get(m.group(2).lower())
            ident = m.group(2)
        if not a:
            return graph_error(404, "Request_ResourceNotFound", f"Resource '{ident}' does not exist or one of its "
                               "queried reference-property objects are not present.", rid, crid)
        action = (m.group(3) or "").replace("microsoft.graph.", "")
        if not action:
            if method != "GET":
                return graph_error(405, "Request_BadRequest", "Method not allowed.", rid, crid)
            if not self.graph_can_read(raw, a):
                return graph_error(403, "Authorization_RequestDenied",
                                   "Insufficient privileges to complete the operation.", rid, crid)
            out = {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#applications/$entity"}
            out.update(self.app_json(a, query.get("$select")))
            return Resp(200, out)
        if method != "POST":
            return graph_error(405, "Request_BadRequest", "Method not allowed.", rid, crid)
        if not self.graph_can_write(raw, a):
            return graph_error(403, "Authorization_RequestDenied",
                               "Insufficient privileges to complete the operation.", rid, crid)
        try:
            req = json.loads(body) if body and body.strip() else {}
            if not isinstance(req, dict):
                raise ValueError
        except Exception:
            return graph_error(400, "BadRequest", "Unable to read JSON request payload. Please ensure "
                               "Content-Type header is set and payload is of valid JSON format.", rid, crid)
        t = now()
        if action == "addPassword":
            pc = req.get("passwordCredential") or {}
            try:
                start = parse_time(pc.get("startDateTime")) or t
                end = parse_time(pc.get("endDateTime")) or (start + 2 * 365.25 * 86400)
            except ValueError:
                return graph_error(400, "Request_BadRequest", "Invalid value specified for property "
                                   "'startDateTime' or 'endDateTime' of resource 'PasswordCredential'.", rid, crid)
            if end <= start:
                return graph_error(400, "Request_BadRequest", "Invalid value specified for property "
                                   "'endDateTime' of resource 'PasswordCredential'.", rid, crid)
            max_days = a.get("maxSecretLifetimeDays")
            if max_days and end - start > float(max_days) * 86400 + 60:
                pol = a.get("appManagementPolicyId", "00000000-0000-0000-0000-000000000000")
                return graph_error(400, "CredentialInvalidLifetimeAsPerAppPolicy",
                                   f"Credential lifetime exceeds the max value allowed as per assigned policy "
                                   f"'{pol}'.", rid, crid,
                                   details=[{"code": "InvalidKeyEndDate",
                                             "message": f"Key credential end date is invalid. The maximum allowed "
                                                        f"lifetime is {max_days} days.", "target": "EndDate"}])
            secret = new_client_secret()
            cred = {"keyId": guid(), "displayName": pc.get("displayName"), "secretText": secret,
                    "hint": secret[:3], "start": start, "end": end, "addedAt": t}
            a["passwordCredentials"].append(cred)
            s.remember(secret)
            return Resp(200, {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph."
                                                "passwordCredential",
                              "customKeyIdentifier": None, "displayName": cred["displayName"],
                              "endDateTime": iso7(end), "hint": cred["hint"], "keyId": cred["keyId"],
                              "secretText": secret, "startDateTime": iso7(start)})
        key = str(req.get("keyId") or "")
        if not re.match(r"^[0-9a-fA-F-]{36}$", key):
            return graph_error(400, "Request_BadRequest", "Invalid value specified for property 'keyId' of "
                               "resource 'removePassword'.", rid, crid)
        before = len(a["passwordCredentials"])
        a["passwordCredentials"] = [p for p in a["passwordCredentials"] if p["keyId"].lower() != key.lower()]
        if len(a["passwordCredentials"]) == before:
            return graph_error(400, "Request_BadRequest", f"No password credential found with keyId '{key}'.",
                               rid, crid)
        return Resp(204, None)

    def graph_ids(self, raw: dict) -> set[str]:
        return self.s.principal_ids(raw)

    def graph_can_write(self, raw: dict, target: dict) -> bool:
        if raw["kind"] == "app":
            caller = self.s.apps.get(raw["appId"].lower()) or {}
            if "Application.ReadWrite.All" in caller.get("roles", []) or \
                    "Directory.ReadWrite.All" in caller.get("roles", []):
                return True
        owners = {o.lower() for o in target.get("owners", [])}
        return bool(owners & self.graph_ids(raw))

    def graph_can_read(self, raw: dict, target: dict) -> bool:
        if self.graph_can_write(raw, target):
            return True
        if raw["kind"] == "app":
            caller = self.s.apps.get(raw["appId"].lower()) or {}
            return bool({"Application.Read.All", "Directory.Read.All"} & set(caller.get("roles", [])))
        return True  # signed-in users can read app registrations in their tenant

    def app_json(self, a: dict, select: str | None) -> dict:
        full = {"id": a["objectId"], "appId": a["appId"], "displayName": a.get("displayName"),
                "signInAudience": "AzureADMyOrg", "isFallbackPublicClient": bool(a.get("publicClient")),
                "keyCredentials": [],
                "passwordCredentials": [{"customKeyIdentifier": None, "displayName": p["displayName"],
                                         "endDateTime": iso7(p["end"]), "hint": p["hint"], "keyId": p["keyId"],
                                         "secretText": None, "startDateTime": iso7(p["start"])}
                                        for p in a["passwordCredentials"]]}
        if select:
            fields = [f.strip() for f in select.split(",") if f.strip()]
            return {k: full.get(k) for k in fields}
        return full

    # ------------------------------------------------------------ Key Vault
    def kv(self, method: str, parts: list[str], query: dict, body: bytes, headers: dict) -> Resp:
        s = self.s
        if len(parts) < 2 or parts[1].lower() not in s.vaults:
            return kv_error(404, "VaultNotFound", "The vault was not found.")
        vault = s.vaults[parts[1].lower()]
        auth = headers.get("authorization", "")
        # Real Key Vault names the public authority with the tenant as the ONLY path segment, and Microsoft's
        # SDK reads the tenant as the first path segment (conformance test). Clients must take just the
        # tenant from it and keep their configured authority host. Override with config kvChallengeAuthority.
        authority = (s.config.get("kvChallengeAuthority") or "https://login.windows.net").rstrip("/")
        challenge = {"WWW-Authenticate": f"Bearer authorization=\"{authority}/{s.tenant['id']}\", "
                                         f"resource=\"https://vault.azure.net\""}
        if not auth.lower().startswith("bearer ") or not auth[7:].strip():
            return kv_error(401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.",
                            headers=challenge)
        info = s.token_info(auth[7:].strip())
        if not info:
            return kv_error(401, "Unauthorized", "AKV10022: Invalid audience or the token is expired.",
                            headers=challenge)
        if info["aud"] != "kv":
            return kv_error(401, "Unauthorized", "AKV10022: Invalid audience. Expected https://vault.azure.net, "
                            f"found: {info['resource']}.", headers=challenge)
        ver = query.get("api-version")
        if not ver:
            return kv_error(400, "BadParameter", "The request URI contains an invalid or missing api-version "
                            "query parameter.")
        if not re.match(r"^(7\.\d+|\d{4}-\d{2}-\d{2})(-preview(\.\d+)?)?$", ver):
            return kv_error(400, "BadParameter", f"The specified version ({ver}) is not recognized. Consider "
                            "using the latest supported version (7.5).")
        write = method in ("PUT", "PATCH", "DELETE")
        ids = s.principal_ids(info)
        officer = bool(ids & set(vault["secretsOfficers"]))
        reader = officer or bool(ids & set(vault["readers"]))
        if not (officer if write else reader):
            action = "Microsoft.KeyVault/vaults/secrets/setSecret/action" if write else \
                "Microsoft.KeyVault/vaults/secrets/getSecret/action"
            return kv_error(403, "Forbidden", f"Caller is not authorized to perform action on resource.\r\nIf "
                            f"role assignments, deny assignments or role definitions were changed recently, "
                            f"please observe propagation time.\r\nCaller: appid={info['appId']};oid={info['oid']};"
                            f"iss=https://sts.windows.net/{info['tenant']}/\r\nAction: '{action}'\r\nResource: "
                            f"'/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/rg/providers/"
                            f"microsoft.keyvault/vaults/{vault['name']}/secrets/'\r\nAssignment: (not found)\r\n"
                            f"DenyAssignmentId: null\r\nDecisionReason: null \r\nVault: {vault['name']};location="
                            "westeurope\r\n", inner="ForbiddenByRbac")
        if len(parts) < 3 or parts[2].lower() != "secrets":
            return kv_error(400, "BadParameter", "Unsupported path.")
        rest = parts[3:]
        if rest and rest[-1] == "":
            rest = rest[:-1]
        if not rest:
            if method == "GET":
                return self.kv_list_all(vault, query)
            return kv_error(405, "BadParameter", "Method not allowed.")
        name = rest[0]
        if not re.match(r"^[0-9a-zA-Z-]{1,127}$", name):
            return kv_error(400, "BadParameter", "The request URI contains an invalid name: " + name)
        entry = vault["secrets"].get(name.lower())
        if len(rest) == 2 and rest[1] == "versions" and method == "GET":
            return self.kv_versions(vault, entry, name, query)
        version = rest[1] if len(rest) >= 2 else ""
        if len(rest) > 2:
            return kv_error(400, "BadParameter", "Unsupported path.")
        if method == "PUT" and not version:
            if name.lower() in vault["deletedSecrets"]:
                return kv_error(409, "Conflict", f"Secret {name} is currently in a deleted but recoverable state, "
                                "and its name cannot be reused; in this state, the secret can only be recovered or "
                                "purged.", inner="ObjectIsDeletedButRecoverable")
            try:
                req = json.loads(body or b"null")
                if not isinstance(req, dict):
                    raise ValueError
            except Exception:
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
            s.remember(value)
            return Resp(200, self.kv_bundle(vault, entry, v, True))
        if method == "GET":
            if not entry:
                return kv_error(404, "SecretNotFound", f"A secret with (name/id) {name} was not found in this "
                                "key vault. If you recently deleted this secret you may be able to recover it "
                                "using the correct recovery command. For help resolving this issue, please see "
                                "https://go.microsoft.com/fwlink/?linkid=2125182")
            if version:
                v = next((x for x in entry["versions"] if x["version"] == version.lower()), None)
                if not v:
                    return kv_error(404, "SecretNotFound", f"A secret with (name/id) {name}/{version} was not found "
                                    "in this key vault.")
                if not v["enabled"]:
                    return kv_error(403, "Forbidden", "Operation get is not allowed on a disabled secret.",
                                    inner="SecretDisabled")
            else:
                enabled = [x for x in entry["versions"] if x["enabled"]]
                if not enabled:
                    return kv_error(403, "Forbidden", "Operation get is not allowed on a disabled secret.",
                                    inner="SecretDisabled")
                v = enabled[-1]  # versions are kept in creation order
            return Resp(200, self.kv_bundle(vault, entry, v, True))
        if method == "PATCH":
            if not entry:
                return kv_error(404, "SecretNotFound", f"A secret with (name/id) {name} was not found in this "
                                "key vault.")
            if version:
                v = next((x for x in entry["versions"] if x["version"] == version.lower()), None)
            else:
                v = entry["versions"][-1] if entry["versions"] else None
            if not v:
                return kv_error(404, "SecretNotFound", f"A secret with (name/id) {name}/{version} was not found.")
            try:
                req = json.loads(body or b"{}")
                if not isinstance(req, dict):
                    raise ValueError
            except Exception:
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
            return Resp(200, self.kv_bundle(vault, entry, v, False))
        return kv_error(405, "BadParameter", f"Method {method} is not supported on this path.")

    def kv_attrs(self, v: dict) -> dict:
        a = {"enabled": v["enabled"]}
        for k in ("nbf", "exp"):
            if v.get(k) is not None:
                a[k] = int(v[k])
        a.update({"created": int(v["created"]), "updated": int(v["updated"]),
                  "recoveryLevel": "Recoverable+Purgeable", "recoverableDays": 90})
        return a

    def kv_bundle(self, vault: dict, entry: dict, v: dict, with_value: bool) -> dict:
        out = {}
        if with_value:
            out["value"] = v["value"]
        out["id"] = f"{self.vault_base(vault)}/secrets/{entry['name']}/{v['version']}"
        if v.get("contentType") is not None:
            out["contentType"] = v["contentType"]
        out["attributes"] = self.kv_attrs(v)
        if v.get("tags") is not None:
            out["tags"] = v["tags"]
        return out

    def kv_page(self, items: list[dict], query: dict, link_path: str) -> Resp:
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
        page = items[skip:skip + maxr]
        nxt = None
        if skip + maxr < len(items):
            tokn = b64url(json.dumps({"skip": skip + maxr}).encode())
            nxt = (f"{link_path}?api-version={query.get('api-version')}&$skiptoken={tokn}"
                   f"&maxresults={maxr}")
        return Resp(200, {"value": page, "nextLink": nxt})

    def kv_versions(self, vault: dict, entry: dict | None, name: str, query: dict) -> Resp:
        items = []
        if entry:
            for v in sorted(entry["versions"], key=lambda x: x["created"]):
                items.append(self.kv_bundle(vault, entry, v, False))
        return self.kv_page(items, query, f"{self.vault_base(vault)}/secrets/{name}/versions")

    def kv_list_all(self, vault: dict, query: dict) -> Resp:
        items = []
        for entry in sorted(vault["secrets"].values(), key=lambda e: e["name"].lower()):
            if not entry["versions"]:
                continue
            v = entry["versions"][-1]
            it = self.kv_bundle(vault, entry, v, False)
            it["id"] = f"{self.vault_base(vault)}/secrets/{entry['name']}"
            items.append(it)
        return self.kv_page(items, query, f"{self.vault_base(vault)}/secrets")


# --------------------------------------------------------------------------- HTTP plumbing

SERVICES = {"login", "graph", "ado", "vssps", "kv", "common"}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in separate writes; with Nagle's algorithm on, the client's delayed
    # ACK holds the body back ~40 ms per response, a delay no real service adds.
    disable_nagle_algorithm = True
    server_version = "AzureEmulator/1.0"
    timeout = 300

    def log_message(self, fmt, *args):  # noqa: N802
        log("%s - %s" % (self.address_string(), fmt % args))

    def do_GET(self):  # noqa: N802
        self.dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            data = b""
            while True:
                line = self.rfile.readline()
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def send(self, r: Resp, extra: dict) -> None:
        if r.drop:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.send_response(r.status, "Object moved" if r.status == 302 else None)
        hdrs = dict(extra)
        hdrs.update(r.headers)
        for k, v in hdrs.items():
            self.send_header(k, str(v))
        if r.status not in (204, 304) and not (100 <= r.status < 200):
            self.send_header("Content-Length", str(len(r.body)))
        self.end_headers()
        if self.command != "HEAD" and r.body and r.status not in (204, 304):
            self.wfile.write(r.body)
        self.wfile.flush()

    def dispatch(self):
        st: State = self.server.state  # type: ignore[attr-defined]
        emu: Emulator = self.server.emu  # type: ignore[attr-defined]
        started = time.monotonic()
        try:
            body = self.read_body()
        except Exception:
            self.close_connection = True
            return
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        qs = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        query = {k: v[-1] for k, v in qs.items()}
        headers = {k.lower(): v for k, v in self.headers.items()}
        if path.startswith("/_emulator"):
            self.send(self.control(st, path, body), {})
            return
        parts = [urllib.parse.unquote(p) for p in path.strip("/").split("/")]
        service = parts[0].lower() if parts and parts[0].lower() in SERVICES else "unknown"
        if service == "common":  # MSAL's /common/userrealm discovery lives at the host root
            service, parts = "login", ["login"] + parts
        kv_root = False
        if parts and parts[0].lower() == "secrets" and st.vaults:
            # Root alias of the FIRST vault: {base}/secrets/... with ids {base}/secrets/{name}/{version},
            # the shape Microsoft's Key Vault SDK insists on (vault at the host root).
            service, kv_root = "kv", True
            parts = ["kv", next(iter(st.vaults.values()))["name"]] + parts
        rid = guid()
        extra = self.std_headers(service, rid, headers)
        fault_name = None
        resp = None
        with st.lock:
            fault = self.match_fault(st, self.command, path, query)
        if fault is not None:
            fault_name = fault.get("name") or next(
                k for k in ("status", "delaySeconds", "drop", "signin", "malformed", "patTokenError") if k in fault)
            resp = self.fault_response(st, fault, service)
        if resp is None:
            with st.lock:
                resp = self.throttle(st, service, rid)
        if resp is None:
            try:
                with st.lock:
                    emu.kv_root = kv_root
                    resp = self.route(emu, service, parts, query, body, headers, rid)
            except Exception as exc:  # keep serving, report as a 500
                import traceback
                log(traceback.format_exc())
                resp = Resp(500, {"error": {"code": "EmulatorError", "message": repr(exc)}})
        delay = float(st.config.get("delayMs") or 0) / 1000.0
        if delay > 0:
            time.sleep(delay)
        self.send(resp, extra)
        with st.lock:
            st.seq += 1
            st.requests.append({
                "seq": st.seq, "method": self.command, "path": path, "query": query,
                "status": None if resp.drop else resp.status,
                "durationMs": round((time.monotonic() - started) * 1000, 1), "fault": fault_name,
                "startedAt": started, "finishedAt": time.monotonic(),
                "service": service, "hasAuthorization": "authorization" in headers,
                "requestHeaders": {k: v for k, v in self.headers.items() if k.lower() != "authorization"}})

    def std_headers(self, service: str, rid: str, headers: dict) -> dict:
        h = {"x-ms-request-id": rid, "Cache-Control": "no-cache"}
        if service in ("ado", "vssps"):
            h.update({"ActivityId": rid, "X-VSS-E2EID": guid(), "X-TFS-Session": rid,
                      "X-VSS-SenderDeploymentId": "e8c3d6f4-0000-0000-0000-000000000000"})
        elif service == "graph":
            h.update({"request-id": rid, "client-request-id": headers.get("client-request-id", rid),
                      "x-ms-ags-diagnostic": json.dumps({"ServerInfo": {"DataCenter": "Emulator"}})})
        elif service == "kv":
            h.update({"x-ms-keyvault-service-version": "1.9.0.0", "x-ms-keyvault-region": "westeurope",
                      "x-ms-keyvault-network-info": "conn_type=Ipv4;addr=127.0.0.1;act_addr_fam=InterNetwork;"})
        elif service == "login":
            h.update({"x-ms-ests-server": "2.1.0 - emulator", "client-request-id":
                      headers.get("client-request-id", rid)})
        return h

    def route(self, emu: Emulator, service, parts, query, body, headers, rid) -> Resp:
        if service == "login":
            form = {}
            if body:
                try:
                    form = {k: v[-1] for k, v in urllib.parse.parse_qs(body.decode(), keep_blank_values=True).items()}
                except Exception:
                    form = {}
            return emu.login(self.command, parts, query, form, headers)
        if service == "vssps":
            return emu.vssps(self.command, parts, query, body, headers)
        if service == "ado":
            return emu.ado(self.command, parts, query, body, headers)
        if service == "graph":
            return emu.graph(self.command, parts, query, body, headers, rid)
        if service == "kv":
            return emu.kv(self.command, parts, query, body, headers)
        return Resp(404, {"error": "unknown service prefix", "path": self.path})

    # ---- faults
    @staticmethod
    def match_fault(st: State, method: str, path: str, query: dict) -> dict | None:
        for f in st.faults:
            if f.get("times", 1) == 0:
                continue
            if f.get("method") and f["method"].upper() != method:
                continue
            if f.get("path") and not re.search(f["path"], path):
                continue
            if any(str(query.get(k)) != str(v) for k, v in (f.get("query") or {}).items()):
                continue
            if f.get("skip", 0) > 0:
                f["skip"] -= 1
                continue
            if f.get("times", 1) > 0:
                f["times"] = f.get("times", 1) - 1
            f["hits"] = f.get("hits", 0) + 1
            return dict(f)
        return None

    def fault_response(self, st: State, f: dict, service: str) -> Resp | None:
        if "delaySeconds" in f:
            time.sleep(float(f["delaySeconds"]))
            return None
        if f.get("drop"):
            r = Resp(0, b"")
            r.drop = True
            return r
        if f.get("signin"):
            return signin_page(st.base)
        if f.get("malformed"):
            return Resp(200, raw=b'{"count": 1, "value": [{"id": "3f2a', content_type="application/json; charset=utf-8")
        if "patTokenError" in f:
            return Resp(200, {"patToken": None, "patTokenError": f["patTokenError"]})
        status = int(f.get("status", 500))
        headers = dict(f.get("headers") or {})
        if f.get("retryAfter") is not None:
            headers["Retry-After"] = str(f["retryAfter"])
        if "body" in f:
            b = f["body"]
            if isinstance(b, str):
                return Resp(status, b, headers, content_type="text/plain; charset=utf-8")
            return Resp(status, b, headers)
        return self.default_error(service, status, headers, "Injected fault.")

    @staticmethod
    def default_error(service: str, status: int, headers: dict, msg: str) -> Resp:
        rid = guid()
        if service in ("ado", "vssps"):
            return vss_error(status, f"TF400898: {msg} Activity Id: {rid}.", "InternalServerErrorException",
                             headers=headers)
        if service == "graph":
            code = {429: "TooManyRequests", 503: "serviceNotAvailable", 504: "UnknownError"}.get(status,
                                                                                                  "generalException")
            return graph_error(status, code, msg, rid, headers=headers)
        if service == "kv":
            code = {429: "Throttled", 503: "ServiceUnavailable"}.get(status, "InternalServerError")
            return kv_error(status, code, msg, headers=headers)
        if service == "login":
            r = aad_error(status, "temporarily_unavailable", 90055 if status == 429 else 50033, msg)
            r.headers.update(headers)
            return r
        return Resp(status, {"error": msg}, headers)

    @staticmethod
    def throttle(st: State, service: str, rid: str) -> Resp | None:
        cfg = st.config.get("throttle")
        if not cfg:
            return None
        rps = float(cfg.get("requestsPerSecond", 20))
        retry = cfg.get("retryAfterSeconds", 1)
        win = st.windows.setdefault(service, collections.deque())
        t = time.monotonic()
        while win and win[0] <= t - 1.0:
            win.popleft()
        if len(win) < rps:
            win.append(t)
            return None
        headers = {"Retry-After": str(retry)}
        if service in ("ado", "vssps"):
            headers.update({"X-RateLimit-Resource": "ATCPU", "X-RateLimit-Delay": "0.000",
                            "X-RateLimit-Limit": "200", "X-RateLimit-Remaining": "0",
                            "X-RateLimit-Reset": str(int(time.time()) + int(float(retry)))})
            return vss_error(429, "TF400733: The request has been canceled: Request was blocked due to exceeding "
                             "usage of resource 'ATCPU' in namespace 'User'.", "RequestBlockedException",
                             "Microsoft.TeamFoundation.Framework.Server", headers=headers)
        if service == "graph":
            headers.update({"x-ms-throttle-information": "WriteLimitExceeded",
                            "x-ms-throttle-scope": "Application_Tenant/Write/emulator"})
            return graph_error(429, "TooManyRequests", "Too many requests.", rid, headers=headers)
        if service == "kv":
            return kv_error(429, "Throttled", "Request was not allowed because application exceeded quota of "
                            "the vault.", headers=headers)
        r = aad_error(429, "temporarily_unavailable", 90055, "Too many requests for this tenant. Please try "
                      "again later.")
        r.headers.update(headers)
        return r

    # ---- control API
    def control(self, st: State, path: str, body: bytes) -> Resp:
        try:
            req = json.loads(body) if body and body.strip() else None
        except Exception:
            return Resp(400, {"error": "body is not JSON"})
        sub = path[len("/_emulator"):].rstrip("/")
        m = self.command
        with st.lock:
            if sub == "/state" and m == "GET":
                return Resp(200, st.snapshot())
            if sub in ("/health", "") and m == "GET":
                return Resp(200, {"ok": True, "baseUrl": st.base})
            if sub == "/reset" and m == "POST":
                fx = req if isinstance(req, dict) and req else st.launch_fixture
                try:
                    st.load(fx)
                except Exception as exc:
                    return Resp(400, {"error": f"bad fixture: {exc!r}"})
                st.requests.clear()
                st.faults.clear()
                st.config = {"delayMs": 0, "throttle": None, "replicationDelaySeconds": 0, "patPageSize": 20}
                return Resp(200, {"ok": True})
            if sub == "/requests/clear" and m == "POST":
                st.requests.clear()
                return Resp(200, {"ok": True})
            if sub == "/requests" and m == "GET":
                return Resp(200, st.requests)
            if sub == "/faults" and m == "POST":
                if not isinstance(req, dict):
                    return Resp(400, {"error": "fault rule must be an object"})
                effects = [k for k in ("status", "delaySeconds", "drop", "signin", "malformed", "patTokenError")
                           if k in req]
                if len(effects) != 1:
                    return Resp(400, {"error": f"exactly one effect required, got {effects}"})
                if req.get("path"):
                    try:
                        re.compile(req["path"])
                    except re.error as exc:
                        return Resp(400, {"error": f"bad path regex: {exc}"})
                rule = {"method": req.get("method"), "path": req.get("path"), "query": req.get("query"),
                        "skip": int(req.get("skip", 0)), "times": int(req.get("times", 1)), "hits": 0}
                for k in ("status", "retryAfter", "headers", "body", "delaySeconds", "drop", "signin", "malformed",
                          "patTokenError", "name"):
                    if k in req:
                        rule[k] = req[k]
                st.faults.append(rule)
                return Resp(200, {"ok": True, "index": len(st.faults) - 1})
            if sub == "/faults" and m == "DELETE":
                st.faults.clear()
                return Resp(200, {"ok": True})
            if sub == "/faults" and m == "GET":
                return Resp(200, st.faults)
            if sub == "/config" and m == "POST":
                if not isinstance(req, dict):
                    return Resp(400, {"error": "config must be an object"})
                unknown = set(req) - {"delayMs", "throttle", "replicationDelaySeconds", "patPageSize",
                                      "kvChallengeAuthority"}
                if unknown:
                    return Resp(400, {"error": f"unknown config keys {sorted(unknown)}"})
                st.config.update(req)
                return Resp(200, st.config)
            if sub == "/clock" and m == "POST":
                hours = float((req or {}).get("advanceHours", 0))
                st.advance(hours)
                return Resp(200, {"ok": True, "advancedHours": hours})
            if sub == "/policies" and m == "POST" and isinstance(req, dict):
                st.policies.update(req)
                return Resp(200, st.policies)
        return Resp(404, {"error": f"unknown control route {m} {path}"})


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def handle_error(self, request, client_address):
        if VERBOSE:
            super().handle_error(request, client_address)


def main(argv=None) -> int:
    global VERBOSE
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fixture", default=DEFAULT_FIXTURE)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--workdir")
    ap.add_argument("--ca-dir", help="reuse (or create) the CA in this directory instead of a fresh one")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)
    VERBOSE = args.verbose
    with open(args.fixture) as f:
        fixture = json.load(f)
    created = args.workdir is None
    workdir = os.path.abspath(args.workdir or tempfile.mkdtemp(prefix="azure-emulator-"))
    os.makedirs(workdir, exist_ok=True)
    ca_pem, srv_pem, srv_key = generate_certs(workdir, os.path.abspath(args.ca_dir) if args.ca_dir else None)

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(srv_pem, srv_key)
    ctx.set_alpn_protocols(["http/1.1"])

    server = Server(("127.0.0.1", args.port), Handler)
    server.socket = ctx.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    port = server.server_address[1]
    base = f"https://127.0.0.1:{port}"
    server.state = State(fixture, base)
    server.emu = Emulator(server.state)

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    sys.stdout.write(json.dumps({"baseUrl": base, "caFile": ca_pem, "pid": os.getpid()}) + "\n")
    sys.stdout.flush()
    log(f"serving {base} (workdir {workdir})")
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        if created:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
