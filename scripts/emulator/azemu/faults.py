"""Injected faults (`POST /_emulator/faults`) and throttling (`config.throttle`), answered in the
failing service's own error shape."""

from __future__ import annotations

import collections
import re
import time

from . import clock
from .responses import Resp, aad_error, dropped, graph_error, kv_error, signin_page, vss_error
from .util import guid

EFFECTS = ("status", "delaySeconds", "drop", "signin", "malformed", "patTokenError")
RULE_KEYS = ("status", "retryAfter", "headers", "body", "delaySeconds", "drop", "signin", "malformed",
             "patTokenError", "name")


def make_rule(req) -> tuple[dict | None, str | None]:
    """A fault rule from a control request, or an error text."""
    if not isinstance(req, dict):
        return None, "fault rule must be an object"
    effects = [k for k in EFFECTS if k in req]
    if len(effects) != 1:
        return None, f"exactly one effect required, got {effects}"
    if req.get("path"):
        try:
            re.compile(req["path"])
        except re.error as exc:
            return None, f"bad path regex: {exc}"
    rule = {"method": req.get("method"), "path": req.get("path"), "query": req.get("query"),
            "skip": int(req.get("skip", 0)), "times": int(req.get("times", 1)), "hits": 0}
    rule.update({k: req[k] for k in RULE_KEYS if k in req})
    return rule, None


def _matches(f: dict, method: str, path: str, query: dict) -> bool:
    if f.get("times", 1) == 0:
        return False
    if f.get("method") and f["method"].upper() != method:
        return False
    if f.get("path") and not re.search(f["path"], path):
        return False
    return all(str(query.get(k)) == str(v) for k, v in (f.get("query") or {}).items())


def match_fault(faults: list[dict], method: str, path: str, query: dict) -> dict | None:
    for f in faults:
        if not _matches(f, method, path, query):
            continue
        if f.get("skip", 0) > 0:
            f["skip"] -= 1
            continue
        if f.get("times", 1) > 0:
            f["times"] = f.get("times", 1) - 1
        f["hits"] = f.get("hits", 0) + 1
        return dict(f)
    return None


def fault_name(f: dict) -> str:
    return f.get("name") or next(k for k in EFFECTS if k in f)


def fault_response(base: str, f: dict, service: str) -> Resp | None:
    """The injected answer; None for a delay (then the normal answer follows)."""
    if "delaySeconds" in f:
        time.sleep(float(f["delaySeconds"]))
        return None
    if f.get("drop"):
        return dropped()
    if f.get("signin"):
        return signin_page(base)
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
    return default_error(service, status, headers, "Injected fault.")


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


def throttle(cfg: dict | None, windows: dict, service: str, rid: str) -> Resp | None:
    """429 once a service saw `requestsPerSecond` requests in the last second (sliding window)."""
    if not cfg:
        return None
    rps = float(cfg.get("requestsPerSecond", 20))
    win = windows.setdefault(service, collections.deque())
    t = time.monotonic()
    while win and win[0] <= t - 1.0:
        win.popleft()
    if len(win) < rps:
        win.append(t)
        return None
    return _throttled(service, cfg.get("retryAfterSeconds", 1), rid)


def _throttled(service: str, retry, rid: str) -> Resp:
    headers = {"Retry-After": str(retry)}
    if service in ("ado", "vssps"):
        headers.update({"X-RateLimit-Resource": "ATCPU", "X-RateLimit-Delay": "0.000",
                        "X-RateLimit-Limit": "200", "X-RateLimit-Remaining": "0",
                        "X-RateLimit-Reset": str(int(clock.now()) + int(float(retry)))})
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
