"""Azure DevOps: who a caller is (connectionData) and the roles identities hold on a service connection
(security roles), the two things a dry run asks before it plans to write a connection.

Sources:
- `GET {org}/_apis/connectionData` (location area, resource `connectionData`, location id
  00d9565f-ed9c-4a06-9a50-00e7896ccab4, preview-only: api-version `7.1-preview.1`; Microsoft's azure-devops
  Python client `LocationClient.get_connection_data`): `ConnectionData {authenticatedUser, authorizedUser,
  instanceId, deploymentId, deploymentType, locationServiceData}`, the users as `Identity {id, descriptor,
  subjectDescriptor, providerDisplayName, isActive, isContainer, properties}` (the client's models). A plain
  `7.1` is refused as preview-only (api-contracts notes, observed for connectionData).
- `GET {org}/_apis/securityroles/scopes/{scopeId}/roleassignments/resources/{resourceId}` (location id
  9461c234-c84c-4ed2-b918-2f0f92ad0a35, `7.1-preview.1`; azure-devops-node-api SecurityRolesApi.getRoleAssignments,
  microsoft/terraform-provider-azuredevops utils/sdk/securityroles): `{count, value: [RoleAssignment {access
  (assigned | inherited), accessDisplayName, identity {displayName, id, uniqueName}, role {allowPermissions,
  denyPermissions, description, displayName, identifier, name, scope}}]}`. Scopes of a service connection:
  `distributedtask.serviceendpointrole` with resource `{projectId}_{endpointId}` (project level) and
  `distributedtask.collection.serviceendpointrole` with `collection_{endpointId}` (organization level), as
  docs/permissions.md G7 and the brief of #25 give them. Role names: Reader, User, Creator, Administrator
  (Microsoft Learn, "Manage service connections", security roles); the permission bits per role are an inference.
- `actionFilter=manage` on a connection's GET (serviceEndpoint 7.1 `ServiceEndpointActionFilter`: none, manage,
  use, view; the client's `get_service_endpoint_details(action_filter=…)`): the connection when the caller may
  manage it (the Administrator role, through a group too), else `null` as for an unknown id (inference: the
  filter is documented as "the action which can be performed on the service connection").

Model (fixture): the job token is the identity `jobAccessToken.identity` (default `{project} Build Service
({organization})`, or `Project Collection Build Service ({organization})` with `jobAccessToken.scope:
"collection"`); an Entra principal is an Azure DevOps identity of its own (an id derived from its appId or user
name). An endpoint's `roleAssignments: [{identity, role, scope: project | collection}]` (identity: `build-service`,
an appId or a user name) are assigned roles; `administrators` (principal keys) are assigned Administrators in the
project, `organizationAdministrators` at organization level; `jobAccessToken.endpointAdministrator: true` makes
the build service an assigned Administrator of every endpoint. Without `administrators`, every other member of
the organization administers the endpoint through the group `[{project}]\\Endpoint Administrators` (listed as
inherited; the build service is not a member)."""

from __future__ import annotations

import uuid

from .responses import Resp, vss_error

PROJECT_SCOPE = "distributedtask.serviceendpointrole"
COLLECTION_SCOPE = "distributedtask.collection.serviceendpointrole"
ADMINISTRATOR = "Administrator"
JOB = "build-service"
_NS = uuid.UUID("6c8f5a52-1c1e-4a3f-9f0e-25b0ad0e0001")
_PERMISSIONS = {"Reader": 16, "User": 17, "Creator": 20, "Administrator": 31}  # an inference (see above)


def identity_id(key: str) -> str:
    """The Azure DevOps identity id of a principal key (stable per emulator fixture)."""
    return str(uuid.uuid5(_NS, key.lower()))


def principal_key(who: dict) -> str:
    """The principal key of a caller: `build-service` for the job token, else its appId or user name."""
    return JOB if who["kind"] == "job" else who["id"].lower()


def identity(s, key: str) -> dict:
    """The Azure DevOps identity of principal `key`: {id, displayName, uniqueName, descriptor}."""
    if key == JOB:
        return job_identity(s)
    app = s.apps.get(key)
    if app:
        return {"id": identity_id(key), "displayName": app.get("displayName") or key, "uniqueName": app["appId"],
                "descriptor": f"Microsoft.VisualStudio.Services.Claims.AadServicePrincipal;{app['appId']}"}
    user = s.users.get(key) or {}
    name = user.get("username") or key
    return {"id": identity_id(key), "displayName": user.get("displayName") or name, "uniqueName": name,
            "descriptor": f"Microsoft.IdentityModel.Claims.ClaimsIdentity;{s.tenant['id']}\\{name}"}


def job_identity(s) -> dict:
    """The build service the job token stands for (fixture `jobAccessToken.identity`, else by its scope)."""
    given = s.job_token.get("identity")
    if given:
        return dict(given)
    org = s.org["name"]
    project = s.projects[0] if s.projects else {"name": "Project", "id": s.org.get("id", "")}
    collection = s.job_token.get("scope") == "collection"
    name = f"Project Collection Build Service ({org})" if collection else f"{project['name']} Build Service ({org})"
    scope_id = s.org.get("id", "") if collection else project["id"]
    ident = identity_id(f"{JOB}:{scope_id}")
    return {"id": ident, "displayName": name, "uniqueName": f"Build\\{ident}",
            "descriptor": f"Microsoft.TeamFoundation.ServiceIdentity;{ident}:Build:{scope_id}"}


def connection_data(s, who: dict) -> Resp:
    """GET {org}/_apis/connectionData: the identity the caller's token stands for."""
    me = identity(s, principal_key(who))
    user = {"id": me["id"], "descriptor": me["descriptor"], "subjectDescriptor": me["descriptor"],
            "providerDisplayName": me["displayName"], "isActive": True, "isContainer": False, "members": [],
            "memberOf": [], "metaTypeId": 255, "resourceVersion": 2,
            "properties": {"Account": {"$type": "System.String", "$value": me["uniqueName"]}}}
    return Resp(200, {"authenticatedUser": user, "authorizedUser": user, "instanceId": s.org.get("id"),
                      "deploymentId": s.org.get("id"), "deploymentType": "hosted",
                      "locationServiceData": {"serviceOwner": "00025394-6065-48ca-87d9-7f5672854ef7",
                                              "defaultAccessMappingMoniker": "PublicAccessMapping",
                                              "lastChangeId": 1, "lastChangeId64": 1}})


def assigned(s, e: dict, scope: str) -> list[tuple[str, str]]:
    """(principal key, role) assigned on endpoint `e` at `scope` ("project" or "collection")."""
    out = [(str(r["identity"]).lower(), r["role"]) for r in e.get("roleAssignments") or []
           if r.get("scope", "project") == scope]
    if scope == "project":
        out += [(k.lower(), ADMINISTRATOR) for k in e.get("administrators") or []]
        if s.job_token.get("endpointAdministrator"):
            out.append((JOB, ADMINISTRATOR))
    else:
        out += [(k.lower(), ADMINISTRATOR) for k in e.get("organizationAdministrators") or []]
    return out


def may_administer(s, e: dict, who: dict) -> bool:
    """Whether the caller holds Administrator on `e` in its project (organization level counts too)."""
    key = principal_key(who)
    if any(k == key and r == ADMINISTRATOR for scope in ("project", "collection") for k, r in assigned(s, e, scope)):
        return True
    return key != JOB and e.get("administrators") is None


def role_assignments(s, scope_id: str, resource_id: str) -> Resp:
    """GET {org}/_apis/securityroles/scopes/{scopeId}/roleassignments/resources/{resourceId}."""
    scopes = {PROJECT_SCOPE.lower(): "project", COLLECTION_SCOPE.lower(): "collection"}
    scope = scopes.get(scope_id.lower())
    if scope is None:
        return vss_error(404, f"The security role scope '{scope_id}' was not found.",
                         "SecurityRoleScopeNotFoundException", "Microsoft.VisualStudio.Services.Security")
    prefix, _, eid = resource_id.partition("_")
    e = s.endpoints.get(eid.lower())
    project = s.project(prefix) if scope == "project" else None
    if not e or (scope == "project" and not project) or (scope == "collection" and prefix.lower() != "collection"):
        return Resp(200, {"count": 0, "value": []})
    value = [_assignment(identity(s, key), role, scope_id, "assigned") for key, role in assigned(s, e, scope)]
    if scope == "project" and e.get("administrators") is None:
        group = {"id": identity_id(f"group:{project['id']}:endpoint-administrators"),
                 "displayName": f"[{project['name']}]\\Endpoint Administrators",
                 "uniqueName": f"vstfs:///Classification/TeamProject/{project['id']}\\Endpoint Administrators"}
        value.append(_assignment(group, ADMINISTRATOR, scope_id, "inherited"))
    return Resp(200, {"count": len(value), "value": value})


def _assignment(ident: dict, role: str, scope_id: str, access: str) -> dict:
    return {"access": access, "accessDisplayName": access.capitalize(),
            "identity": {k: ident[k] for k in ("displayName", "id", "uniqueName")},
            "role": {"allowPermissions": _PERMISSIONS.get(role, 0), "denyPermissions": 0,
                     "description": f"{role} role of service connections", "displayName": role,
                     "identifier": f"{scope_id}.{role}", "name": role, "scope": scope_id}}
