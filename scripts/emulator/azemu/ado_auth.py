"""Who is calling Azure DevOps (dev.azure.com and vssps.dev.azure.com), what the request must carry
(api-version, media type, the route's scope), and the answers to callers it does not accept.

Follows: Azure DevOps REST authentication (https://learn.microsoft.com/rest/api/azure/devops/#authenticate), the
scopes each operation lists under "Security" in the 7.1/7.2 specs (tokens: vso.pats / vso.pats_manage;
serviceEndpoint: vso.serviceendpoint(_query|_manage)), API versioning
(https://learn.microsoft.com/azure/devops/integrate/concepts/rest-api-versioning)
and the sign-in behaviour of unauthenticated requests (HTTP 203 with an HTML sign-in page, or 401 with
`X-TFS-FedAuthRedirect: Suppress`), as described in README.md."""

from __future__ import annotations

import base64
import re
import urllib.parse

from .clock import now
from .responses import Resp, signin_page, vss_error


def principal(s, headers: dict, allow_pat: bool = True):
    """(principal dict, None) or (None, kind) with kind in anon|bad|nonmember."""
    auth = headers.get("authorization", "")
    if not auth:
        return None, "anon"
    scheme, _, cred = auth.partition(" ")
    cred = cred.strip()
    if scheme.lower() == "bearer":
        return _bearer(s, cred)
    if scheme.lower() == "basic":
        return _basic(s, cred, allow_pat)
    return None, "bad"


def _bearer(s, cred: str):
    if cred and cred == s.job_token.get("token"):
        return {"kind": "job", "id": "build-service"}, None
    info = s.token_info(cred)
    if not info or info["aud"] != "ado":
        return None, "bad"
    if not s.is_org_member(info):
        return None, "nonmember"
    return {"kind": info["kind"], "appId": info["appId"], "username": info.get("username"),
            "id": (info.get("username") or info["appId"]).lower(), "scopes": info.get("scopes")}, None


def _basic(s, cred: str, allow_pat: bool):
    try:
        _, _, pw = base64.b64decode(cred).decode().partition(":")
    except Exception:
        return None, "bad"
    if pw and pw == s.job_token.get("token"):
        return {"kind": "job", "id": "build-service"}, None
    if allow_pat:
        t = now()
        for p in s.pats:
            if p["token"] == pw and not p["revoked"] and p["validFrom"] <= t < p["validTo"]:
                return {"kind": "pat", "username": p["owner"], "id": p["owner"], "scopes": p["scope"].split()}, None
    return None, "bad"


def unauthorized(s, headers: dict, kind: str) -> Resp:
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


def missing_scope(s, who: dict, accepted: tuple[str, ...], full_access_counts: bool = True) -> Resp | None:
    """401 when config adoScopes is on and a delegated token or PAT has none of the route's scopes.
    Job tokens and app-only tokens carry no scopes (their rights come from Azure DevOps permissions).
    `app_token` (full-access PAT) always passes; `user_impersonation` passes unless the route (the PAT API)
    demands its own scopes (`full_access_counts=False`)."""
    if not s.config.get("adoScopes") or who["kind"] not in ("pat", "user"):
        return None
    granted = set(who.get("scopes") or [])
    if "app_token" in granted or (full_access_counts and "user_impersonation" in granted):
        return None
    if granted & set(accepted):
        return None
    r = vss_error(401, f"TF400813: The user '{who['id']}' is not authorized to access this resource.",
                  "UnauthorizedRequestException", "Microsoft.TeamFoundation.Framework.Server")
    r.headers["X-TFS-ServiceError"] = urllib.parse.quote(f"TF400813: The user '{who['id']}' is not authorized to "
                                                         "access this resource.")
    return r


_VERSION = re.compile(r"^(\d+)\.(\d+)(-preview(\.\d+)?)?$")


def requested_version(query: dict, headers: dict) -> str | None:
    """api-version from the query or, as Microsoft's clients send it, the Accept header
    (`application/json;api-version=7.1-preview.4`)."""
    if query.get("api-version"):
        return query["api-version"]
    m = re.search(r"api-version\s*=\s*([^;,\s]+)", headers.get("accept") or "")
    return m.group(1) if m else None


def api_version_error(method: str, ver: str | None, released: str = "7.1", newest: str = "7.2") -> Resp | None:
    """The versioning rules: a version is required; one above the released version needs `-preview`;
    one above the newest the server knows is out of range."""
    if not ver:
        return vss_error(400, f"No api-version was supplied for the \"{method}\" request. The version must be "
                         "supplied either as part of the Accept header (e.g. \"application/json; api-version=1.0\") "
                         "or as a query parameter (e.g. \"?api-version=1.0\").", "VssVersionNotSpecifiedException")
    m = _VERSION.match(ver)
    number = (int(m.group(1)), int(m.group(2))) if m else None
    if number is None or number > tuple(int(x) for x in newest.split(".")):
        return vss_error(400, f"The requested REST API version of {ver} is out of range for this server. The "
                         f"latest REST API version this server supports is {newest}.", "VssVersionOutOfRangeException")
    if number > tuple(int(x) for x in released.split(".")) and not m.group(3):
        return vss_error(400, f"The requested version \"{ver}\" of the resource is under preview. The -preview flag "
                         f"must be supplied in the api-version for such requests. For example: \"{ver}-preview\"",
                         "VssInvalidPreviewVersionException")
    return None


def preview_version_error(method: str, ver: str | None) -> Resp | None:
    """A preview-only resource (connectionData, security roles): the version needs `-preview`, as Azure DevOps
    answers a plain `7.1` for such resources (api-contracts notes, observed for _apis/connectionData)."""
    err = api_version_error(method, ver)
    if err or "-preview" in (ver or ""):
        return err
    return vss_error(400, f"The requested version \"{ver}\" of the resource is under preview. The -preview flag must "
                     f"be supplied in the api-version for such requests. For example: \"{ver}-preview\"",
                     "VssInvalidPreviewVersionException")


def media_type_error(s, method: str, headers: dict, body: bytes) -> Resp | None:
    """415 for a POST/PUT/PATCH body that is not JSON (config adoMediaType)."""
    if not s.config.get("adoMediaType") or method not in ("POST", "PUT", "PATCH") or not body:
        return None
    ctype = (headers.get("content-type") or "").split(";")[0].strip().lower()
    if ctype in ("application/json", "application/json-patch+json"):
        return None
    shown = ctype or "(none)"
    return vss_error(415, f"The request content type '{shown}' is not supported for this resource. Use "
                     "'application/json'.", "VssRequestContentTypeNotSupportedException")
