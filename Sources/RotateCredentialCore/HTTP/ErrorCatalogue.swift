/// What the services' error codes mean and what to do about them.
enum ErrorCatalogue {
    /// Advice for a code, falling back to advice for the kind of failure.
    static func advice(service: ServiceKind, code: String?, kind: ServiceError.Kind, status: Int?) -> String? {
        if let code, let text = byCode[code] ?? byCode[code.lowercased()] { return text }
        switch kind {
        case .authentication:
            return "The credential was rejected; check that it is valid, unexpired and issued for \(service.rawValue)."
        case .permission:
            return "The identity lacks a permission or role for this operation."
        case .throttled:
            return "The service kept throttling after several retries; run again later or lower maxParallel."
        case .serverFailure:
            return "The service failed; it is usually transient, so run the pipeline again."
        case .transport:
            return
                "No answer arrived; check the network, proxy (AGENT_PROXYURL / HTTPS_PROXY) and requestTimeoutSeconds."
        case .malformedResponse:
            return "The answer was not the JSON the API documents; a proxy or an outage page may be in the way."
        case .stopped:
            return "The run was cancelled; run the pipeline again to finish."
        case .notFound, .conflict, .invalidRequest:
            return nil
        }
    }

    static let byCode: [String: String] = [
        // Entra (AADSTS)
        "AADSTS7000215":
            "Invalid client secret: the secret is wrong, was given as its id instead of its value, or (right after creation) has not replicated yet",
        "AADSTS7000222":
            "The client secret has expired: create a new one (app-secret-rotate) and update the places that use it",
        "AADSTS7000218":
            "The request carries neither a client secret nor a client assertion: give clientSecret or use a service connection",
        "AADSTS700016":
            "The application was not found in this tenant: check clientId and tenantId (and the cloud, authorityHost)",
        "AADSTS90002": "The tenant was not found: check tenantId",
        "AADSTS90038":
            "The tenant is in another cloud: set authorityHost, graphUrl and the Key Vault URL for that cloud",
        "AADSTS50126": "Wrong user name or password for the PAT owner: check patOwnerUsername and patOwnerPassword",
        "AADSTS50034": "The PAT owner's account does not exist in this tenant",
        "AADSTS50053": "The PAT owner's account is locked",
        "AADSTS50055": "The PAT owner's password has expired: reset it and update the secret variable",
        "AADSTS50057": "The PAT owner's account is disabled",
        "AADSTS50076":
            "The PAT owner needs multifactor authentication, which the password flow cannot do: sign in once with pat-owner-login and use patOwnerRefreshTokenSecret (docs/pat-owner-sign-in.md)",
        "AADSTS50079":
            "The PAT owner must enrol in multifactor authentication, which the password flow cannot do: sign in once with pat-owner-login and use patOwnerRefreshTokenSecret",
        "AADSTS53003":
            "Conditional Access blocked the sign-in: allow the user and app (for the device code flow, the authentication flows condition), or use pat-owner-login with signInFlow browser on a workstation",
        "AADSTS65001":
            "Consent is missing: grant the app the delegated Azure DevOps permissions vso.pats and vso.pats_manage (admin consent)",
        "AADSTS70011": "The requested scope is invalid for this app",
        "AADSTS700022": "Only one resource can be asked for at a time",
        "AADSTS500011": "The resource is not known in this tenant: check the service URLs for your cloud",
        "AADSTS700027": "The client assertion's signature is invalid",
        "AADSTS700213":
            "No federated credential matches the pipeline's OIDC token: add one for issuer https://vstoken.dev.azure.com/{organizationId} and subject sc://{organization}/{project}/{connection}",
        "AADSTS70021":
            "No federated credential of the application matches the token's issuer, subject and audience; right after one was added, Entra may not honour it yet (it can take a few minutes): check the application's federated credentials against the issuer and subject the service connection states, or wait and run again",
        "AADSTS7000112": "The application is disabled",
        "AADSTS9001023": "This grant is not supported on /common or /consumers: give the tenant id",
        "AADSTS50196": "Too many identical sign-in requests (loop detected): run again later",
        "AADSTS90055": "The tenant is throttling sign-ins: run again later",
        // Microsoft Graph
        "Authorization_RequestDenied":
            "The identity may not change this application: grant it the Graph application permission Application.ReadWrite.OwnedBy and make it an owner of the application (or grant Application.ReadWrite.All)",
        "CredentialInvalidLifetimeAsPerAppPolicy":
            "An app management policy caps client secret lifetimes: lower validityDays to within the policy",
        "Request_ResourceNotFound":
            "No application with that id: applicationId must be the application (client) id or the object id of an app registration in this tenant",
        "Request_BadRequest": "Graph refused the request as malformed",
        "Request_MultipleObjectsWithSameKeyValue":
            "An object with that key already exists: for a federated credential, another credential of the application has that name (names are unique per application); remove it if it is stale, or let the task create its own under another name",
        "InvalidFederatedIdentityCredentialValue":
            "Graph refused the federated credential: its issuer and subject are already used by another credential of the application (the pair must be unique), or a value is invalid",
        // Key Vault
        "ObjectIsDeletedButRecoverable":
            "A deleted secret with this name is still in the vault's soft-delete retention: recover it (az keyvault secret recover) or purge it (az keyvault secret purge), or choose another secretName",
        "ObjectIsBeingRecovered": "The secret is being recovered: run again in a minute",
        "ForbiddenByRbac":
            "The identity lacks a Key Vault data role: assign it 'Key Vault Secrets Officer' on the vault (set, read back and list versions)",
        "ForbiddenByPolicy":
            "The vault's access policy does not allow this: give the identity secret permissions get, list and set",
        "ForbiddenByFirewall":
            "The vault's firewall blocked the agent's address: allow it, or run on an agent inside the allowed network",
        "SecretNotFound": "The secret does not exist in the vault: check keyVaultName and secretName",
        "SecretDisabled":
            "The latest version of the secret is disabled, and Key Vault does not fall back to an older one: enable it (az keyvault secret set-attributes --enabled true with its name and version) or store a new version; this is not a missing permission",
        "VaultNotFound":
            "Key Vault does not know this vault: check keyVaultName or keyVaultUrl (and the cloud's DNS suffix); a private endpoint or proxy may answer for another vault; nothing was changed",
        "BadParameter": "Key Vault refused a parameter",
        // Azure DevOps
        "VssInvalidPreviewVersionException": "The API version needs the -preview suffix",
        "InvalidAccessException": "The identity may not do this in Azure DevOps",
        "AccessCheckException":
            "The identity is not an Administrator of the service connection: in Project settings > Service connections > the connection > Security, give '{project} Build Service ({organization})' (or the identity used) the Administrator role",
        "ServiceEndpointException": "Azure DevOps refused the service connection update",
        // PAT Lifecycle Management API (patTokenError, on HTTP 200)
        "displayNameRequired": "A display name is required",
        "invalidDisplayName": "The display name is not accepted",
        "invalidValidTo":
            "The expiry date is not accepted (in the past, or beyond what the organization allows): lower validityDays",
        "invalidScope":
            "The scope is not accepted: check the scope input (space-separated scopes such as vso.build vso.code)",
        "userIdRequired": "The token is not a user's token",
        "invalidUserId": "The user is not valid for this organization",
        "invalidUserType": "This kind of user cannot own PATs",
        "accessDenied":
            "The PAT owner may not do this (check that it is a member of the organization and that the app has the vso.pats_manage permission)",
        "failedToIssueAccessToken": "Azure DevOps could not issue the token; run again",
        "invalidClient": "The client application is not allowed to manage PATs",
        "invalidClientType": "The client application type cannot manage PATs",
        "invalidClientId": "The client id is not valid for PATs",
        "invalidTargetAccounts": "The organization is not valid for this token",
        "hostAuthorizationNotFound": "The token's authorization in this organization was not found",
        "authorizationNotFound": "No token with this authorization id (revoked or owned by another user)",
        "failedToUpdateAccessToken": "Azure DevOps could not update the token; run again",
        "sourceNotSupported": "This source cannot manage PATs",
        "invalidSourceIP": "The agent's IP address is not allowed by the organization's conditional access policy",
        "invalidSource": "The request source is not allowed",
        "duplicateHash": "A token with the same value exists; run again",
        "sshPolicyDisabled": "SSH key policy disabled",
        "invalidToken": "The token is invalid",
        "tokenNotFound": "The token was not found",
        "invalidAuthorizationId": "The authorization id is not valid",
        "failedToReadTenantPolicy": "Azure DevOps could not read the tenant's PAT policies; run again",
        "globalPatPolicyViolation":
            "The tenant policy 'Restrict creation of global PATs' forbids all-organization tokens (this task creates organization-scoped ones; check the organization)",
        "fullScopePatPolicyViolation":
            "The tenant policy 'Restrict creation of full-scoped PATs' forbids full access: give explicit scopes in the scope input",
        "patLifespanPolicyViolation":
            "The tenant policy 'Enforce maximum personal access token lifespan' forbids this lifetime: lower validityDays",
        "invalidTokenType": "This token type cannot be managed here",
        "invalidAudience": "The token's audience is not Azure DevOps",
        "invalidSubject": "The token's subject is not valid",
        "deploymentHostNotSupported": "Not supported on this deployment (Azure DevOps Server?)",
        "disablePatCreationPolicyViolation":
            "The organization policy 'Restrict personal access token (PAT) creation' forbids this user creating PATs: ask an administrator to allow the technical user",
        "failedToReadOrgPolicy": "Azure DevOps could not read the organization's policies; run again",
        "globalPATCreationBlocked": "Global PATs can no longer be created",
        "expiredPatCannotBeExtended": "An expired PAT cannot be renewed: use pat-rotate to create a replacement",
    ]
}
