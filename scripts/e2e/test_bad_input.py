"""Bad input, table-driven: every case fails with exit 1, an error naming the input, and not a
single HTTP call (the emulator's request log stays empty)."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import PAYMENTS_APP_ID  # noqa: E402

PAT = dict(action="pat-rotate", tokenDisplayNames="ci-feed-reader", keyVaultName="kv-rotation")
APP = dict(action="app-secret-rotate", applicationId=PAYMENTS_APP_ID, keyVaultName="kv-rotation",
           secretName="payments-secret")

# (case, inputs, identity, the input the first error must name)
CASES = [
    ("action missing", dict(action=None), "pat", "action"),
    ("action empty", dict(action=""), "pat", "action"),
    ("unknown action", dict(action="pat-rotate-all"), "pat", "action"),
    ("dryRun not a boolean", dict(PAT, dryRun="yes"), "pat", "dryRun"),
    ("validityDays not a number", dict(PAT, validityDays="thirty"), "pat", "validityDays"),
    ("validityDays out of range", dict(PAT, validityDays="0"), "pat", "validityDays"),
    ("graceHours negative", dict(PAT, graceHours="-1"), "pat", "graceHours"),
    ("maxParallel too large", dict(PAT, maxParallel="1000"), "pat", "maxParallel"),
    ("requestTimeoutSeconds empty is default, zero is not", dict(PAT, requestTimeoutSeconds="0"), "pat", "requestTimeoutSeconds"),
    ("keepSecrets zero", dict(APP, keepSecrets="0"), "app", "keepSecrets"),
    ("no token names", dict(PAT, tokenDisplayNames=None), "pat", "tokenDisplayNames"),
    ("no PAT owner", dict(PAT), "none", "patOwnerUsername"),
    ("service principal for the PAT API", dict(PAT), "app", "patOwnerUsername"),
    ("password without user", dict(PAT, INPUT_PATOWNERUSERNAME=None), "pat", "patOwnerUsername"),
    ("user without password", dict(PAT, INPUT_PATOWNERPASSWORD=None), "pat", "patOwnerPassword"),
    ("tenant not a GUID or domain", dict(PAT, INPUT_TENANTID="not a tenant"), "pat", "tenantId"),
    ("client id not a GUID", dict(PAT, INPUT_CLIENTID="pat-client"), "pat", "clientId"),
    ("applicationId not a GUID", dict(APP, applicationId="payments-deployer"), "app", "applicationId"),
    ("applicationId missing", dict(APP, applicationId=None), "app", "applicationId"),
    ("Key Vault secret name with underscore", dict(APP, secretName="payments_secret"), "app", "secretName"),
    ("Key Vault secret name too long", dict(APP, secretName="a" * 128), "app", "secretName"),
    ("secret name missing for app secret", dict(APP, secretName=None), "app", "secretName"),
    ("Key Vault name invalid", dict(APP, keyVaultUrl=None, keyVaultName="9-vault"), "app", "keyVaultName"),
    ("nowhere to store a PAT", dict(PAT, keyVaultName=None, keyVaultUrl=None), "pat", "keyVaultName"),
    ("http for a public host", dict(PAT, graphUrl="http://graph.microsoft.com"), "pat", "graphUrl"),
    ("URL that is not one", dict(PAT, vsspsUrl="vssps"), "pat", "vsspsUrl"),
    ("http Key Vault URL", dict(APP, keyVaultUrl="http://kv-rotation.vault.azure.net"), "app", "keyVaultUrl"),
    ("organization invalid", dict(PAT, organization="contoso corp"), "pat", "organization"),
    ("conflicting PAT owner identities", dict(PAT, patOwnerAccessToken="token-from-earlier-step"), "pat", "patOwnerAccessToken"),
    ("azureDevOpsIdentity unknown", dict(APP, serviceConnections="payments-prod", azureDevOpsIdentity="pat"), "app", "azureDevOpsIdentity"),
    ("service connections without project", dict(APP, serviceConnections="payments-prod", SYSTEM_TEAMPROJECT=None), "app", "project"),
    ("service-connection-update without a secret", dict(action="service-connection-update", applicationId=PAYMENTS_APP_ID, serviceConnections="payments-prod", keyVaultUrl=None), "app", "servicePrincipalKey"),
    ("service-connection-update without connections", dict(action="service-connection-update", applicationId=PAYMENTS_APP_ID, servicePrincipalKey="x"), "app", "serviceConnections"),
    ("app action without identity", dict(APP), "none", "azureSubscription"),
    ("azureSubscription not authorized", dict(APP, azureSubscription="0000aaaa-0000-4000-8000-000000000000"), "none", "azureSubscription"),
    ("placeholder in an app secret name", dict(APP, secretName="app-{displayName}"), "app", "secretName"),
    ("contradiction-free: user given, client id missing", dict(PAT, INPUT_CLIENTID=None), "pat", "clientId"),
]

# Issue #11: every case below was once accepted; each must now fail by name before any call.
URL_INPUTS = ("authorityHost", "graphUrl", "vsspsUrl", "azureDevOpsUrl", "keyVaultUrl")
HOSTILE_HOSTS = ("http://127.attacker.example:8080", "http://127.0.0.1.attacker.example", "http://127.1:8080",
                 "http://localhost.attacker.example", "http://0127.0.0.1")
for _name in URL_INPUTS:
    _base = APP if _name == "keyVaultUrl" else PAT
    for _url in HOSTILE_HOSTS:
        CASES.append((f"plain http to {_url} on {_name}", dict(_base, **{_name: _url}), "app" if _base is APP else "pat", _name))
    CASES.append((f"user info in {_name}", dict(_base, **{_name: "https://kvuser:KvPassw0rd@127.0.0.1:1"}),
                  "app" if _base is APP else "pat", _name))
CASES += [
    ("hostile OIDC request URI", dict(APP, SYSTEM_OIDCREQUESTURI="http://127.attacker.example/oidc"), "wif",
     "SYSTEM_OIDCREQUESTURI"),
    ("OIDC request URI with user info", dict(APP, SYSTEM_OIDCREQUESTURI="https://u:Passw0rd-1@127.0.0.1/oidc"), "wif",
     "SYSTEM_OIDCREQUESTURI"),
    ("project climbing out of the organization", dict(APP, serviceConnections="payments-prod", project="../../evil"),
     "app", "project"),
    ("project with a slash", dict(APP, serviceConnections="payments-prod", project="Platform/x"), "app", "project"),
    ("project with a query", dict(APP, serviceConnections="payments-prod", project="Platform?x=1"), "app", "project"),
    ("project '..'", dict(APP, serviceConnections="payments-prod", project=".."), "app", "project"),
    ("project from the agent climbing", dict(APP, serviceConnections="payments-prod", SYSTEM_TEAMPROJECT="../evil"),
     "app", "SYSTEM_TEAMPROJECT"),
    ("organization with a non-ASCII letter", dict(PAT, organization="cöntoso"), "pat", "organization"),
    ("organization with a slash", dict(PAT, organization="contoso/../evil"), "pat", "organization"),
    ("service connection name with a comma", dict(APP, serviceConnections="payments-prod,other-team"), "app",
     "serviceConnections"),
    ("secret name climbing", dict(APP, secretName="../secret"), "app", "secretName"),
    ("whitespace-only client secret", dict(APP, INPUT_CLIENTSECRET=" "), "app", "clientSecret"),
    ("two-character client secret", dict(APP, INPUT_CLIENTSECRET="ab"), "app", "clientSecret"),
    ("whitespace-only password", dict(PAT, INPUT_PATOWNERPASSWORD="   "), "pat", "patOwnerPassword"),
    ("short password", dict(PAT, INPUT_PATOWNERPASSWORD="pass"), "pat", "patOwnerPassword"),
    ("blank access token", dict(PAT, INPUT_PATOWNERUSERNAME=None, INPUT_PATOWNERPASSWORD=None,
                                patOwnerAccessToken="\t \t"), "pat", "patOwnerAccessToken"),
    ("single-space servicePrincipalKey", dict(action="service-connection-update", applicationId=PAYMENTS_APP_ID,
                                             serviceConnections="payments-prod", servicePrincipalKey=" "),
     "app", "servicePrincipalKey"),
    ("reportPath under /dev/null", dict(APP, reportPath="/dev/null/report.json"), "app", "reportPath"),
    ("reportPath is /dev/null", dict(APP, reportPath="/dev/null"), "app", "reportPath"),
    ("reportPath ending in a slash", dict(APP, reportPath="/tmp/reports/"), "app", "reportPath"),
]

# Issue #25, point 7: each of these was accepted (or named twice); each must now be one error naming the
# input, before any call.
ONE_ERROR_CASES = [
    ("organization URL on another host", dict(PAT, organization="https://evil.example/contoso"), "pat",
     "organization"),
    ("organization URL of a project", dict(PAT, organization="{base}/ado/contoso/Platform"), "pat", "organization"),
    ("organization URL with a query", dict(PAT, organization="{base}/ado/contoso?x=1"), "pat", "organization"),
    ("scope with a newline", dict(PAT, scope="vso.code\nvso.packaging"), "pat", "scope"),
    ("scope with an unknown token", dict(PAT, scope="vso.code vso.codee"), "pat", "scope"),
    ("secretDisplayName with a control character", dict(APP, secretDisplayName="rotated\x1b[31m"), "app",
     "secretDisplayName"),
    ("secretDisplayName of 5,000 characters", dict(APP, secretDisplayName="a" * 5000), "app", "secretDisplayName"),
    ("Key Vault name invalid, nothing else", dict(APP, keyVaultUrl=None, keyVaultName="9-vault"), "app",
     "keyVaultName"),
    ("tenant invalid for two identities", dict(PAT, INPUT_CLIENTSECRET="client-secret-value",
                                               INPUT_TENANTID="not a tenant"), "pat", "tenantId"),
]
for _name in URL_INPUTS:
    _base = APP if _name == "keyVaultUrl" else PAT
    _kind = "app" if _base is APP else "pat"
    _good = {"authorityHost": "{base}/login", "graphUrl": "{base}/graph", "azureDevOpsUrl": "{base}/ado",
             "vsspsUrl": "{base}/vssps", "keyVaultUrl": "{base}/kv/kv-rotation"}[_name]
    for _what, _url in (("a query", _good + "?api-version=1"), ("a fragment", _good + "#x"),
                        ("a '..' segment", _good + "/../graph"), ("an encoded '..' segment", _good + "/%2E%2e/x")):
        ONE_ERROR_CASES.append((f"{_name} with {_what}", dict(_base, **{_name: _url}), _kind, _name))


class BadInputTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.emulator = harness.Emulator.shared()

    def identity(self, kind):
        if kind == "pat":
            return harness.identity_pat_owner()
        if kind == "app":
            return harness.identity_client_secret()
        if kind == "wif":
            return harness.identity_wif(self.emulator)
        return {}

    def test_each_bad_input_fails_before_any_call(self):
        for name, inputs, identity, expected in CASES:
            with self.subTest(name):
                self.emulator.reset()
                self.emulator.clear_requests()
                env = harness.task_env(self.emulator, **{**self.identity(identity), **inputs})
                result = harness.run_task(env)
                self.assertEqual(result.code, 1, result)
                errors = result.errors()
                self.assertTrue(any(f"Input '{expected}'" in e for e in errors), f"{name}: {errors}")
                self.assertEqual(result.result, "Failed")
                self.assertEqual(self.emulator.requests(), [], f"{name}: a call was made")
                harness.assert_no_leak(self, result, self.emulator)
                checked = harness.run_task(env, args=("--check-inputs",))
                self.assertEqual((checked.code, checked.errors()), (1, errors), f"{name}: --check-inputs differs")

    def test_each_bad_value_is_one_error_before_any_call(self):
        for name, inputs, identity, expected in ONE_ERROR_CASES:
            with self.subTest(name):
                self.emulator.clear_requests()
                values = {k: v.replace("{base}", self.emulator.base_url) if isinstance(v, str) else v
                          for k, v in inputs.items()}
                env = harness.task_env(self.emulator, **{**self.identity(identity), **values})
                result = harness.run_task(env)
                self.assertEqual((result.code, result.result), (1, "Failed"), result)
                self.assertEqual(len(result.errors()), 1, f"{name}: {result.errors()}")
                self.assertTrue(result.errors()[0].startswith(f"Input '{expected}'"), f"{name}: {result.errors()}")
                self.assertEqual(self.emulator.requests(), [], f"{name}: a call was made")

    def test_outside_an_agent_text_is_plain(self):
        """The logging-command escaping is for agents: outside one, a '%' is printed as '%'."""
        env = harness.task_env(self.emulator, **{**self.identity("pat"), **PAT, "organization": "con%toso"})
        for name in ("AGENT_TEMPDIRECTORY", "AGENT_ID", "TF_BUILD"):
            env.pop(name, None)
        result = harness.run_task(env)
        self.assertEqual(result.code, 1, result)
        self.assertIn("'con%toso'", result.stdout)
        self.assertNotIn("%AZP25", result.stdout)

    def test_check_inputs_accepts_valid_inputs_and_calls_nothing(self):
        for identity, inputs in (("pat", PAT), ("app", APP)):
            with self.subTest(inputs["action"]):
                self.emulator.clear_requests()
                env = harness.task_env(self.emulator, **{**self.identity(identity), **inputs})
                result = harness.run_task(env, args=("--check-inputs",))
                self.assertEqual((result.code, result.result, result.errors()), (0, "Succeeded", []), result)
                self.assertEqual(self.emulator.requests(), [], "--check-inputs made a call")

    def test_report_path_at_a_directory_or_under_a_file_leaves_both_intact(self):
        for kind in ("directory", "under a file"):
            with self.subTest(kind):
                self.emulator.reset()
                self.emulator.clear_requests()
                env = harness.task_env(self.emulator, **{**harness.identity_client_secret(), **APP})
                target = os.path.join(env["AGENT_TEMPDIRECTORY"], "precious")
                os.makedirs(target)
                keep = os.path.join(target, "keep.txt")
                with open(keep, "w") as f:
                    f.write("keep")
                env["INPUT_REPORTPATH"] = target if kind == "directory" else os.path.join(keep, "report.json")
                result = harness.run_task(env)
                self.assertEqual(result.code, 1, result)
                self.assertTrue(any("Input 'reportPath'" in e for e in result.errors()), result.errors())
                self.assertEqual(self.emulator.requests(), [])
                with open(keep) as f:
                    self.assertEqual(f.read(), "keep")

    def test_all_errors_are_reported_together(self):
        env = harness.task_env(self.emulator, **{**harness.identity_pat_owner(), **PAT,
                                                 "validityDays": "0", "graceHours": "x", "dryRun": "maybe"})
        result = harness.run_task(env)
        named = {e.split("'")[1] for e in result.errors() if e.startswith("Input '")}
        self.assertTrue({"validityDays", "graceHours", "dryRun"} <= named, result)

    def test_help_lists_every_input_with_its_variable(self):
        import json
        with open(os.path.join(harness.REPO, "task.json"), encoding="utf-8") as f:
            inputs = json.load(f)["inputs"]
        import subprocess
        result = subprocess.run([harness.default_binary(), "--help"], capture_output=True, text=True,
                                env={"PATH": os.environ["PATH"]})
        self.assertEqual(result.returncode, 0)
        for item in inputs:
            self.assertIn("INPUT_" + item["name"].upper(), result.stdout)
            line = next(x for x in result.stdout.splitlines() if x.strip().startswith("INPUT_" + item["name"].upper() + " "))
            # Required means: the step must set it; an input with a default never has to be set.
            self.assertEqual("Required." in line, bool(item.get("required")) and not item.get("defaultValue"), line)


if __name__ == "__main__":
    unittest.main()
