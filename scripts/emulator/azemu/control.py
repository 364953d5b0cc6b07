"""The control API under {base}/_emulator/ (JSON, no auth, not logged, not counted by holds)."""

from __future__ import annotations

import json

from . import clock, endpoint_conversion, entra_interactive
from .faults import make_rule
from .responses import Resp
from .state import CONFIG_KEYS, State


def control(st: State, method: str, path: str, body: bytes) -> Resp:
    try:
        req = json.loads(body) if body and body.strip() else None
    except Exception:
        return Resp(400, {"error": "body is not JSON"})
    sub = path[len("/_emulator"):].rstrip("/")
    route = ROUTES.get((method, sub)) or ((lambda st, req: _health(st)) if method == "GET" and sub in ("/health", "")
                                          else None)
    if route is None:
        return Resp(404, {"error": f"unknown control route {method} {path}"})
    if sub in ("/held", "/release", "/hold"):
        return route(st, req)  # never wait for the state lock: a held request may need it to finish
    with st.lock:
        return route(st, req)


def _state(st: State) -> Resp:
    endpoint_conversion.settle(st)  # background conversions as of now
    return Resp(200, st.snapshot())


def _health(st: State) -> Resp:
    return Resp(200, {"ok": True, "baseUrl": st.base})


def _reset(st: State, req) -> Resp:
    fx = req if isinstance(req, dict) and req else st.launch_fixture
    try:
        st.load(fx)
    except Exception as exc:
        return Resp(400, {"error": f"bad fixture: {exc!r}"})
    st.requests.clear()
    st.faults.clear()
    st.hold.arm(0, "before")
    return Resp(200, {"ok": True})


def _clear_requests(st: State, req) -> Resp:
    st.requests.clear()
    return Resp(200, {"ok": True})


def _add_fault(st: State, req) -> Resp:
    rule, problem = make_rule(req)
    if problem:
        return Resp(400, {"error": problem})
    st.faults.append(rule)
    return Resp(200, {"ok": True, "index": len(st.faults) - 1})


def _clear_faults(st: State, req) -> Resp:
    st.faults.clear()
    return Resp(200, {"ok": True})


def _config(st: State, req) -> Resp:
    if not isinstance(req, dict):
        return Resp(400, {"error": "config must be an object"})
    unknown = set(req) - CONFIG_KEYS
    if unknown:
        return Resp(400, {"error": f"unknown config keys {sorted(unknown)}"})
    st.config.update(req)
    return Resp(200, st.config)


def _clock(st: State, req) -> Resp:
    """{"advanceHours": h}: stored timestamps move back (the wall clock stays); {"offsetSeconds": n}: the
    emulator's now = real time + n, for everything it issues or compares and for the Date header."""
    req = req or {}
    out = {"ok": True}
    if "offsetSeconds" in req:
        clock.set_offset(float(req["offsetSeconds"]))
        out["offsetSeconds"] = clock.offset()
    if "advanceHours" in req or "offsetSeconds" not in req:
        hours = float(req.get("advanceHours", 0))
        st.advance(hours)
        out["advancedHours"] = hours
    return Resp(200, out)


def _policies(st: State, req) -> Resp:
    if not isinstance(req, dict):
        return Resp(404, {"error": "unknown control route POST /_emulator/policies"})
    st.policies.update(req)
    return Resp(200, st.policies)


def _hold(st: State, req) -> Resp:
    req = req if isinstance(req, dict) else {}
    k, when = req.get("request"), req.get("when", "before")
    method, path_end = req.get("method"), req.get("pathEnd")
    if not isinstance(k, int) or isinstance(k, bool) or k < 0 or when not in ("before", "after") \
            or (method is None) != (path_end is None) or not isinstance(method or "", str) \
            or not isinstance(path_end or "", str):
        return Resp(400, {"error": "hold needs {\"request\": k >= 0, \"when\": \"before\"|\"after\"}, optionally "
                                   "with both \"method\" and \"pathEnd\""})
    st.hold.arm(k, when, (method.upper(), path_end) if method else None)
    return Resp(200, {"ok": True, "request": k, "when": when})


def _held(st: State, req) -> Resp:
    return Resp(200, st.hold.status())


def _release(st: State, req) -> Resp:
    return Resp(200, {"ok": True, "released": st.hold.release()})


ROUTES = {
    ("GET", "/state"): lambda st, req: _state(st),
    ("POST", "/reset"): _reset,
    ("POST", "/requests/clear"): _clear_requests,
    ("GET", "/requests"): lambda st, req: Resp(200, st.requests),
    ("POST", "/faults"): _add_fault,
    ("DELETE", "/faults"): _clear_faults,
    ("GET", "/faults"): lambda st, req: Resp(200, st.faults),
    ("POST", "/config"): _config,
    ("POST", "/clock"): _clock,
    ("POST", "/policies"): _policies,
    ("POST", "/hold"): _hold,
    ("GET", "/held"): _held,
    ("POST", "/release"): _release,
}
ROUTES.update(entra_interactive.CONTROL_ROUTES)
