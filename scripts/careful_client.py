"""The careful client of scripts/bench: what a careful person would script to rotate PATs, with the
Python standard library, against the same services as the task (the emulator).

Shared by every token: the two access tokens (Azure DevOps and Key Vault, in parallel) and the PAT
list (every page). Per token, with `max_parallel` tokens at a time: read Key Vault's secret
`pat-{displayName}` (which token consumers hold), create the replacement, store it, read it back,
revoke the token it replaced. Each worker keeps one connection open (keep-alive), as a script with
a session would.

With `lease=True` the client also takes the lease the task takes (docs/records.md): it reads a
record beside the PAT list, and before the first change writes its lease, pauses `PAUSE_SECONDS`,
reads the record again (Fischer's timed mutual exclusion: the read-to-write gap must stay under half
the pause), and writes the record once more at the end. It takes no intent, holders or orphans into
account: it is the lock alone, so a reader sees what the lock costs.
"""
from __future__ import annotations

import fnmatch
import http.client
import json
import re
import ssl
import threading
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

ADO_SCOPE = "499b84ac-1321-427f-aa17-267ca6975798/.default"
VAULT_SCOPE = "https://vault.azure.net/.default"
PAT_API_VERSION = "7.1-preview.1"
KEY_VAULT_API_VERSION = "7.5"
PAUSE_SECONDS = 1.0
IDEMPOTENT = {"GET", "PUT", "DELETE"}


class Session:
    """HTTPS to one host: one keep-alive connection per thread, JSON in and out."""

    def __init__(self, base_url: str, ca_file: str):
        url = urllib.parse.urlsplit(base_url)
        self.host, self.port, self.prefix = url.hostname, url.port, url.path.rstrip("/")
        self.context = ssl.create_default_context(cafile=ca_file)
        self.local = threading.local()

    def call(self, method: str, path: str, body=None, token: str | None = None, form: dict | None = None):
        """(status, decoded JSON or None)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            connection = getattr(self.local, "connection", None)
            reused = connection is not None
            if connection is None:
                connection = self.local.connection = http.client.HTTPSConnection(
                    self.host, self.port, context=self.context, timeout=60)
            try:
                connection.request(method, self.prefix + path, body=data, headers=headers)
                response = connection.getresponse()
                raw = response.read()
                return response.status, (json.loads(raw) if raw else None)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                connection.close()
                self.local.connection = None
                if not reused or method not in IDEMPOTENT or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        connection = getattr(self.local, "connection", None)
        if connection is not None:
            connection.close()


class CarefulClient:
    """Rotates the PATs whose display name matches `pattern`, as a careful script would."""

    def __init__(self, base_url: str, ca_file: str, *, tenant: str, organization: str, vault: str, client_id: str,
                 username: str, password: str, max_parallel: int = 8, lease: bool = False,
                 validity_days: int = 30, renew_within_days: int = 7):
        self.session = Session(base_url, ca_file)
        self.tenant, self.organization, self.vault = tenant, organization, vault
        self.client_id, self.username, self.password = client_id, username, password
        self.max_parallel, self.lease = max_parallel, lease
        self.validity_days, self.renew_within_days = validity_days, renew_within_days
        self.record_name = f"careful-client-lease-{organization}"

    # ------------------------------------------------------------------ the run

    def rotate(self, pattern: str) -> int:
        """Rotates every due token family matching `pattern`; returns how many were rotated."""
        with ThreadPoolExecutor(self.max_parallel) as pool:
            ado, kv = pool.map(self.access_token, (ADO_SCOPE, VAULT_SCOPE))
            record = pool.submit(self.read_record, kv) if self.lease else None
            families = self.families(self.list_pats(ado), pattern)
            now = datetime.now(timezone.utc)
            due = [f for f in families if parse_time(f[0]["validTo"]) - now <= timedelta(days=self.renew_within_days)]
            if not due:
                return 0
            lease = self.take_lease(kv, record.result()) if record else None
            rotated = list(pool.map(lambda family: self.rotate_one(ado, kv, family), due))
            if lease:
                self.write_record(kv, dict(lease, released=True))
        return sum(rotated)

    def rotate_one(self, ado: str, kv: str, family: list[dict]) -> int:
        name = family[0]["displayName"]
        secret = f"pat-{name}"
        status, held = self.session.call("GET", self.kv_path(secret), token=kv)
        held_id = (held or {}).get("tags", {}).get("authorizationId") if status == 200 else None
        old = next((t for t in family if t["authorizationId"] == held_id), family[0])
        valid_to = datetime.now(timezone.utc) + timedelta(days=self.validity_days)
        status, created = self.session.call("POST", self.pat_path(), token=ado, body={
            "displayName": name, "scope": old["scope"], "validTo": valid_to.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "allOrgs": False})
        if status != 200 or (created or {}).get("patTokenError", "none") != "none":
            raise RuntimeError(f"create {name}: {status} {created}")
        new = created["patToken"]
        status, stored = self.session.call("PUT", self.kv_path(secret), token=kv, body={
            "value": new["token"], "contentType": "application/vnd.azure-devops.pat",
            "attributes": {"enabled": True, "exp": int(valid_to.timestamp())},
            "tags": {"authorizationId": new["authorizationId"], "replaces": old["authorizationId"]}})
        if status != 200:
            raise RuntimeError(f"store {name}: {status} {stored}")
        status, back = self.session.call("GET", self.kv_path(secret), token=kv)
        if status != 200 or back["id"] != stored["id"] or back["value"] != new["token"]:
            raise RuntimeError(f"read back {name}: {status}")
        status, _ = self.session.call("DELETE", self.pat_path(authorizationId=old["authorizationId"]), token=ado)
        if status not in (200, 204):
            raise RuntimeError(f"revoke {old['authorizationId']}: {status}")
        return 1

    # ------------------------------------------------------------------ shared reads

    def access_token(self, scope: str) -> str:
        status, body = self.session.call("POST", f"/login/{self.tenant}/oauth2/v2.0/token", form={
            "client_id": self.client_id, "grant_type": "password", "username": self.username,
            "password": self.password, "scope": scope})
        if status != 200:
            raise RuntimeError(f"token for {scope}: {status} {body}")
        return body["access_token"]

    def list_pats(self, ado: str) -> list[dict]:
        tokens, continuation = [], None
        while True:
            query = {"displayFilterOption": "active", "sortByOption": "displayName", "isSortAscending": "true",
                     "$top": "100"}
            if continuation:
                query["continuationToken"] = continuation
            status, page = self.session.call("GET", self.pat_path(**query), token=ado)
            if status != 200:
                raise RuntimeError(f"list: {status} {page}")
            tokens += page["patTokens"]
            continuation = page.get("continuationToken")
            if not continuation:
                return tokens

    @staticmethod
    def families(tokens: list[dict], pattern: str) -> list[list[dict]]:
        """The matching tokens by display name, newest first."""
        groups: dict[str, list[dict]] = {}
        for token in tokens:
            if fnmatch.fnmatchcase(token["displayName"].lower(), pattern.lower()):
                groups.setdefault(token["displayName"].lower(), []).append(token)
        return [sorted(g, key=lambda t: parse_time(t["validFrom"]), reverse=True) for _, g in sorted(groups.items())]

    # ------------------------------------------------------------------ the lease

    def read_record(self, kv: str) -> tuple[float, dict]:
        started = time.monotonic()
        status, body = self.session.call("GET", self.kv_path(self.record_name), token=kv)
        return started, (json.loads(body["value"]) if status == 200 else {})

    def write_record(self, kv: str, record: dict) -> None:
        status, body = self.session.call("PUT", self.kv_path(self.record_name), token=kv, body={
            "value": json.dumps(record), "contentType": "application/json"})
        if status != 200:
            raise RuntimeError(f"record: {status} {body}")

    def take_lease(self, kv: str, loaded: tuple[float, dict]) -> dict:
        """Fischer's protocol; reuses the record read beside the PAT list while it is fresh enough."""
        for _ in range(4):
            started, record = loaded if time.monotonic() - loaded[0] < PAUSE_SECONDS / 4 else self.read_record(kv)
            if record.get("expires", 0) > time.time() and not record.get("released"):
                raise RuntimeError("another run holds the lease")
            lease = {"id": str(uuid.uuid4()), "expires": time.time() + 1800}
            self.write_record(kv, lease)
            gap = time.monotonic() - started
            time.sleep(PAUSE_SECONDS)
            if gap >= PAUSE_SECONDS / 2:
                loaded = (0.0, {})
                continue
            if self.read_record(kv)[1].get("id") != lease["id"]:
                raise RuntimeError("another run took the lease")
            return lease
        raise RuntimeError("Key Vault too slow for the lease")

    # ------------------------------------------------------------------ paths

    def pat_path(self, **query) -> str:
        query["api-version"] = PAT_API_VERSION
        return f"/vssps/{self.organization}/_apis/tokens/pats?" + urllib.parse.urlencode(query)

    def kv_path(self, name: str) -> str:
        return f"/kv/{self.vault}/secrets/{name}?api-version={KEY_VAULT_API_VERSION}"


def parse_time(text: str) -> datetime:
    """An Azure DevOps date-time (any count of fractional digits, `Z` or an offset) in UTC."""
    match = re.fullmatch(r"([^.]*?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?", text)
    head, digits, zone = match.groups()
    fraction = f".{digits[:6].ljust(6, '0')}" if digits else ""
    value = datetime.fromisoformat(head + fraction + ("+00:00" if zone in (None, "Z") else zone))
    return value.astimezone(timezone.utc)
