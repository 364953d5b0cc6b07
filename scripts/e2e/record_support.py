"""Shared helpers of the "record, don't infer" end-to-end tests (issue #26): the worlds they start from,
a person's hand-made PAT, time passing on the services' clock, and what the log, summary and report say.

Time passes through the emulator's clock offset (`POST /_emulator/clock {"offsetSeconds": …}`), not
`advance_hours`: the offset moves the services' *now* and keeps every stored time, including times a
record keeps inside a Key Vault secret's value, where `advance_hours` moves only the timestamps the
emulator knows about (PAT validity, client secret dates, Key Vault attributes)."""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime, timedelta

from harness import (BOT_PASSWORD, BOT_USER, default_fixture, ORG, PAT_CLIENT_ID, PAYMENTS_APP_ID, VAULT, Emulator,
                     TaskResult, service_time, swift_debug_lines)

CI = "ffffffff-0001-4000-8000-000000000001"  # ci-feed-reader, due in 3 days
CI_NAME = "ci-feed-reader"
PAT_SECRET = "pat-ci-feed-reader"
APP_SECRET = "payments-prod-secret"
PAYMENTS_CURRENT = "dddddddd-0003-4000-8000-000000000003"  # the secret Key Vault and payments-prod hold (+5d)
ADO_SCOPE = "499b84ac-1321-427f-aa17-267ca6975798/.default"
WRITES = ("POST", "PUT", "PATCH", "DELETE")
# A second agent job: what SYSTEM_PLANID / SYSTEM_JOBID / BUILD_BUILDID of another run look like.
OTHER_RUN = {"SYSTEM_PLANID": "77777777-7777-4777-8777-777777777777",
             "SYSTEM_JOBID": "88888888-8888-4888-8888-888888888888", "BUILD_BUILDID": "5353"}


def managed_pat_world(extra_pats: list[dict] = ()) -> dict:
    """The default world, with Key Vault holding ci-feed-reader's current token (a family the task manages)."""
    fx = default_fixture()
    ci = next(p for p in fx["pats"] if p["authorizationId"] == CI)
    fx["vaults"][0]["secrets"][PAT_SECRET] = [{
        "value": ci["token"], "contentType": "application/vnd.azure-devops.pat", "created": "-27d",
        "tags": {"authorizationId": CI, "displayName": CI_NAME, "createdBy": "rotate-credential"}}]
    fx["pats"] += list(extra_pats)
    return fx


def arm_connection(fx: dict, name: str, endpoint_id: str, key: str | None, project: dict | None = None,
                   app_id: str = PAYMENTS_APP_ID) -> dict:
    """A Manual, secret-based Azure Resource Manager connection of `app_id`, shaped like payments-prod."""
    template = next(e for e in default_fixture()["endpoints"] if e["name"] == "payments-prod")
    e = copy.deepcopy(template)
    e.update(id=endpoint_id, name=name, description=f"{name} (secret-based)")
    e["authorization"]["parameters"]["serviceprincipalid"] = app_id
    if key is None:
        e["authorization"]["parameters"].pop("serviceprincipalkey")
    else:
        e["authorization"]["parameters"]["serviceprincipalkey"] = key
    reference = project or fx["organization"]["projects"][0]
    e["serviceEndpointProjectReferences"] = [{"projectReference": {"id": reference["id"], "name": reference["name"]},
                                              "name": name, "description": e["description"]}]
    fx["endpoints"].append(e)
    return e


def payments_world(drop_connections: tuple[str, ...] = ("payments-auto", "payments-prod"),
                   drop_old_secret: bool = False) -> dict:
    """The default world without the payments-deployer connections named (none of them then holds a secret
    the test did not place), optionally without the older payments-2025 secret."""
    fx = default_fixture()
    fx["endpoints"] = [e for e in fx["endpoints"] if e["name"] not in drop_connections]
    if drop_old_secret:
        app = next(a for a in fx["apps"] if a["appId"] == PAYMENTS_APP_ID)
        app["passwordCredentials"] = [p for p in app["passwordCredentials"] if p["keyId"] == PAYMENTS_CURRENT]
    return fx


def payments_current_secret(fx: dict) -> str:
    app = next(a for a in fx["apps"] if a["appId"] == PAYMENTS_APP_ID)
    return next(p["secretText"] for p in app["passwordCredentials"] if p["keyId"] == PAYMENTS_CURRENT)


# --------------------------------------------------------------------------- the services' clock

def later(emu: Emulator, hours: float) -> None:
    """`hours` pass for the services: their clock (the Date header, every time they issue or compare)
    moves forward; nothing stored changes."""
    offset = float(emu.state()["clockOffsetSeconds"] or 0)
    emu._control("POST", "/clock", {"offsetSeconds": offset + hours * 3600})


def service_now(state: dict) -> datetime:
    return service_time(state["now"])


# --------------------------------------------------------------------------- PATs

def hand_made_pat(emu: Emulator, name: str = CI_NAME, days: int = 60, scope: str = "vso.packaging") -> dict:
    """A person (the PAT owner) makes a PAT by hand through the PAT API, outside any run of the task."""
    token = emu.token(ADO_SCOPE, client_id=PAT_CLIENT_ID, client_secret=None, username=BOT_USER,
                      password=BOT_PASSWORD)
    valid_to = (service_now(emu.state()) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
    status, _, raw = emu.request("POST", f"/vssps/{ORG}/_apis/tokens/pats?api-version=7.1-preview.1",
                                 {"displayName": name, "scope": scope, "validTo": valid_to, "allOrgs": False},
                                 headers={"Authorization": f"Bearer {token}"})
    body = json.loads(raw) if raw else None
    if status != 200 or not body or not body.get("patToken"):
        raise AssertionError(f"creating a PAT by hand: {status} {raw[:300]!r}")
    return body["patToken"]


def pats(emu: Emulator, name: str = CI_NAME, live_only: bool = True) -> list[dict]:
    """The PAT owner's tokens of display name `name` (live ones: not revoked, not expired on the services' clock)."""
    state = emu.state()
    now = service_now(state)
    out = [p for p in state["pats"] if p["owner"] == BOT_USER and p["displayName"] == name]
    return [p for p in out if not live_only or (not p["revoked"] and service_time(p["validTo"]) > now)]


def live_ids(emu: Emulator, name: str = CI_NAME) -> set[str]:
    return {p["authorizationId"] for p in pats(emu, name)}


# --------------------------------------------------------------------------- Key Vault and requests

def versions(emu: Emulator, secret: str) -> list[dict]:
    vault = next(v for v in emu.state()["vaults"] if v["name"] == VAULT)
    return vault["secrets"].get(secret, [])


def held_value(emu: Emulator, secret: str) -> str | None:
    """The value of the Key Vault secret's newest enabled version (what consumers read)."""
    enabled = [v for v in versions(emu, secret) if v.get("enabled", True)]
    return enabled[-1]["value"] if enabled else None


def held_pat(emu: Emulator, name: str = CI_NAME, secret: str = PAT_SECRET) -> dict | None:
    value = held_value(emu, secret)
    return next((p for p in pats(emu, name, live_only=False) if p["token"] == value), None)


def writes(emu: Emulator) -> list[str]:
    """The changing requests in the emulator's log (token requests and the job's OIDC token excluded)."""
    return [f'{r["method"]} {r["path"]}' for r in emu.requests()
            if r["method"] in WRITES and "/oauth2/" not in r["path"] and "/oidctoken" not in r["path"]
            and "/_emulator" not in r["path"]]


# --------------------------------------------------------------------------- what a run says

def summary_text(res: TaskResult) -> str:
    paths = [c.data for c in res.commands if c.event == "uploadsummary"]
    if not paths:
        return ""
    with open(paths[-1], encoding="utf-8") as f:
        return f.read()


def report(res: TaskResult) -> dict | None:
    path = res.outputs().get("reportPath")
    if not path:
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _words(value) -> str:
    """Keys and values of a report object as lower-case words ("notManaged" -> "not managed")."""
    if isinstance(value, dict):
        return " ".join(_words(k) + " " + _words(v) for k, v in value.items())
    if isinstance(value, list):
        return " ".join(_words(v) for v in value)
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", str(value)).lower().replace("-", " ").replace("_", " ")


def _objects(value, path: str = ""):
    """(object, the words of the keys leading to it) for every object of a JSON document."""
    if isinstance(value, dict):
        yield value, path
        for k, v in value.items():
            yield from _objects(v, path + " " + _words(k))
    elif isinstance(value, list):
        for v in value:
            yield from _objects(v, path)


def _own_text(o: dict) -> str:
    """An object's own scalar values (and lists of scalars), lower-case."""
    out = []
    for v in o.values():
        for item in (v if isinstance(v, list) else [v]):
            if not isinstance(item, (dict, list)):
                out.append(str(item).lower())
    return " ".join(out)


NOT_MANAGED = re.compile(r"not\s+managed")


def not_managed_places(res: TaskResult, ident: str) -> list[str]:
    """Where the run names `ident` as not managed by the task: 'log' (a line of the log), 'summary' (a line
    of the run summary), 'report' (an object of the JSON report that carries the id)."""
    found = []
    if any(ident in line and NOT_MANAGED.search(line.lower()) for line in res.lines):
        found.append("log")
    if any(ident in line and NOT_MANAGED.search(line.lower()) for line in summary_text(res).splitlines()):
        found.append("summary")
    data = report(res)
    if data is not None and any(ident.lower() in _own_text(o) and NOT_MANAGED.search(_words(o) + " " + path)
                                for o, path in _objects(data)):
        found.append("report")
    return found


def debug_text(res: TaskResult) -> list[str]:
    """Lines of the log, summary and report that show a Swift value's debug description."""
    texts = [("stdout", res.stdout), ("stderr", res.stderr), ("summary", summary_text(res))]
    data = report(res)
    if data is not None:
        texts.append(("report", json.dumps(data, indent=1)))
    return [f"{where}: {line}" for where, text in texts for line in swift_debug_lines(text)]
