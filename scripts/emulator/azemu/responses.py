"""A response value and the error bodies of each service, as the services send them
(shapes as documented in ../README.md):
Azure DevOps `VssServiceException` JSON, the 203 sign-in page, Graph's `{"error": {..., "innerError"}}`,
Key Vault's `{"error": {code, message, innererror}}` + `x-ms-error-code`, Entra's AADSTS body."""

from __future__ import annotations

import json

from .clock import utcnow
from .util import guid

JSON = "application/json; charset=utf-8"


class Resp:
    def __init__(self, status: int, body=None, headers: dict | None = None,
                 content_type: str | None = JSON, raw: bytes | None = None):
        self.status = status
        self.headers = dict(headers or {})
        self.drop = False
        if raw is not None:
            self.body = raw
        elif body is None and status in (204, 302) and content_type == JSON:
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


def dropped() -> Resp:
    r = Resp(0, b"")
    r.drop = True
    return r


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


def method_not_allowed(method: str) -> Resp:
    return vss_error(405, f"The requested resource does not support http method '{method}'.",
                     "HttpMethodNotAllowedException")


def graph_error(status: int, code: str, message: str, req_id: str, client_req_id: str | None = None,
                details: list | None = None, headers: dict | None = None) -> Resp:
    err = {"code": code, "message": message}
    if details is not None:
        err["details"] = details
    err["innerError"] = {"date": utcnow().strftime("%Y-%m-%dT%H:%M:%S"),
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
    ts = utcnow().strftime("%Y-%m-%d %H:%M:%SZ")
    desc = f"AADSTS{code}: {text} Trace ID: {trace} Correlation ID: {corr} Timestamp: {ts}"
    return Resp(status, {"error": error, "error_description": desc, "error_codes": [code],
                         "timestamp": ts, "trace_id": trace, "correlation_id": corr,
                         "error_uri": f"https://login.microsoftonline.com/error?code={code}"},
                {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"})
