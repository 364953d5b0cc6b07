"""All mutable emulator state: the fixture world (tenant, apps, users, PATs, endpoints, vaults), issued
tokens, the request log, faults, config and the registry of every secret value ever issued.
Every access happens under `State.lock`."""

from __future__ import annotations

import collections
import copy
import threading
import urllib.parse
import uuid

from . import clock
from .clock import iso7, is_iso, parse_time
from .hold import Hold
from .util import guid, new_client_secret, new_pat_value

ENDPOINT_SECRET_PARAMS = ("serviceprincipalkey", "password", "servicePrincipalCertificate", "apitoken",
                          "accessToken", "certificate", "key")


# The consistency model and the strictness switches (README "Consistency model and switches").
# These are the defaults of every fixture; a fixture's "config" object and POST /_emulator/config override them.
MODEL_DEFAULTS = {
    "graphReadLagSeconds": 2,          # Graph reads (and removePassword) lag addPassword/removePassword by this
    "secretFlapping": {"windowSeconds": 10, "seed": 1},  # {"windowSeconds": W, "seed": S, "acceptRate": 0.5}: new secrets flap for W s
    "kvDisabledLatest": "forbidden",   # GET of a secret whose newest version is disabled: "forbidden" | "fallback"
    "kvValidation": True,              # Key Vault validates tags, contentType and attributes (400 BadParameter)
    "adoApiVersion": True,             # Azure DevOps routes require a valid api-version
    "adoMediaType": True,              # Azure DevOps POST/PUT bodies must be application/json (415 otherwise)
    "adoScopes": True,                 # delegated tokens and PATs need the route's scope (vso.pats, …)
    "patRevokeRevoked": "noContent",   # DELETE of an already revoked PAT: "noContent" | "authorizationNotFound"
    "dateStyle": "service",            # "service" (ADO trims digits, Graph echoes) | "fixed7" | "mixed"
    "federatedCredentialPropagationSeconds": 8,  # a new federated credential answers AADSTS70021 for this long
    "conversionBackgroundSeconds": 120,  # a conversion that could not test-authenticate ends Failed after this
    "graphPageSize": 5,                # Graph collections (federatedIdentityCredentials) answer at most this many
}


# The consistency model's windows (graphReadLagSeconds, secretFlapping's windowSeconds,
# federatedCredentialPropagationSeconds, conversionBackgroundSeconds) are multiplied by
# "timeScale": tests that run the task's waits at a fraction of the real ones
# (ROTATE_CREDENTIAL_TEST_SLEEP_SCALE) run the services' windows at the same fraction, so the two keep
# their real proportions. `--time-scale` sets the default; the config key overrides it until the next reset.
DEFAULT_TIME_SCALE = 1.0


def default_config() -> dict:
    return {"delayMs": 0, "throttle": None, "replicationDelaySeconds": 0, "patPageSize": 20,
            "timeScale": DEFAULT_TIME_SCALE, **MODEL_DEFAULTS}


def scaled(config: dict, seconds) -> float:
    """A window of the consistency model in this emulator's time scale."""
    return float(seconds or 0) * float(config.get("timeScale") or 1)


CONFIG_KEYS = {"delayMs", "throttle", "replicationDelaySeconds", "patPageSize", "kvChallengeAuthority", "oidcIssuer",
               "timeScale",
               *MODEL_DEFAULTS}


class State:
    def __init__(self, fixture: dict, base_url: str):
        self.lock = threading.RLock()
        self.base = base_url
        self.launch_fixture = copy.deepcopy(fixture)
        self.issued_list: list[str] = []
        self.issued_set: set[str] = set()
        self.requests: list[dict] = []
        self.seq = 0
        self.faults: list[dict] = []
        self.windows: dict[str, collections.deque] = {}
        self.hold = Hold()
        self.load(fixture)

    # ---- secrets registry
    def remember(self, value) -> None:
        if isinstance(value, str) and value and value not in self.issued_set:
            self.issued_set.add(value)
            self.issued_list.append(value)

    # ---- fixture
    def load(self, fx: dict) -> None:
        fx = copy.deepcopy(fx)
        clock.set_offset(float(fx.get("clockOffsetSeconds") or 0))
        t0 = clock.now()
        T = lambda v: parse_time(v, t0)  # noqa: E731
        unknown = set(fx.get("config") or {}) - CONFIG_KEYS
        if unknown:
            raise ValueError(f"unknown config keys {sorted(unknown)}")
        self.config = {**default_config(), **(fx.get("config") or {})}
        self.secrets_added = 0  # seeds the flapping of each new client secret (deterministic per test)
        self.fixture = fx
        self.tenant = fx["tenant"]
        self.org = fx["organization"]
        self.projects = fx["organization"].get("projects", [])
        self.job = fx.get("job", {})
        self.job_token = fx.get("jobAccessToken", {})
        self.remember(self.job_token.get("token"))
        self.policies = {"patMaxLifespanDays": 365, "restrictGlobalPat": False, "restrictFullScopePat": False}
        self.policies.update(fx.get("policies", {}))
        self.users = {u["username"].lower(): self._load_user(u) for u in fx.get("users", [])}
        self.apps = {a["appId"].lower(): self._load_app(a, T) for a in fx.get("apps", [])}
        self.pats = [self._load_pat(p, T) for p in fx.get("pats", [])]
        self.endpoints = {e["id"].lower(): self._load_endpoint(e) for e in fx.get("endpoints", [])}
        self.vaults = {v["name"].lower(): self._load_vault(v, T) for v in fx.get("vaults", [])}
        self.tokens: dict[str, dict] = {}
        self.refresh_tokens: dict[str, dict] = {}
        self.oidc: dict[str, dict] = {}
        self.sign_in: dict = {}  # entra_interactive.py: device codes, authorization codes, its controls
        self.windows = {}

    def _load_user(self, u: dict) -> dict:
        u = dict(u)
        u.setdefault("objectId", guid())
        u.setdefault("orgMember", True)
        self.remember(u.get("password"))
        return u

    def _load_app(self, a: dict, T) -> dict:
        a = dict(a)
        for k, v in (("objectId", guid()), ("servicePrincipalObjectId", guid()), ("owners", []), ("roles", []),
                     ("publicClient", False), ("orgMember", False), ("federatedCredentials", [])):
            a.setdefault(k, v)
        creds = []
        for p in a.get("passwordCredentials", []):
            secret = p.get("secretText") or new_client_secret()
            start = T(p.get("startDateTime", "-1d"))
            creds.append({"keyId": p.get("keyId") or guid(), "displayName": p.get("displayName"),
                          "secretText": secret, "hint": secret[:3], "start": start,
                          "end": T(p.get("endDateTime", "+730d")), "addedAt": start,
                          "startSent": p.get("startDateTime") if is_iso(p.get("startDateTime")) else None,
                          "endSent": p.get("endDateTime") if is_iso(p.get("endDateTime")) else None})
            self.remember(secret)
        a["passwordCredentials"] = creds
        return a

    def _load_pat(self, p: dict, T) -> dict:
        tok = p.get("token") or new_pat_value()
        self.remember(tok)
        return {"authorizationId": p.get("authorizationId") or guid(), "owner": p["owner"].lower(),
                "displayName": p["displayName"], "scope": p.get("scope", "vso.code"),
                "allOrgs": bool(p.get("allOrgs", False)), "validFrom": T(p.get("validFrom", "-1d")),
                "validTo": T(p.get("validTo", "+30d")), "token": tok, "revoked": bool(p.get("revoked", False))}

    def _load_endpoint(self, e: dict) -> dict:
        e = copy.deepcopy(e)
        fail = e.pop("failReadinessAfterUpdate", False)
        admins = e.pop("administrators", None)
        can_change = e.pop("conversionCanChangePrincipal", None)
        org_admins = e.pop("organizationAdministrators", None)
        roles = e.pop("roleAssignments", None)
        e.setdefault("isReady", True)
        e.setdefault("operationStatus", {"state": "Ready", "statusMessage": ""})
        for k, v in (e.get("authorization", {}).get("parameters") or {}).items():
            if k in ENDPOINT_SECRET_PARAMS:
                self.remember(v)
        return {"body": e, "failReadinessAfterUpdate": fail, "administrators": admins,
                "conversionCanChangePrincipal": can_change, "organizationAdministrators": org_admins,
                "roleAssignments": roles}

    def _load_vault(self, v: dict, T) -> dict:
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
        return vault

    # ---- time passes (the wall clock is untouched)
    def advance(self, hours: float) -> None:
        d = hours * 3600.0
        for a in self.apps.values():
            for c in a.get("federatedCredentials", []):
                if c.get("createdAt") is not None:
                    c["createdAt"] -= d
            for p in a["passwordCredentials"] + a.get("removedPasswords", []):
                for k in ("start", "end", "addedAt", "removedAt"):
                    if p.get(k) is not None:
                        p[k] -= d
                p["startSent"] = p["endSent"] = None  # the dates a client sent no longer hold
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
        return next((p for p in self.projects if p["name"].lower() == k or p["id"].lower() == k), None)

    def token_info(self, token: str) -> dict | None:
        info = self.tokens.get(token)
        if info and info["exp"] > clock.now():
            return info
        return None

    @staticmethod
    def principal_ids(info: dict) -> set[str]:
        return {str(info[k]).lower() for k in ("appId", "oid", "username") if info.get(k)}

    def is_org_member(self, info: dict) -> bool:
        if info["kind"] == "user":
            u = self.users.get(info["username"].lower())
            return bool(u and u.get("orgMember"))
        a = self.apps.get(info["appId"].lower())
        return bool(a and a.get("orgMember"))

    # ---- GET /_emulator/state
    def snapshot(self) -> dict:
        return {
            "baseUrl": self.base, "now": iso7(clock.now()), "clockOffsetSeconds": clock.offset(),
            "tenant": self.tenant, "organization": self.org, "job": self.job, "jobAccessToken": self.job_token,
            "policies": self.policies, "users": list(self.users.values()), "apps": self._apps_out(),
            "pats": [{**{k: v for k, v in p.items() if k not in ("validFrom", "validTo")},
                      "validFrom": iso7(p["validFrom"]), "validTo": iso7(p["validTo"])} for p in self.pats],
            "endpoints": [{**e["body"], "failReadinessAfterUpdate": e["failReadinessAfterUpdate"]}
                          for e in self.endpoints.values()],
            "vaults": self._vaults_out(), "config": self.config, "faults": self.faults,
            "tokens": [{"kind": t["kind"], "audience": t["aud"], "appId": t.get("appId"),
                        "username": t.get("username"), "expires": iso7(t["exp"])} for t in self.tokens.values()],
            "requests": self.requests, "issuedSecrets": list(self.issued_list),
        }

    def _apps_out(self) -> list[dict]:
        apps = []
        for a in self.apps.values():
            a2 = {k: v for k, v in a.items() if k not in ("passwordCredentials", "removedPasswords")}
            a2["passwordCredentials"] = [
                {"keyId": p["keyId"], "displayName": p["displayName"], "secretText": p["secretText"],
                 "hint": p["hint"], "startDateTime": iso7(p["start"]), "endDateTime": iso7(p["end"]),
                 "addedDateTime": iso7(p["addedAt"])} for p in a["passwordCredentials"]]
            apps.append(a2)
        return apps

    def _vaults_out(self) -> list[dict]:
        vaults = []
        for v in self.vaults.values():
            secrets_out = {s["name"]: [{**ver, "id": f"{self.base}/kv/{v['name']}/secrets/{s['name']}/{ver['version']}"}
                                       for ver in s["versions"]] for s in v["secrets"].values()}
            vaults.append({"name": v["name"], "secretsOfficers": v["secretsOfficers"],
                           "deletedSecrets": v["deletedSecrets"], "secrets": secrets_out})
        return vaults
