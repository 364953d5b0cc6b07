"""Who is calling Azure DevOps (dev.azure.com and vssps.dev.azure.com), and the answers to callers it
does not accept.

Follows: Azure DevOps REST authentication (https://learn.microsoft.com/rest/api/azure/devops/#authenticate)
and the sign-in behaviour of unauthenticated requests (HTTP 203 with an HTML sign-in page, or 401 with
`X-TFS-FedAuthRedirect: Suppress`), as described in README.md."""

from __future__ import annotations

import base64
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
            "id": (info.get("username") or info["appId"]).lower()}, None


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
                return {"kind": "pat", "username": p["owner"], "id": p["owner"], "scope": p["scope"]}, None
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
