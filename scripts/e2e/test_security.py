"""Security table for issue #11: one test per finding, each reproduced first (the test failed on the
binary before the fix) and now held.  Every row also passes the harness's leak check, which covers
the files the task wrote (report, summary) as well as stdout and stderr."""
import copy
import os
import socket
import subprocess
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import PAYMENTS_APP_ID  # noqa: E402

URL_INPUTS = ("authorityHost", "graphUrl", "vsspsUrl", "azureDevOpsUrl", "keyVaultUrl")
PAT = dict(action="pat-rotate", tokenDisplayNames="ci-feed-reader")
APP = dict(action="app-secret-rotate", applicationId=PAYMENTS_APP_ID, secretName="payments-secret")


class Listener:
    """A plain TCP listener on 127.0.0.1 that records every connection (and closes it at once)."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self._stop.set()
        self._thread.join()
        self.sock.close()


class SecurityTable(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.emu = harness.Emulator.shared()

    def setUp(self):
        self.emu.reset()
        self.emu.clear_requests()

    def run_env(self, env):
        result = harness.run_task(env)
        harness.assert_no_leak(self, result, self.emu)
        return result

    def env(self, inputs, identity="pat"):
        ident = {"pat": harness.identity_pat_owner(), "app": harness.identity_client_secret(),
                 "wif": harness.identity_wif(self.emu) if identity == "wif" else {}}[identity]
        return harness.task_env(self.emu, **{**ident, **inputs})

    def assert_refused_before_any_call(self, result, name):
        self.assertEqual(result.code, 1, result)
        self.assertTrue(any(f"Input '{name}'" in e for e in result.errors()), result.errors())
        self.assertEqual(self.emu.requests(), [], "a call was made")

    # 1. Plain HTTP to a foreign host.
    def test_01_plain_http_to_a_127_prefixed_host_gets_no_request(self):
        listener = Listener()
        self.addCleanup(listener.close)
        port = listener.port
        hostile = [f"http://127.1:{port}", f"http://127.attacker.example:{port}",
                   f"http://127.0.0.1.attacker.example:{port}", f"http://127.0.0.1.nip.io:{port}"]
        for name in URL_INPUTS + ("SYSTEM_OIDCREQUESTURI",):
            for url in hostile:
                with self.subTest(input=name, url=url):
                    self.emu.clear_requests()
                    if name == "SYSTEM_OIDCREQUESTURI":
                        env = self.env(dict(APP, SYSTEM_OIDCREQUESTURI=url + "/oidctoken"), "wif")
                    elif name == "keyVaultUrl":
                        env = self.env(dict(APP, keyVaultUrl=url), "app")
                    else:
                        env = self.env(dict(PAT, **{name: url}))
                    self.assert_refused_before_any_call(self.run_env(env), name)
        self.assertEqual(listener.connections, 0, "the hostile host was contacted")
        # Control: the listener does record a connection to the literal loopback address.
        self.run_env(self.env(dict(action="pat-list", vsspsUrl=f"http://127.0.0.1:{port}", requestTimeoutSeconds="5")))
        self.assertGreater(listener.connections, 0, "the listener records connections")

    # 2. Credentials inside URLs.
    def test_02_user_info_in_a_url_is_refused_by_name_and_never_printed(self):
        password = "KvPassw0rd-Url"
        for name in URL_INPUTS:
            with self.subTest(input=name):
                self.emu.clear_requests()
                url = f"https://kvuser:{password}@127.0.0.1:43503"
                inputs = dict(APP, keyVaultUrl=url) if name == "keyVaultUrl" else dict(PAT, **{name: url})
                result = self.run_env(self.env(inputs, "app" if name == "keyVaultUrl" else "pat"))
                self.assert_refused_before_any_call(result, name)
                self.assertNotIn(password, result.stdout + result.stderr)
                self.assertNotIn("kvuser", result.stdout + result.stderr)

    # 3. The JSON report is scrubbed like the log.
    def test_03_a_service_error_echoing_a_secret_stays_out_of_the_report(self):
        key = "Pay8Q~fixture.payments_old-200d.secret001"  # a secret payments-deployer really has
        self.emu.add_fault(method="PUT", path=r"/serviceendpoint/endpoints/", status=400, times=5,
                           body={"message": f"Bad request: {{\"servicePrincipalKey\": \"{key}\"}}",
                                 "typeKey": "ArgumentException"})
        env = self.env(dict(action="service-connection-update", applicationId=PAYMENTS_APP_ID,
                            serviceConnections="payments-prod", servicePrincipalKey=key), "app")
        result = self.run_env(env)
        self.assertEqual(result.code, 1, result)
        report = result.outputs().get("reportPath")
        self.assertTrue(report and os.path.isfile(report), result)
        with open(report) as f:
            text = f.read()
        self.assertNotIn(key, text)
        self.assertTrue(any('"servicePrincipalKey": "***"' in e for e in result.errors()), result.errors())

    # 4. reportPath can no longer destroy data.
    def test_04_report_and_summary_never_replace_a_directory(self):
        env = self.env(dict(APP), "app")
        precious = os.path.join(env["AGENT_TEMPDIRECTORY"], "precious")
        os.makedirs(precious)
        with open(os.path.join(precious, "keep.txt"), "w") as f:
            f.write("keep")
        env["INPUT_REPORTPATH"] = precious
        self.assert_refused_before_any_call(self.run_env(env), "reportPath")
        self.assertEqual(os.listdir(precious), ["keep.txt"])

        self.emu.clear_requests()
        env = self.env(dict(APP, reportPath="/dev/null/report.json"), "app")
        self.assert_refused_before_any_call(self.run_env(env), "reportPath")

        # The summary's place is a directory: the run succeeds with a warning, the directory stays.
        env = self.env(dict(action="pat-list"))
        summary = os.path.join(env["AGENT_TEMPDIRECTORY"], "rotate-credential-summary.md")
        os.makedirs(summary)
        with open(os.path.join(summary, "keep.txt"), "w") as f:
            f.write("keep")
        result = self.run_env(env)
        self.assertEqual(result.code, 0, result)
        self.assertTrue(any("summary" in w for w in result.warnings()), result.warnings())
        self.assertEqual(os.listdir(summary), ["keep.txt"])

    # 5. Outside a pipeline no secret value is printed.
    def test_05_env_i_with_only_inputs_prints_no_secret(self):
        base = self.emu.base_url
        report_dir = tempfile.mkdtemp(prefix="rotate-e2e-noagent-")
        self.addCleanup(lambda: __import__("shutil").rmtree(report_dir, True))
        inputs = {
            "INPUT_ACTION": "pat-rotate", "INPUT_ORGANIZATION": harness.ORG,
            "INPUT_TOKENDISPLAYNAMES": "ci-feed-reader", "INPUT_RENEWWITHINDAYS": "0",
            "INPUT_AUTHORITYHOST": f"{base}/login", "INPUT_GRAPHURL": f"{base}/graph",
            "INPUT_AZUREDEVOPSURL": f"{base}/ado", "INPUT_VSSPSURL": f"{base}/vssps",
            "INPUT_KEYVAULTURL": f"{base}/kv/{harness.VAULT}",
            "INPUT_REPORTPATH": os.path.join(report_dir, "report.json"),
            # Outside an agent a custom CA is named the same way (not an agent marker).
            "AGENT_CAINFO": self.emu.ca_file,
            **harness.identity_pat_owner(),
        }
        result = self.run_env(inputs)  # exactly these variables: `env -i` plus the inputs and the CA
        self.assertEqual(result.code, 0, result)
        self.assertNotIn("setsecret", result.stdout)
        self.assertNotIn("issecret=true", result.stdout)
        secrets = [*harness.secret_values(self.emu.state()), harness.BOT_PASSWORD]
        everything = result.stdout + result.stderr
        with open(inputs["INPUT_REPORTPATH"]) as f:
            everything += f.read()
        for secret in secrets:
            if isinstance(secret, str) and len(secret) >= 8:
                self.assertNotIn(secret, everything)
        self.assertEqual(os.listdir(report_dir), ["report.json"])

    # 6. Inputs that reached the network unvalidated.
    def test_06_names_and_secrets_are_checked_before_any_call(self):
        cases = [
            (dict(APP, serviceConnections="payments-prod", project="../../evil"), "app", "project"),
            (dict(PAT, organization="cöntoso"), "pat", "organization"),
            (dict(APP, INPUT_CLIENTSECRET=" "), "app", "clientSecret"),
            (dict(action="service-connection-update", applicationId=PAYMENTS_APP_ID,
                  serviceConnections="payments-prod", servicePrincipalKey=" "), "app", "servicePrincipalKey"),
        ]
        for inputs, identity, name in cases:
            with self.subTest(name):
                self.emu.clear_requests()
                result = self.run_env(self.env(inputs, identity))
                self.assert_refused_before_any_call(result, name)
                self.assertFalse([line for line in result.lines if line.startswith("##vso[task.setsecret]")
                                  and len(line) - len("##vso[task.setsecret]") < 8], result.stdout)
                self.assertNotIn("Microsoft***", result.stdout)

    # 7. Masking must not hurt the rest of the log.
    def test_07_multi_line_secret_registers_whole_and_meaningful_lines_only(self):
        secret = '{\n  "clientSecret": "Sup3r-Secret-Value-123"\n  \n}'
        result = self.run_env(self.env(dict(APP, INPUT_CLIENTSECRET=secret), "app"))
        registered = [c.data for c in result.commands if c.event == "setsecret"]
        self.assertIn(secret, registered)
        self.assertIn('  "clientSecret": "Sup3r-Secret-Value-123"', registered)
        for value in registered:
            self.assertGreaterEqual(len(value), 8, registered)
            self.assertNotIn(value.strip(), ("{", "}", ""), registered)

    def test_07_command_keyword_in_service_text_is_neutralised_as_the_agent_does(self):
        fixture = harness.default_fixture()
        fixture = copy.deepcopy(fixture)
        fixture["pats"][0]["displayName"] = "ci ##vso[task.setvariable variable=evil]x"
        self.emu.reset(fixture)
        result = self.run_env(self.env(dict(action="pat-list", renewWithinDays="0")))
        self.assertEqual(result.code, 0, result)
        self.assertIn("ci **vso[task.setvariable variable=evil]x", result.stdout)
        for line in result.lines:
            self.assertTrue("##vso" not in line or (line.startswith("##vso[task.") and line.count("##vso") == 1), line)
        self.assertNotIn("evil", result.outputs())

    def test_07_control_characters_in_service_text_never_start_a_line(self):
        fixture = harness.default_fixture()
        fixture = copy.deepcopy(fixture)
        fixture["pats"][0]["displayName"] = "ci\n##[error]fake\r##[warning]also\u2028\u001b[31mred"
        self.emu.reset(fixture)
        result = self.run_env(self.env(dict(action="pat-list", renewWithinDays="0")))
        self.assertEqual(result.code, 0, result)
        self.assertIn("ci\\n**[error]fake\\r**[warning]also\\u{2028}\\u{1B}[31mred", result.stdout)
        self.assertFalse([line for line in result.stdout.split("\n") if line.startswith(("##[error]fake", "##[warning]also"))])
        self.assertNotIn("\r", result.stdout)
        self.assertNotIn("\u2028", result.stdout)

    # 8. Smaller holes.
    def test_08_a_huge_error_body_is_capped(self):
        self.emu.add_fault(method="GET", path=r"/tokens/pats", status=400, times=5,
                           body={"message": "x" * 5_000_000, "typeKey": "ArgumentException"})
        result = self.run_env(self.env(dict(action="pat-list")))
        self.assertEqual(result.code, 1, result)
        self.assertLess(max(len(line) for line in result.lines), 16_000)

    def test_08_pat_list_answers_without_tokens_or_with_a_bad_date_are_errors(self):
        bad_date = {"patTokens": [{"authorizationId": "a", "displayName": "x", "scope": "app_token",
                                   "targetAccounts": None, "validFrom": "2020-11-02T22:56:52Z",
                                   "validTo": "the day after tomorrow"}]}
        for body, expected in (({}, "'patTokens' is missing"), ({"patTokens": None}, "'patTokens' is null"),
                               (bad_date, "'patTokens.0.validTo' is not a valid date")):
            with self.subTest(body=str(body)[:40]):
                self.emu.reset()
                self.emu.add_fault(method="GET", path=r"/tokens/pats", status=200, times=5, body=body)
                result = self.run_env(self.env(dict(action="pat-list")))
                self.assertEqual(result.code, 1, result)
                self.assertTrue(any(expected in e for e in result.errors()), result.errors())

    def test_08_a_two_character_secret_is_refused_and_masks_nothing(self):
        result = self.run_env(self.env(dict(APP, INPUT_CLIENTSECRET="ab"), "app"))
        self.assert_refused_before_any_call(result, "clientSecret")
        self.assertNotIn("##vso[task.setsecret]ab", result.lines)

    def test_08_a_literal_token_name_matching_nothing_fails_a_wildcard_warns(self):
        result = self.run_env(self.env(dict(PAT, tokenDisplayNames="ci-feed-raeder", keyVaultName="kv-rotation")))
        self.assertEqual(result.code, 1, result)
        self.assertTrue(any("tokenDisplayNames" in e and "ci-feed-raeder" in e for e in result.errors()),
                        result.errors())
        writes = [r for r in self.emu.requests() if r["method"] in ("POST", "PUT", "DELETE")
                  and not r["path"].endswith("/oauth2/v2.0/token")]
        self.assertEqual(writes, [])
        self.emu.reset()
        result = self.run_env(self.env(dict(PAT, tokenDisplayNames="nothing-*", keyVaultName="kv-rotation")))
        self.assertEqual(result.code, 0, result)
        self.assertTrue(any("nothing-*" in w for w in result.warnings()), result.warnings())


if __name__ == "__main__":
    unittest.main()
