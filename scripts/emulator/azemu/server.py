"""HTTP plumbing: one HTTPS port, requests routed by path prefix to the service modules, faults,
throttling, holds, the request log and the `Date` header from the emulator's clock."""

from __future__ import annotations

import email.utils
import http.server
import json
import socket
import time
import traceback
import urllib.parse

from . import clock, entra_interactive, faults, util
from .control import control
from .endpoints import AzureDevOps
from .entra import Entra
from .graph import Graph
from .keyvault import KeyVault
from .pats import PatApi
from .responses import Resp
from .state import State
from .util import guid, log

SERVICES = {"login", "graph", "ado", "vssps", "kv", "common"}


class Services:
    """One instance of each service module over the shared state."""

    def __init__(self, state: State):
        self.entra, self.graph, self.ado = Entra(state), Graph(state), AzureDevOps(state)
        self.pats, self.kv = PatApi(state), KeyVault(state)

    def route(self, method: str, service: str, parts, query, body, headers, rid) -> Resp:
        if service == "login" and entra_interactive.is_interactive_path(parts):
            return entra_interactive.endpoint(self.entra, method, parts, query, _form(body))
        if service == "login":
            return self.entra.handle(method, parts, _form(body), headers)
        if service == "vssps":
            return self.pats.handle(method, parts, query, body, headers)
        if service == "ado":
            return self.ado.handle(method, parts, query, body, headers)
        if service == "graph":
            return self.graph.handle(method, parts, query, body, headers, rid)
        if service == "kv":
            return self.kv.handle(method, parts, query, body, headers)
        return Resp(404, {"error": "unknown service prefix", "path": "/" + "/".join(parts)})


def _form(body: bytes) -> dict:
    if not body:
        return {}
    try:
        return {k: v[-1] for k, v in urllib.parse.parse_qs(body.decode(), keep_blank_values=True).items()}
    except Exception:
        return {}


def std_headers(service: str, rid: str, headers: dict) -> dict:
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
        h.update({"x-ms-ests-server": "2.1.0 - emulator", "client-request-id": headers.get("client-request-id", rid)})
    return h


def service_of(st: State, path: str) -> tuple[str, list[str], bool]:
    """(service, path segments as the service module sees them, came via the Key Vault root alias)."""
    parts = [urllib.parse.unquote(p) for p in path.strip("/").split("/")]
    service = parts[0].lower() if parts and parts[0].lower() in SERVICES else "unknown"
    if service == "common":  # MSAL's /common/userrealm discovery lives at the host root
        return "login", ["login"] + parts, False
    if parts and parts[0].lower() == "secrets" and st.vaults:
        # Root alias of the FIRST vault: {base}/secrets/... with ids {base}/secrets/{name}/{version},
        # the shape Microsoft's Key Vault SDK insists on (vault at the host root).
        return "kv", ["kv", next(iter(st.vaults.values()))["name"]] + parts, True
    return service, parts, False


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in separate writes; with Nagle's algorithm on, the client's delayed
    # ACK holds the body back ~40 ms per response, a delay no real service adds.
    disable_nagle_algorithm = True
    server_version = "AzureEmulator/1.0"
    timeout = 300

    def log_message(self, fmt, *args):  # noqa: N802
        log("%s - %s" % (self.address_string(), fmt % args))

    def date_time_string(self, timestamp=None):
        """The Date header, from the emulator's clock (real time + offset)."""
        return email.utils.formatdate(clock.now() if timestamp is None else timestamp, usegmt=True)

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
        for k, v in {**extra, **r.headers}.items():
            self.send_header(k, str(v))
        if r.status not in (204, 304) and not (100 <= r.status < 200):
            self.send_header("Content-Length", str(len(r.body)))
        self.end_headers()
        if self.command != "HEAD" and r.body and r.status not in (204, 304):
            self.wfile.write(r.body)
        self.wfile.flush()

    def dispatch(self):
        st: State = self.server.state  # type: ignore[attr-defined]
        started = time.monotonic()
        try:
            body = self.read_body()
        except Exception:
            self.close_connection = True
            return
        url = urllib.parse.urlsplit(self.path)
        if url.path.startswith("/_emulator"):
            self.send(control(st, self.command, url.path, body), {})
            return
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        headers = {k.lower(): v for k, v in self.headers.items()}
        held = st.hold.claim(self.command, url.path)
        if held == "before":
            st.hold.wait()
        service, parts, kv_root = service_of(st, url.path)
        rid = guid()
        resp, fault = self.answer(st, service, parts, kv_root, url.path, query, body, headers, rid)
        delay = float(st.config.get("delayMs") or 0) / 1000.0
        if delay > 0:
            time.sleep(delay)
        if held == "after":
            st.hold.wait()
        try:
            self.send(resp, std_headers(service, rid, headers))
        finally:
            # Processed even when the client gave up on the answer (a timeout): logged all the same.
            self.record(st, url.path, query, service, resp, fault, started, headers)

    def answer(self, st: State, service, parts, kv_root, path, query, body, headers, rid) -> tuple[Resp, str | None]:
        """The response and the name of the fault that produced it (if any)."""
        with st.lock:
            fault = faults.match_fault(st.faults, self.command, path, query)
        resp = faults.fault_response(st.base, fault, service) if fault is not None else None
        if resp is None:
            with st.lock:
                resp = faults.throttle(st.config.get("throttle"), st.windows, service, rid)
        if resp is None:
            try:
                with st.lock:
                    services: Services = self.server.services  # type: ignore[attr-defined]
                    services.kv.root = kv_root
                    resp = services.route(self.command, service, parts, query, body, headers, rid)
            except Exception as exc:  # keep serving, report as a 500
                log(traceback.format_exc())
                resp = Resp(500, {"error": {"code": "EmulatorError", "message": repr(exc)}})
        return resp, (faults.fault_name(fault) if fault is not None else None)

    def record(self, st: State, path, query, service, resp: Resp, fault, started: float, headers: dict) -> None:
        with st.lock:
            st.seq += 1
            st.requests.append({
                "seq": st.seq, "method": self.command, "path": path, "query": query,
                "status": None if resp.drop else resp.status,
                "durationMs": round((time.monotonic() - started) * 1000, 1), "fault": fault,
                "startedAt": started, "finishedAt": time.monotonic(),
                "service": service, "hasAuthorization": "authorization" in headers,
                "requestHeaders": {k: v for k, v in self.headers.items() if k.lower() != "authorization"}})


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def handle_error(self, request, client_address):
        if util.VERBOSE:
            super().handle_error(request, client_address)
