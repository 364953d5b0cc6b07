"""Azure DevOps Personal Access Token lifecycle API: {vssps}/{org}/_apis/tokens/pats.

Follows: MicrosoftDocs/vsts-rest-api-specs specification/tokens/7.1/tokens.json and 7.2/tokens.json
(Pats - Create / Get / List / Update / Revoke, PatTokenResult with patTokenError) and their httpExamples;
https://learn.microsoft.com/rest/api/azure/devops/tokens/pats. Quirks (302 for app tokens, errors inside
HTTP 200 bodies, silent validTo clamping) as described in README.md."""

from __future__ import annotations

import hashlib
import json
import re

from . import ado_auth
from .clock import iso7, now, parse_time
from .responses import Resp, vss_error
from .util import b64url, b64url_decode, guid, new_pat_value

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


class PatApi:
    def __init__(self, state):
        self.s = state

    def handle(self, method: str, parts: list[str], query: dict, body: bytes, headers: dict) -> Resp:
        s = self.s
        if len(parts) != 5 or [p.lower() for p in parts[2:]] != ["_apis", "tokens", "pats"]:
            return vss_error(404, "The resource cannot be found.", "NotFoundException")
        if parts[1].lower() != s.org["name"].lower():
            return vss_error(404, f"TF400813: The organization '{parts[1]}' was not found.",
                             "AccountNotFoundException", "Microsoft.VisualStudio.Services.Account")
        owner, err = self._owner(headers)
        if err:
            return err
        ver = query.get("api-version", "")
        err = self._check_version(ver)
        if err:
            return err
        call = _Call(self, owner, ver, query)
        if method == "GET":
            return call.get() if "authorizationId" in query else call.list()
        if method == "DELETE":
            return call.revoke()
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
        return call.create(req) if method == "POST" else call.update(req)

    def _owner(self, headers: dict) -> tuple[str | None, Resp | None]:
        """The signed-in user: only a user's Entra token for Azure DevOps is accepted."""
        s = self.s
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            tok = auth[7:].strip()
            info = s.token_info(tok)
            if tok == s.job_token.get("token") or (info and info["aud"] == "ado" and info["kind"] == "app"):
                return None, self._object_moved()
            if not info or info["aud"] != "ado":
                return None, ado_auth.unauthorized(s, headers, "bad")
            if not s.is_org_member(info):
                return None, ado_auth.unauthorized(s, headers, "nonmember")
            return info["username"].lower(), None
        if auth.lower().startswith("basic "):
            p, kind = ado_auth.principal(s, headers)
            if not p:
                return None, ado_auth.unauthorized(s, headers, kind)
            return None, vss_error(401, "The requested operation is not allowed.", "InvalidAccessException",
                                   "Microsoft.VisualStudio.Services.Common")
        return None, ado_auth.unauthorized(s, headers, "anon")

    def _object_moved(self) -> Resp:
        b = self.s.base
        return Resp(302, f"<html><head><title>Object moved</title></head><body><h2>Object moved to "
                         f"<a href=\"{b}/vssps/_signin?realm=vssps\">here</a>.</h2></body></html>",
                    {"Location": f"{b}/vssps/_signin?realm=vssps&reply_to={b}/vssps/"},
                    content_type="text/html; charset=utf-8")

    @staticmethod
    def _check_version(ver: str) -> Resp | None:
        if not ver:
            return vss_error(400, "No api-version was supplied for the \"GET\" request. The version must "
                             "be supplied either as part of the Accept header (e.g. \"application/json; "
                             "api-version=1.0\") or as a query parameter (e.g. \"?api-version=1.0\").",
                             "VssVersionNotSpecifiedException")
        if ver in ("7.1", "7.2", "7.0", "6.1", "6.0"):
            return vss_error(400, f"The requested version \"{ver}\" of the resource is under preview. The "
                             "-preview flag must be supplied in the api-version for such requests. For example: "
                             f"\"{ver}-preview\"", "VssInvalidPreviewVersionException")
        if not re.match(r"^(7\.[12]|6\.1)-preview(\.1)?$", ver):
            return vss_error(400, f"The requested REST API version of {ver} is out of range for this server.",
                             "VssVersionOutOfRangeException")
        return None

    def pat_json(self, p: dict, with_token: bool = False) -> dict:
        return {"displayName": p["displayName"], "validTo": iso7(p["validTo"]), "scope": p["scope"],
                "targetAccounts": None if p["allOrgs"] else [self.s.org["id"]],
                "validFrom": iso7(p["validFrom"]), "authorizationId": p["authorizationId"],
                "token": p["token"] if with_token else None}


class _Call:
    """One PAT API request of `owner` at api-version `ver`."""

    def __init__(self, api: PatApi, owner: str, ver: str, query: dict):
        self.api, self.s, self.owner, self.ver, self.query = api, api.s, owner, ver, query
        self.mine = [p for p in api.s.pats if p["owner"] == owner]
        self.t = now()
        self.max_life = float(self.s.policies.get("patMaxLifespanDays") or 365) * 86400

    def result(self, p, with_token=False, err="none") -> Resp:
        out = {"patToken": self.api.pat_json(p, with_token) if p else None, "patTokenError": err}
        if self.ver.startswith("7.2"):
            out["patTokenErrorMessage"] = None if err == "none" else err
        return Resp(200, out)

    def find(self, aid: str) -> dict | None:
        aid = aid.lower()
        return next((x for x in self.mine if x["authorizationId"].lower() == aid), None)

    def get(self) -> Resp:
        p = self.find(self.query["authorizationId"])
        return self.result(p, err="none" if p else "authorizationNotFound")

    def revoke(self) -> Resp:
        p = self.find(self.query.get("authorizationId", ""))
        if not p:
            return self.result(None, err="authorizationNotFound")
        p["revoked"] = True
        return Resp(204, None)

    def check_scope(self, scope) -> str | None:
        toks = (scope or "").split()
        if not toks or any(x not in KNOWN_PAT_SCOPES for x in toks):
            return "invalidScope"
        if "app_token" in toks and self.s.policies.get("restrictFullScopePat"):
            return "fullScopePatPolicyViolation"
        return None

    def valid_to(self, value) -> tuple[float | None, str | None]:
        """A requested validTo in the future, or the error."""
        try:
            v = parse_time(value)
        except ValueError:
            return None, "invalidValidTo"
        if v <= self.t:
            return None, "invalidValidTo"
        return v, None

    def create(self, req: dict) -> Resp:
        s = self.s
        if not (req.get("displayName") or "").strip():
            return self.result(None, err="displayNameRequired")
        e = self.check_scope(req.get("scope"))
        if e:
            return self.result(None, err=e)
        valid_to, e = self.valid_to(req["validTo"]) if req.get("validTo") else (self.t + 30 * 86400, None)
        if e:
            return self.result(None, err=e)
        all_orgs = bool(req.get("allOrgs"))
        if all_orgs and s.policies.get("restrictGlobalPat"):
            return self.result(None, err="globalPatPolicyViolation")
        valid_to = min(valid_to, self.t + self.max_life)
        p = {"authorizationId": guid(), "owner": self.owner, "displayName": req["displayName"],
             "scope": req["scope"], "allOrgs": all_orgs, "validFrom": self.t, "validTo": round(valid_to, 2),
             "token": new_pat_value(), "revoked": False}
        s.remember(p["token"])
        s.pats.append(p)
        return self.result(p, with_token=True)

    def update_error(self, p: dict | None, req: dict) -> str | None:
        if not p or p["revoked"]:
            return "authorizationNotFound"
        if p["validTo"] <= self.t:
            return "expiredPatCannotBeExtended"
        if "displayName" in req and req["displayName"] is not None and not str(req["displayName"]).strip():
            return "invalidDisplayName"
        if req.get("scope") is not None:
            e = self.check_scope(req["scope"])
            if e:
                return e
        if req.get("allOrgs") and self.s.policies.get("restrictGlobalPat"):
            return "globalPatPolicyViolation"
        return None

    def update(self, req: dict) -> Resp:
        p = self.find(str(req.get("authorizationId") or ""))
        e = self.update_error(p, req)
        if e:
            return self.result(None, err=e)
        new_to = None
        if req.get("validTo"):
            new_to, e = self.valid_to(req["validTo"])
            if e:
                return self.result(None, err=e)
            new_to = round(min(new_to, p["validFrom"] + self.max_life), 2)
        if req.get("displayName"):
            p["displayName"] = req["displayName"]
        if req.get("scope") is not None:
            p["scope"] = req["scope"]
        if req.get("allOrgs") is not None:
            p["allOrgs"] = bool(req["allOrgs"])
        if new_to is not None:
            p["validTo"] = new_to
        return self.result(p)

    def list(self) -> Resp:
        return pat_list(self.api, self.mine, self.query, self.t)


def _status(p: dict, t: float) -> str:
    return "revoked" if p["revoked"] else ("expired" if p["validTo"] <= t else "active")


def pat_list(api: PatApi, mine: list[dict], query: dict, t: float) -> Resp:
    """One page: default filter `active`, page size min($top, patPageSize), opaque continuationToken."""
    flt = (query.get("displayFilterOption") or "active").lower()
    if flt not in ("active", "revoked", "expired", "all"):
        return vss_error(400, f"The value '{flt}' is not valid for displayFilterOption.", "ArgumentException",
                         "System")
    sel = [p for p in mine if flt == "all" or _status(p, t) == flt]
    sort = (query.get("sortByOption") or "displayName").lower()
    asc = (query.get("isSortAscending") or "true").lower() != "false"
    key = {"displayname": lambda p: p["displayName"].lower(), "displaydate": lambda p: p["validTo"],
           "status": lambda p: _status(p, t)}.get(sort)
    if key is None:
        return vss_error(400, f"The value '{sort}' is not valid for sortByOption.", "ArgumentException", "System")
    sel.sort(key=lambda p: (key(p), p["authorizationId"]), reverse=not asc)
    page_size = int(api.s.config.get("patPageSize") or 20)
    try:
        top = int(query.get("$top") or page_size)
    except ValueError:
        return vss_error(400, "The value of $top is not valid.", "ArgumentException", "System")
    if top < 1 or top > 100:
        return vss_error(400, "The $top value must be between 1 and 100.", "ArgumentOutOfRangeException", "System")
    size = min(top, page_size)
    fingerprint = hashlib.sha256(f"{flt}|{sort}|{asc}".encode()).hexdigest()[:8]
    offset = _continuation(query.get("continuationToken"), fingerprint)
    if offset is None:
        return vss_error(400, "The continuation token is not valid for this request.", "ArgumentException", "System")
    nxt = offset + size
    token = b64url(json.dumps({"o": nxt, "f": fingerprint}).encode()) if nxt < len(sel) else ""
    return Resp(200, {"continuationToken": token, "patTokens": [api.pat_json(p) for p in sel[offset:nxt]]})


def _continuation(ct: str | None, fingerprint: str) -> int | None:
    if not ct:
        return 0
    try:
        d = json.loads(b64url_decode(ct))
        if d["f"] != fingerprint:
            return None
        return int(d["o"])
    except Exception:
        return None
