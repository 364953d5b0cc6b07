"""Microsoft Graph v1.0: federated identity credentials of an application.

Follows: microsoftgraph/microsoft-graph-docs-contrib api-reference/v1.0/resources/federatedidentitycredential.md
(properties: name <= 120 characters, URL friendly, immutable, alternate key; issuer and subject <= 600
characters, the pair unique within the app; audiences a single value <= 600 characters, for Entra
`api://AzureADTokenExchange`; description <= 600) and the methods List / Create / Get / Delete
(`/applications/{id}/federatedIdentityCredentials[/{id} | (name='{name}')]`, Create answers 201, Delete 204);
https://learn.microsoft.com/entra/workload-id/workload-identity-federation-considerations ("A maximum of 20
federated identity credentials can be added to an application"; an issuer with leading or trailing whitespace
is blocked). Errors in Graph's shape (`{"error": {"code", "message"}}`); the two duplicates answer as Graph does:
a name in use is 409 `Request_MultipleObjectsWithSameKeyValue` "FederatedIdentityCredential with name {name} already
exists." (Azure/azure-dev#1482), an issuer and subject in use is 400 "The combination of issuer and subject must be
unique for the application. Issuer … and Subject: … already exist. …" (Azure/azure-workload-identity#434); the other
wordings are the emulator's own.

Paging: a list answers at most `$top` or config `graphPageSize` credentials and an `@odata.nextLink` for the rest, as
any Graph collection may (learn.microsoft.com/graph/paging: follow `@odata.nextLink` as is until it is absent). Graph
chooses its page sizes; the small default is an inference that makes clients prove they follow the link.

Propagation: a new credential is not honoured by Entra at once ("it can take a few minutes for the federated identity
credential to be propagated": learn.microsoft.com/entra/workload-id/workload-identity-federation-considerations;
azure-workload-identity#616 shows the answer, AADSTS70021). Each credential created here records `createdAt`;
`honoured()` says whether config `federatedCredentialPropagationSeconds` (scaled by timeScale) has passed. Fixture
credentials are honoured from the start.

Stored in the app's `federatedCredentials` list, which `entra.py` matches client assertions against."""

from __future__ import annotations

import base64
import json
import re
import urllib.parse

from .clock import now
from .responses import Resp
from .state import scaled
from .util import guid

PATH = re.compile(r"^applications(?:/([0-9a-fA-F-]{36})|\(appId='([^']+)'\))/federatedIdentityCredentials"
                  r"(?:/([^/]+)|\(name='([^']+)'\))?$")
LIMIT = 20
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$")
_CONTEXT = "https://graph.microsoft.com/v1.0/$metadata#applications('{id}')/federatedIdentityCredentials"


def ensure_ids(app: dict) -> list[dict]:
    """The app's credentials, each with an id (fixture entries may omit it)."""
    creds = app.setdefault("federatedCredentials", [])
    for c in creds:
        c.setdefault("id", guid())
        c.setdefault("audiences", ["api://AzureADTokenExchange"])
        c.setdefault("description", None)
    return creds


def honoured(config: dict, c: dict) -> bool:
    """Whether Entra accepts tokens for credential `c` yet (see the module docstring)."""
    created = c.get("createdAt")
    return created is None or created + scaled(config, config.get("federatedCredentialPropagationSeconds")) <= now()


def public(c: dict) -> dict:
    return {"id": c["id"], "name": c["name"], "issuer": c["issuer"], "subject": c["subject"],
            "description": c.get("description"), "audiences": list(c["audiences"])}


def handle(graph, method: str, match: re.Match, raw: dict, app: dict, body: bytes, err, query: dict) -> Resp:
    """One request under /applications/{id}/federatedIdentityCredentials."""
    creds = ensure_ids(app)
    key = match.group(3) or match.group(4)
    if key is None:
        if method == "GET":
            if not graph.can_read(raw, app):
                return err(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
            return page(graph, app, creds, query, err)
        if method == "POST":
            if not graph.can_write(raw, app):
                return err(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
            return create(app, creds, body, err)
        return err(405, "Request_BadRequest", "Method not allowed.")
    key = urllib.parse.unquote(key)
    found = next((c for c in creds if c["id"].lower() == key.lower() or c["name"] == key), None)
    if found is None:
        return err(404, "Request_ResourceNotFound", f"Resource '{key}' does not exist or one of its queried "
                   "reference-property objects are not present.")
    if method == "GET":
        return Resp(200, dict(public(found), **{"@odata.context": _CONTEXT.format(id=app["objectId"]) + "/$entity"}))
    if method == "DELETE":
        if not graph.can_write(raw, app):
            return err(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
        app["federatedCredentials"] = [c for c in creds if c is not found]
        return Resp(204, None)
    return err(405, "Request_BadRequest", "Method not allowed.")


def page(graph, app: dict, creds: list[dict], query: dict, err) -> Resp:
    """One page of the list: `$top` (else graphPageSize) credentials from `$skiptoken` on, and the next link."""
    try:
        top = int(query.get("$top") or graph.s.config.get("graphPageSize") or 100)
        skip = int(base64.urlsafe_b64decode(query["$skiptoken"] + "==").decode()) if query.get("$skiptoken") else 0
    except ValueError:
        return err(400, "Request_BadRequest", "Invalid $top or $skiptoken.")
    if top < 1 or skip < 0:
        return err(400, "Request_BadRequest", "Invalid $top or $skiptoken.")
    out = {"@odata.context": _CONTEXT.format(id=app["objectId"]), "value": [public(c) for c in creds[skip:skip + top]]}
    if skip + top < len(creds):
        token = base64.urlsafe_b64encode(str(skip + top).encode()).decode().rstrip("=")
        more = {"$top": query["$top"]} if query.get("$top") else {}
        out["@odata.nextLink"] = (f"{graph.s.base}/graph/v1.0/applications/{app['objectId']}/federatedIdentityCredentials?"
                                  + urllib.parse.urlencode({**more, "$skiptoken": token}, safe="$"))
    return Resp(200, out)


def create(app: dict, creds: list[dict], body: bytes, err) -> Resp:
    try:
        req = json.loads(body) if body and body.strip() else None
        if not isinstance(req, dict):
            raise ValueError
    except Exception:
        return err(400, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is "
                   "set and payload is of valid JSON format.")
    if isinstance(req.get("name"), str) and any(c["name"] == req["name"] for c in creds):
        return err(409, "Request_MultipleObjectsWithSameKeyValue",
                   f"FederatedIdentityCredential with name {req['name']} already exists.")
    if any(c["issuer"] == req.get("issuer") and c["subject"] == req.get("subject") for c in creds):
        return err(400, "Request_BadRequest", "The combination of issuer and subject must be unique for the "
                   f"application. Issuer {req['issuer']} and Subject: {req['subject']} already exist. paramName: "
                   f"FederatedIdentityCredential.Subject, paramValue: {req['subject']}, objectType: "
                   "Microsoft.Online.DirectoryServices.Application")
    problem = validate(req, creds)
    if problem:
        return err(400, "Request_BadRequest", problem)
    cred = {"id": guid(), "name": req["name"], "issuer": req["issuer"], "subject": req["subject"],
            "description": req.get("description"), "audiences": list(req["audiences"]), "createdAt": now()}
    creds.append(cred)
    return Resp(201, dict(public(cred), **{"@odata.context": _CONTEXT.format(id=app["objectId"]) + "/$entity"}))


def validate(req: dict, creds: list[dict]) -> str | None:
    """Why Graph refuses the new credential, or None."""
    name, issuer, subject = req.get("name"), req.get("issuer"), req.get("subject")
    audiences = req.get("audiences")
    if not isinstance(name, str) or not _NAME.match(name):
        return ("Invalid value specified for property 'name' of resource 'FederatedIdentityCredential': 3 to 120 "
                "characters, letters, digits, '-' and '_', starting with a letter or digit.")
    if not isinstance(issuer, str) or not issuer or issuer != issuer.strip() or len(issuer) > 600 \
            or urllib.parse.urlsplit(issuer).scheme != "https":
        return "Invalid value specified for property 'issuer' of resource 'FederatedIdentityCredential'."
    if not isinstance(subject, str) or not subject.strip() or len(subject) > 600:
        return "Invalid value specified for property 'subject' of resource 'FederatedIdentityCredential'."
    if not isinstance(audiences, list) or len(audiences) != 1 or not isinstance(audiences[0], str) \
            or not audiences[0] or len(audiences[0]) > 600:
        return ("Invalid value specified for property 'audiences' of resource 'FederatedIdentityCredential': "
                "exactly one audience is allowed.")
    if len(str(req.get("description") or "")) > 600:
        return "Invalid value specified for property 'description' of resource 'FederatedIdentityCredential'."
    if len(creds) >= LIMIT:
        return f"The application already has the maximum number ({LIMIT}) of federated identity credentials."
    return None
