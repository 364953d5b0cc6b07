"""Azure DevOps on dev.azure.com: service endpoints, the pipeline OIDC token, resource-location discovery.

Follows: MicrosoftDocs/vsts-rest-api-specs specification/serviceEndpoint/7.1/serviceEndpoint.json
(Endpoints - Get Service Endpoints By Names / Get / Update Service Endpoint) and its httpExamples;
https://learn.microsoft.com/rest/api/azure/devops/serviceendpoint/endpoints; the OIDC token route of
distributedtask (https://learn.microsoft.com/rest/api/azure/devops/distributedtask/oidctoken/create);
the ApiResourceLocations / ResourceAreas discovery the azure-devops clients perform."""

from __future__ import annotations

import copy

from . import ado_auth, endpoint_conversion, security_roles
from .clock import now
from .responses import Resp, method_not_allowed, vss_error
from .state import ENDPOINT_SECRET_PARAMS
from .util import guid, make_jwt, parse_json_object

ENDPOINTS_NS = "Microsoft.VisualStudio.Services.ServiceEndpoints.WebApi"


def _loc(lid, area, resource, template, version=4, released="7.1"):
    return {"id": lid, "area": area, "resourceName": resource, "routeTemplate": template,
            "routeName": f"{area}-{resource}", "resourceVersion": version, "minVersion": 1.0,
            "maxVersion": 7.2, "releasedVersion": released}


API_LOCATIONS = [
    _loc("e81700f7-3be2-46de-8624-2eb35882fcaa", "Location", "ResourceAreas", "_apis/{resource}/{areaId}", 1, "0.0"),
    _loc("603fe2ac-9723-48b9-88ad-09305aa6c6e1", "core", "projects", "_apis/{resource}/{*projectId}"),
    _loc("e85f1c62-adfc-4b74-b618-11a150fb195e", "serviceendpoint", "endpoints",
         "{project}/_apis/{area}/{resource}/{endpointId}"),
    _loc("14e48fdc-2c8b-41ce-a0c3-e26f6cc55bd0", "serviceendpoint", "endpoints",
         "_apis/{area}/{resource}/{endpointId}"),
    _loc("69a319f4-28c1-4bfd-93e6-ea0ff5c6f1a2", "distributedtask", "oidctoken",
         "{scopeIdentifier}/_apis/{area}/hubs/{hubName}/plans/{planId}/jobs/{jobId}/{resource}", 1, "7.1"),
    _loc("00d9565f-ed9c-4a06-9a50-00e7896ccab4", "Location", "ConnectionData", "_apis/{resource}", 1, "0.0"),
    _loc("9461c234-c84c-4ed2-b918-2f0f92ad0a35", "securityroles", "roleassignments",
         "_apis/{area}/scopes/{scopeId}/{resource}/resources/{resourceId}/{identityId}", 1, "0.0"),
]


def _project_missing(name: str) -> Resp:
    return vss_error(404, f"TF200016: The following project does not exist: {name}. Verify "
                     "that the name of the project is correct and that the project exists on the "
                     "specified Azure DevOps Server.", "ProjectDoesNotExistWithNameException",
                     "Microsoft.TeamFoundation.Core.WebApi")


class AzureDevOps:
    def __init__(self, state):
        self.s = state

    def handle(self, method: str, parts: list[str], query: dict, body: bytes, headers: dict) -> Resp:
        s = self.s
        if len(parts) < 2 or parts[1].lower() != s.org["name"].lower():
            return vss_error(404, "TF400813: The organization was not found.", "AccountNotFoundException")
        low = [p.lower() for p in parts]
        endpoint_conversion.settle(s)
        if method == "OPTIONS" and low[2:] == ["_apis"]:
            return Resp(200, {"count": len(API_LOCATIONS), "value": API_LOCATIONS})
        who, kind = ado_auth.principal(s, headers)
        if not who:
            return ado_auth.unauthorized(s, headers, kind)
        if method == "GET" and low[2:] == ["_apis", "resourceareas"]:
            return Resp(200, {"count": 0, "value": []})
        if method == "GET" and low[2:] == ["_apis", "projects"]:
            return endpoint_conversion.projects(s, query)
        preview = self.preview_route(method, low, parts, query, headers, who)
        if preview is not None:
            return preview
        err = self.request_error(method, query, headers, body, who)
        if err:
            return err
        target = endpoint_conversion.conversion_target(method, low, query)
        if target is not None:
            return endpoint_conversion.convert(self, parts[target], body, who, _check_put_body)
        n = len(low)
        if n == 6 and low[2:5] == ["_apis", "serviceendpoint", "endpoints"]:
            # PUT {org}/_apis/serviceendpoint/endpoints/{id}   (the documented route: no project segment)
            return self.put(parts[5], body, who) if method == "PUT" else method_not_allowed(method)
        if n in (6, 7) and low[3:6] == ["_apis", "serviceendpoint", "endpoints"]:
            return self.project_route(method, parts, query, body, who)
        if n == 12 and low[3:6] == ["_apis", "distributedtask", "hubs"] and low[7] == "plans" \
                and low[9] == "jobs" and low[11] == "oidctoken":
            return self.oidc_token(parts, query, who) if method == "POST" else method_not_allowed(method)
        return vss_error(404, "The controller for path '/" + "/".join(parts[1:]) + "' was not found or does "
                         "not implement IController.", "NotFoundException")

    def preview_route(self, method: str, low: list[str], parts: list[str], query: dict, headers: dict,
                      who: dict) -> Resp | None:
        """connectionData and the security roles (security_roles.py): preview-only resources, GET only."""
        n = len(low)
        connection = n == 4 and low[2:] == ["_apis", "connectiondata"]
        roles = n == 9 and low[2:5] == ["_apis", "securityroles", "scopes"] and low[6:8] == ["roleassignments",
                                                                                              "resources"]
        if not connection and not roles:
            return None
        if method != "GET":
            return method_not_allowed(method)
        if self.s.config.get("adoApiVersion"):
            err = ado_auth.preview_version_error(method, ado_auth.requested_version(query, headers))
            if err:
                return err
        if connection:
            return security_roles.connection_data(self.s, who)
        return security_roles.role_assignments(self.s, parts[5], parts[8])

    def request_error(self, method: str, query: dict, headers: dict, body: bytes, who: dict) -> Resp | None:
        """api-version (config adoApiVersion), media type (adoMediaType), the route's scope (adoScopes)."""
        s = self.s
        if s.config.get("adoApiVersion"):
            err = ado_auth.api_version_error(method, ado_auth.requested_version(query, headers))
            if err:
                return err
        accepted = ("vso.serviceendpoint_manage",) if method == "PUT" else \
            ("vso.serviceendpoint", "vso.serviceendpoint_query", "vso.serviceendpoint_manage")
        return ado_auth.media_type_error(s, method, headers, body) or ado_auth.missing_scope(s, who, accepted)

    def project_route(self, method: str, parts: list[str], query: dict, body: bytes, who: dict) -> Resp:
        """{org}/{project}/_apis/serviceendpoint/endpoints[/{id}]"""
        proj = self.s.project(parts[2])
        if not proj:
            return _project_missing(parts[2])
        if len(parts) == 6 and method == "GET":
            return self.list(proj, query, who)
        if len(parts) == 7 and method == "GET":
            e = self.s.endpoints.get(parts[6].lower())
            if not e or not in_project(e, proj) or not self.passes_action_filter(e, query, who):
                return Resp(200, raw=b"null")
            return Resp(200, public(e, omit=False))
        if len(parts) == 7 and method == "PUT":
            return self.put(parts[6], body, who)
        return method_not_allowed(method)

    def passes_action_filter(self, e: dict, query: dict, who: dict) -> bool:
        """`actionFilter=manage` keeps only connections the caller may administer (security_roles.py)."""
        return (query.get("actionFilter") or "").lower() != "manage" or self.may_administer(e, who)

    def list(self, proj: dict, query: dict, who: dict) -> Resp:
        out = [e for e in self.s.endpoints.values() if in_project(e, proj) and self.passes_action_filter(e, query, who)]
        for key, field in (("endpointNames", lambda b: b["name"]), ("endpointIds", lambda b: b["id"])):
            if query.get(key):
                wanted = [n.strip().lower() for n in query[key].split(",") if n.strip()]
                out = [e for e in out if field(e["body"]).lower() in wanted]
        if query.get("type"):
            out = [e for e in out if e["body"].get("type", "").lower() == query["type"].lower()]
        if query.get("authSchemes"):
            sch = [x.strip().lower() for x in query["authSchemes"].split(",")]
            out = [e for e in out if (e["body"].get("authorization") or {}).get("scheme", "").lower() in sch]
        if (query.get("includeFailed") or "").lower() != "true":
            # A connection whose last operation failed (a failed conversion still holding its secret) is listed only
            # with includeFailed=true (api-contracts notes, "Paging, conversion in the background").
            out = [e for e in out if (e["body"].get("operationStatus") or {}).get("state") != "Failed"]
        vals = [public(e, omit=True) for e in out]
        return Resp(200, {"count": len(vals), "value": vals})

    # ---- PUT
    def put(self, eid: str, body: bytes, who: dict) -> Resp:
        s = self.s
        e = s.endpoints.get(eid.lower())
        if not e:
            return vss_error(404, f"Service connection with id {eid} not found.", "ServiceEndpointNotFoundException",
                             ENDPOINTS_NS)
        if not self.may_administer(e, who):
            name = security_roles.identity(s, security_roles.principal_key(who))["displayName"]
            return vss_error(403, f"Access denied. {name} needs Administrator role on the service connection "
                             f"{e['body']['name']} to perform this action. For more information, contact the Azure "
                             "DevOps Server administrator.", "AccessCheckException",
                             "Microsoft.VisualStudio.Services.Security")
        new = parse_json_object(body)
        err = _check_put_body(new, eid) or endpoint_conversion.busy(e)
        if err:
            return err
        params, changed = _merge_params(e["body"], new)
        scheme = (new["authorization"].get("scheme") or "").lower()
        if changed or scheme != ((e["body"].get("authorization") or {}).get("scheme") or "").lower():
            refused = endpoint_conversion.organization_administrator_missing(e, who)
            if refused:
                return refused
        if changed and ((new.get("data") or {}).get("creationMode") or "").lower() == "automatic":
            return vss_error(400, f"Unable to update the credentials of the service connection "
                             f"'{e['body']['name']}': the credentials of an automatically created service "
                             "connection cannot be updated. Convert the service connection to Manual "
                             "(data.creationMode) to update its credentials.", "ServiceEndpointException", ENDPOINTS_NS)
        self.store(e, new, params)
        return Resp(200, public(e, omit=False))

    def may_administer(self, e: dict, who: dict) -> bool:
        return security_roles.may_administer(self.s, e, who)

    def store(self, e: dict, new: dict, params: dict) -> None:
        old = e["body"]
        stored = copy.deepcopy(new)
        stored["authorization"] = dict(new["authorization"], parameters=params)
        for k in ("createdBy", "owner"):
            if k in old and k not in stored:
                stored[k] = old[k]
        for k in ENDPOINT_SECRET_PARAMS:
            if params.get(k):
                self.s.remember(params[k])
        if e["failReadinessAfterUpdate"]:
            stored["isReady"] = False
            stored["operationStatus"] = {"state": "Failed", "statusMessage": "Failed to verify the service "
                                         "connection: AADSTS7000215: Invalid client secret provided."}
        else:
            stored["isReady"] = True
            stored["operationStatus"] = {"state": "Ready", "statusMessage": ""}
        e["body"] = stored
        e.pop("conversion", None)  # a save replaces a conversion still under way
        endpoint_conversion.after_save(self.s, e)

    # ---- OIDC
    def oidc_token(self, parts: list[str], query: dict, who: dict) -> Resp:
        s = self.s
        if who["kind"] != "job":
            return vss_error(403, "The OIDC token can only be requested with the job access token.",
                             "InvalidAccessException", "Microsoft.VisualStudio.Services.Common")
        proj = s.project(parts[2])
        if not proj:
            return vss_error(404, f"TF200016: The following project does not exist: {parts[2]}.",
                             "ProjectDoesNotExistException", "Microsoft.TeamFoundation.Core.WebApi")
        if parts[6].lower() != s.job.get("hub", "build").lower() or \
                parts[8].lower() != s.job.get("planId", "").lower() or parts[10].lower() != s.job.get("jobId", "").lower():
            return vss_error(404, "The plan or job was not found.", "TaskOrchestrationPlanNotFoundException",
                             "Microsoft.TeamFoundation.DistributedTask.WebApi")
        sc = query.get("serviceConnectionId")
        if not sc:
            return vss_error(400, "Value cannot be null.\r\nParameter name: serviceConnectionId",
                             "ArgumentNullException", "System")
        e = s.endpoints.get(sc.lower())
        if not e or not in_project(e, proj):
            return vss_error(404, f"Service connection {sc} could not be found, or the pipeline is not "
                             "authorized to use it.", "ServiceEndpointNotFoundException", ENDPOINTS_NS)
        return Resp(200, {"oidcToken": self.issue_oidc(proj, e)})

    def issue_oidc(self, proj: dict, e: dict) -> str:
        s = self.s
        t = now()
        iss, sub = endpoint_conversion.oidc_claims(s, proj, e)
        aud = "api://AzureADTokenExchange"
        tok = make_jwt({"iss": iss, "sub": sub, "aud": aud, "iat": int(t), "nbf": int(t), "exp": int(t + 600),
                        "jti": guid()})
        s.oidc[tok] = {"iss": iss, "sub": sub, "aud": aud, "exp": t + 600, "iat": t}
        s.remember(tok)
        return tok


def in_project(e: dict, proj: dict) -> bool:
    for r in e["body"].get("serviceEndpointProjectReferences") or []:
        pr = r.get("projectReference") or {}
        if str(pr.get("id", "")).lower() == proj["id"].lower() or \
                str(pr.get("name", "")).lower() == proj["name"].lower():
            return True
    return False


def public(e: dict, omit: bool) -> dict:
    """The endpoint as returned: secret parameters omitted (lists) or null (single GET, PUT)."""
    b = copy.deepcopy(e["body"])
    params = (b.get("authorization") or {}).get("parameters")
    if isinstance(params, dict):
        for k in list(params):
            if k in ENDPOINT_SECRET_PARAMS:
                if omit:
                    del params[k]
                else:
                    params[k] = None
    return b


def _check_put_body(new: dict | None, eid: str) -> Resp | None:
    if new is None:
        return vss_error(400, "Value cannot be null.\r\nParameter name: endpoint", "ArgumentNullException", "System")
    if str(new.get("id", "")).lower() != eid.lower():
        return vss_error(400, "The id of the service connection in the request body does not match the id in "
                         "the URL.", "ArgumentException", "System")
    if not new.get("serviceEndpointProjectReferences"):
        return vss_error(400, "Value cannot be null.\r\nParameter name: endpoint.ServiceEndpointProjectReferences",
                         "ArgumentNullException", "System")
    if not isinstance(new.get("authorization"), dict):
        return vss_error(400, "Value cannot be null.\r\nParameter name: endpoint.Authorization",
                         "ArgumentNullException", "System")
    return None


def _merge_params(old: dict, new: dict) -> tuple[dict, bool]:
    """The parameters to store (null secrets keep the stored ones; server-owned WIF parameters survive)
    and whether a secret changed."""
    old_params = (old.get("authorization") or {}).get("parameters") or {}
    params = dict(new["authorization"].get("parameters") or {})
    changed = False
    for k in ENDPOINT_SECRET_PARAMS:
        if k in params and params[k] is not None:
            changed = changed or params[k] != old_params.get(k)
        elif k in old_params:
            params[k] = old_params[k]
    for k in ("workloadIdentityFederationIssuer", "workloadIdentityFederationSubject"):
        if k in old_params and not params.get(k):
            params[k] = old_params[k]
    return params, changed
