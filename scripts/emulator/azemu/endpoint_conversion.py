"""Azure DevOps: converting an AzureRM service connection between a client secret and workload identity
federation, the issuer a saved federated connection gets, the OIDC token's claims for it, and the project list.

Sources (see docs/federation.md for the whole account):
- The conversion request: `PUT {org}[/{project}]/_apis/serviceendpoint/endpoints/{id}?operation=
  ConvertAuthenticationScheme` with the connection's own body and `authorization.scheme` set to the target
  scheme (`operation` is an "operation type" string in vsts-rest-api-specs serviceEndpoint/7.1; the value and
  body are from the script in MicrosoftDocs/azure-devops-docs docs/pipelines/library/connect-to-azure.md, which
  also drops `data.revertSchemeDeadline`). Same permission as any PUT.
- Only a connection used by one project converts (connect-to-azure.md, "Convert an existing ... connection").
- Automatic conversion: Azure DevOps creates the federated credential itself when it manages the principal;
  otherwise it answers "Automatic authentication conversion failed. Your service connection was not modified.
  To continue the conversion manually, create a Federated Credential for the underlying Service Principal using
  the Federation Subject Identifier below and try again." (quoted by rios.engineer and dev.to/kkazala). The
  emulator then states the issuer and subject on the unmodified connection (`authorization.parameters.
  workloadIdentityFederationIssuer/Subject`), which is how a REST client learns them (modelling choice: the
  portal shows them in its "Authentication conversion" box). Retrying after the credential exists converts.
- Issuers (troubleshoot-workload-identity.md): Azure DevOps `https://vstoken.dev.azure.com/{organizationId}` with
  `sc://{org}/{project}/{connection}`; Entra `https://login.microsoftonline.com/{tenantId}/v2.0` with
  `{entra prefix}/sc/{organizationId}/{connectionId}`. Fixture `config.oidcIssuer`: "entra" (default) or
  "azureDevOps" decides which one a conversion or a save assigns ("You can fix the issuer URL by editing and
  saving the service connection").
- Revert: within seven days (connect-to-azure.md); `data.revertSchemeDeadline` (a round-trip "o" date) records
  it, as the decompiled AzureEndpointConstants of Azure DevOps Server 2022 name it.
- Fixture per endpoint: `conversionCanChangePrincipal` (default: true for Automatic, false for Manual).
- Test-authentication first (Azure DevOps Server 2022's service code, a public decompilation; the cloud may
  differ: api-contracts notes "Paging, conversion in the background"): with the credential in place, the upgrade
  signs in with the new scheme. Success converts at once. While Entra does not honour the credential yet
  (federated_credentials.py, "Propagation"), the connection is saved with its old scheme and `operationStatus
  {InProgress, converting_scheme}` (`isReady` false, issuer and subject stated) and the service finishes in the
  background: converted once the credential is honoured, or `{Failed, converting_scheme_failed}` (still on its
  secret) after config `conversionBackgroundSeconds` (scaled by timeScale; how long the service keeps trying is not
  published: an inference). `settle()` advances that background work before every Azure DevOps answer and every
  state read. A conversion request while converting_scheme (or after it failed) tests again.
- A request while `InProgress` with any other status message is refused ("another operation is already in progress";
  the notes' wording, status and type key an inference).
- Changing a connection's credentials (its key, or its scheme) can need an organization/collection-level
  Administrator of the endpoint: fixture endpoint key `organizationAdministrators` (principal ids; the job token is
  `build-service`) lists who may; others get 403 "You need to be an organization/collection level Administrator of the
  service endpoint to perform this operation." (server resource string, quoted by a 2021 bzzzt.io post on the cloud
  service; the type key AccessCheckException is an inference). Without the key, the project-level role suffices."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import uuid

from . import federated_credentials
from .clock import now
from .responses import Resp, vss_error
from .state import scaled
from .util import guid, parse_json_object

OPERATION = "convertauthenticationscheme"
WIF = "WorkloadIdentityFederation"
SPN = "ServicePrincipal"
REVERT_SECONDS = 7 * 86400
PROJECT_PAGE = 100
NS = "Microsoft.VisualStudio.Services.ServiceEndpoints.WebApi"
AUTOMATIC_FAILED = ("Automatic authentication conversion failed. Your service connection was not modified. To "
                    "continue the conversion manually, create a Federated Credential for the underlying Service "
                    "Principal using the Federation Subject Identifier below and try again.")
_ADO_APP = "499b84ac-1321-427f-aa17-267ca6975798"


IN_PROGRESS = {"state": "InProgress", "statusMessage": "converting_scheme"}
FAILED = {"state": "Failed", "statusMessage": "converting_scheme_failed"}
ORG_ADMIN_NEEDED = ("You need to be an organization/collection level Administrator of the service endpoint to perform "
                    "this operation.")


def busy(e: dict) -> Resp | None:
    """The refusal of a request while another operation is in progress on `e`, else None."""
    status = e["body"].get("operationStatus") or {}
    if status.get("state") == "InProgress" and status.get("statusMessage") != IN_PROGRESS["statusMessage"]:
        return vss_error(400, f"Another operation is already in progress on the service connection "
                         f"'{e['body']['name']}' ({status.get('statusMessage') or 'InProgress'}). Try again when it "
                         "has completed.", "ServiceEndpointException", NS)
    return None


def organization_administrator_missing(e: dict, who: dict) -> Resp | None:
    """403 when `e` lists its organization-level administrators and the caller is not one of them."""
    admins = e.get("organizationAdministrators")
    caller = "build-service" if who["kind"] == "job" else who["id"]
    granted = [str(r["identity"]) for r in e.get("roleAssignments") or []
               if r.get("scope") == "collection" and r.get("role") == "Administrator"]
    if admins is None or caller.lower() in [a.lower() for a in admins + granted]:
        return None
    return vss_error(403, ORG_ADMIN_NEEDED, "AccessCheckException", "Microsoft.VisualStudio.Services.Security")


def settle(s) -> None:
    """Background conversions: converted once Entra honours the credential, Failed after the service gives up."""
    for e in s.endpoints.values():
        work = e.get("conversion")
        if not work:
            continue
        if e["body"].get("operationStatus") != IN_PROGRESS:
            e.pop("conversion", None)
            continue
        cred = _matching(s, e, work["issuer"], work["subject"])
        if cred and federated_credentials.honoured(s.config, cred):
            _complete(e, work["issuer"], work["subject"])
        elif now() >= work["started"] + scaled(s.config, s.config.get("conversionBackgroundSeconds")):
            e["body"]["operationStatus"] = dict(FAILED)
            e["body"]["isReady"] = True  # it still signs in with its secret
            e.pop("conversion", None)


def conversion_target(method: str, low: list[str], query: dict) -> int | None:
    """The index of the endpoint id in the path when this is a conversion request, else None."""
    if method != "PUT" or (query.get("operation") or "").lower() != OPERATION:
        return None
    if len(low) == 6 and low[2:5] == ["_apis", "serviceendpoint", "endpoints"]:
        return 5
    if len(low) == 7 and low[3:6] == ["_apis", "serviceendpoint", "endpoints"]:
        return 6
    return None


def projects(s, query: dict) -> Resp:
    """GET {org}/_apis/projects (Core - Projects - List): at most 100 a page (`$top` asks for fewer), the rest
    behind the `x-ms-continuationtoken` response header, sent back as `continuationToken` (MicrosoftDocs/
    vsts-rest-api-specs#275; azure-devops-pull-request-hub#81; azure-functions-ux#3890). The token is the number of
    projects already returned, as azure-devops-python-api's `get_projects(continuation_token: int)` documents it
    ("Pointer that shows how many projects already been fetched"); `$skip` works alike."""
    try:
        top = min(int(query.get("$top") or PROJECT_PAGE), PROJECT_PAGE)
        start = int(query.get("continuationToken") or 0) + int(query.get("$skip") or 0)
    except ValueError:
        return vss_error(400, "The continuation token or paging parameter is not valid.", "ArgumentException",
                         "System")
    every = s.org.get("projects", [])
    vals = [{"id": p["id"], "name": p["name"], "state": "wellFormed", "visibility": "private",
             "url": f"{s.base}/ado/{s.org['name']}/_apis/projects/{p['id']}"} for p in every[start:start + max(top, 0)]]
    more = {"x-ms-continuationtoken": str(start + len(vals))} if vals and start + len(vals) < len(every) else {}
    return Resp(200, {"count": len(vals), "value": vals}, more)


def federation(s, e: dict) -> tuple[str, str]:
    """The issuer and subject Azure DevOps assigns to `e` now (the org's issuer setting)."""
    body = e["body"]
    if (s.config.get("oidcIssuer") or s.fixture.get("oidcIssuer") or "entra").lower() == "azuredevops":
        proj = ((body.get("serviceEndpointProjectReferences") or [{}])[0].get("projectReference") or {})
        return (f"https://vstoken.dev.azure.com/{s.org['id']}",
                f"sc://{s.org['name']}/{proj.get('name', '')}/{body['name']}")
    tenant = s.tenant["id"]
    prefix = f"/eid1/c/pub/t/{_b64_guid(tenant)}/a/{_b64_guid(_ADO_APP)}"
    return f"https://login.microsoftonline.com/{tenant}/v2.0", f"{prefix}/sc/{s.org['id']}/{body['id']}"


def oidc_claims(s, proj: dict, e: dict) -> tuple[str, str]:
    """iss/sub of the job's OIDC token for `e`: what the connection states, else the Azure DevOps form."""
    params = (e["body"].get("authorization") or {}).get("parameters") or {}
    if (e["body"].get("authorization") or {}).get("scheme") == WIF and params.get("workloadIdentityFederationSubject"):
        return params["workloadIdentityFederationIssuer"], params["workloadIdentityFederationSubject"]
    return f"https://vstoken.dev.azure.com/{s.org['id']}", f"sc://{s.org['name']}/{proj['name']}/{e['body']['name']}"


def after_save(s, e: dict) -> None:
    """A saved federated connection gets the org's current issuer (and the subject that goes with it)."""
    auth = e["body"].get("authorization") or {}
    if auth.get("scheme") != WIF or (e["body"].get("data") or {}).get("creationMode") == "Automatic":
        return
    issuer, subject = federation(s, e)
    auth.setdefault("parameters", {}).update(
        {"workloadIdentityFederationIssuer": issuer, "workloadIdentityFederationSubject": subject})


def convert(ado, eid: str, body: bytes, who: dict, check_body) -> Resp:
    """PUT …?operation=ConvertAuthenticationScheme."""
    s = ado.s
    e = s.endpoints.get(eid.lower())
    if not e:
        return vss_error(404, f"Service connection with id {eid} not found.", "ServiceEndpointNotFoundException", NS)
    if not ado.may_administer(e, who):
        return vss_error(403, f"Access denied. You need Administrator role on the service connection "
                         f"{e['body']['name']} to perform this action.", "AccessCheckException",
                         "Microsoft.VisualStudio.Services.Security")
    new = parse_json_object(body)
    err = check_body(new, eid) or busy(e)
    if err:
        return err
    current = (e["body"].get("authorization") or {}).get("scheme", "")
    target = new["authorization"].get("scheme", "")
    if target.lower() == current.lower():
        return vss_error(400, f"Converting endpoint type {e['body'].get('type')} scheme from {current} to {target} "
                         "is neither an upgrade or a downgrade and is not supported.", "ArgumentException", "System")
    refused = organization_administrator_missing(e, who)
    if refused and {current, target} == {SPN, WIF}:
        return refused
    if current == SPN and target == WIF:
        return _to_federation(s, e)
    if current == WIF and target == SPN:
        return _revert(s, e)
    return vss_error(400, f"Converting endpoint type {e['body'].get('type')} scheme from {current} to {target} is "
                     "not supported.", "ArgumentException", "System")


def _to_federation(s, e: dict) -> Resp:
    body = e["body"]
    if (body.get("type") or "").lower() != "azurerm":
        return vss_error(400, "Only Azure Resource Manager service connections can be converted.",
                         "ArgumentException", "System")
    if len(body.get("serviceEndpointProjectReferences") or []) > 1 or body.get("isShared"):
        return vss_error(400, f"The service connection '{body['name']}' is shared with other projects and cannot be "
                         "converted.", "ServiceEndpointException", NS)
    params = body["authorization"].setdefault("parameters", {})
    issuer, subject = federation(s, e)
    app = s.apps.get(str(params.get("serviceprincipalid", "")).lower())
    creds = federated_credentials.ensure_ids(app) if app else []
    cred = _matching(s, e, issuer, subject)
    automatic = (body.get("data") or {}).get("creationMode") == "Automatic"
    can_change = e.get("conversionCanChangePrincipal")
    if not cred and app and (automatic if can_change is None else can_change) and len(creds) < federated_credentials.LIMIT:
        cred = {"id": guid(), "name": body["id"], "issuer": issuer, "subject": subject,
                "description": f"Federation for Service Connection {body['name']}",
                "audiences": ["api://AzureADTokenExchange"], "createdAt": now()}
        creds.append(cred)
    params["workloadIdentityFederationIssuer"] = issuer
    params["workloadIdentityFederationSubject"] = subject
    if not cred:
        return vss_error(400, AUTOMATIC_FAILED, "ServiceEndpointException", NS)
    if federated_credentials.honoured(s.config, cred):  # the test sign-in with the new scheme works
        _complete(e, issuer, subject)
    else:
        e["conversion"] = {"started": now(), "issuer": issuer, "subject": subject}
        body["isReady"] = False
        body["operationStatus"] = dict(IN_PROGRESS)
    from .endpoints import public
    return Resp(200, public(e, omit=False))


def _matching(s, e: dict, issuer: str, subject: str) -> dict | None:
    """The credential of `e`'s application for `issuer` and `subject`, if any."""
    params = (e["body"].get("authorization") or {}).get("parameters") or {}
    app = s.apps.get(str(params.get("serviceprincipalid", "")).lower())
    creds = federated_credentials.ensure_ids(app) if app else []
    return next((c for c in creds if c["issuer"] == issuer and c["subject"] == subject), None)


def _complete(e: dict, issuer: str, subject: str) -> None:
    """Converts `e` to federation (its secret kept for a revert within seven days)."""
    body = e["body"]
    params = body["authorization"].get("parameters") or {}
    e["revert"] = {"parameters": copy.deepcopy(params), "deadline": now() + REVERT_SECONDS}
    body["authorization"] = {"scheme": WIF, "parameters": {
        "tenantid": params.get("tenantid"), "serviceprincipalid": params.get("serviceprincipalid"),
        "workloadIdentityFederationIssuer": issuer, "workloadIdentityFederationSubject": subject}}
    body.setdefault("data", {})["revertSchemeDeadline"] = _round_trip(now() + REVERT_SECONDS)
    body["isReady"] = True
    body["operationStatus"] = {"state": "Ready", "statusMessage": ""}
    e.pop("conversion", None)


def _revert(s, e: dict) -> Resp:
    saved = e.get("revert")
    if not saved or saved["deadline"] <= now():
        return vss_error(400, f"The service connection '{e['body']['name']}' can no longer be reverted to its "
                         "original scheme: the revert deadline has passed.", "ServiceEndpointException", NS)
    params = {k: v for k, v in saved["parameters"].items() if not k.startswith("workloadIdentityFederation")}
    e["body"]["authorization"] = {"scheme": SPN, "parameters": params}
    (e["body"].get("data") or {}).pop("revertSchemeDeadline", None)
    e["body"]["isReady"] = True
    e["body"]["operationStatus"] = {"state": "Ready", "statusMessage": ""}
    e.pop("revert", None)
    from .endpoints import public
    return Resp(200, public(e, omit=False))


def _b64_guid(g: str) -> str:
    return base64.urlsafe_b64encode(uuid.UUID(g).bytes_le).decode().rstrip("=")


def _round_trip(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f0Z")
