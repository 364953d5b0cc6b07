"""End-to-end tests of the task behind a corporate proxy: an authenticating CONNECT proxy in front
of a TLS host name that only the proxy resolves, whose certificate is trusted only through
AGENT_CAINFO (the emulator's CA is in no trust store)."""

from __future__ import annotations

import json
import unittest

import harness
from connect_proxy import ConnectProxy

NAME = "azure.proxied.test"
USER = "build-agent"
PASSWORD = "Pr0xy-Passw0rd-e2e"


class ProxyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # The emulator's certificate covers NAME, which only the proxy resolves (to loopback).
        cls.emu = harness.Emulator(extra_args=["--extra-dns", NAME]).start()
        cls.proxy = ConnectProxy(hosts={NAME: "127.0.0.1"}, username=USER, password=PASSWORD).start()

    @classmethod
    def tearDownClass(cls):
        cls.proxy.stop()
        cls.emu.stop()

    def setUp(self):
        self.emu.reset()
        self.proxy.tunnels.clear()
        self.proxy.rejected.clear()

    def env(self, **extra) -> dict:
        env = harness.task_env(self.emu, action="pat-list", **harness.identity_pat_owner())
        base, port = self.emu.base_url, self.emu.base_url.rsplit(":", 1)[1]
        named = f"https://{NAME}:{port}"
        env = {k: v.replace(base, named) for k, v in env.items()}
        env.update(AGENT_PROXYURL=self.proxy.url, AGENT_PROXYUSERNAME=USER, SECRET_AGENT_PROXYPASSWORD=PASSWORD)
        for key, value in extra.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return env

    def run_task(self, env) -> harness.TaskResult:
        res = harness.run_task(env, emulator=self.emu)
        self.assertEqual([], res.leak_problems)
        self.assertNotIn(env.get("SECRET_AGENT_PROXYPASSWORD", PASSWORD), self.printed(res))
        return res

    @staticmethod
    def printed(res) -> str:
        """What the log shows: everything but the masker's registrations."""
        return "\n".join(line for line in (res.stdout + res.stderr).splitlines()
                         if not line.startswith("##vso[task.setsecret]"))

    def test_a_run_through_the_proxy_succeeds(self):
        res = self.run_task(self.env())
        self.assertEqual(0, res.code, res.stdout)
        self.assertTrue(self.proxy.tunnels, "no request went through the proxy")
        self.assertEqual({f"{NAME}:{self.emu.base_url.rsplit(':', 1)[1]}"}, set(self.proxy.tunnels))

    def test_the_host_name_is_one_only_the_proxy_resolves(self):
        direct = self.env(AGENT_PROXYURL=None)
        res = self.run_task(direct)
        self.assertEqual(1, res.code)
        self.assertIn(f"could not resolve the host name of {NAME}", "\n".join(res.errors()))

    def test_without_AGENT_CAINFO_it_fails_naming_the_certificate_problem_and_the_variable(self):
        res = self.run_task(self.env(AGENT_CAINFO=None))
        self.assertEqual(1, res.code)
        error = "\n".join(res.errors())
        self.assertIn("certificate", error)
        self.assertIn("AGENT_CAINFO", error)
        self.assertIn(NAME, error)

    def test_a_wrong_proxy_password_fails_naming_the_proxy(self):
        res = self.run_task(self.env(SECRET_AGENT_PROXYPASSWORD="not-the-password"))
        self.assertEqual(1, res.code)
        error = "\n".join(res.errors())
        self.assertIn("407", error)
        self.assertIn(self.proxy.url.split("//")[1], error)
        self.assertIn("AGENT_PROXYURL", error)
        self.assertFalse(self.proxy.tunnels)

    def test_bypass_list_entries_go_direct(self):
        # Key Vault on 127.0.0.1 is in the bypass list: its requests skip the proxy, the rest tunnel.
        port = self.emu.base_url.rsplit(":", 1)[1]
        env = self.env(AGENT_PROXYBYPASSLIST=json.dumps([r"^https://127\.0\.0\.1:" + port + "/kv/"]))
        env["INPUT_KEYVAULTURL"] = f"{self.emu.base_url}/kv/{harness.VAULT}"
        env.update(INPUT_ACTION="pat-rotate", INPUT_TOKENDISPLAYNAMES="ci-feed-reader")
        self.emu.clear_requests()
        res = self.run_task(env)
        self.assertEqual(0, res.code, res.stdout)
        vault_requests = [r for r in self.emu.requests() if "/kv/" in r["path"]]
        self.assertTrue(vault_requests, "the run did not reach Key Vault")
        # The proxy resolves only its own name (502 for anything else): the vault was reached directly.
        self.assertNotIn(f"127.0.0.1:{port}", self.proxy.tunnels)
        self.assertTrue(self.proxy.tunnels, "the other services should still go through the proxy")


if __name__ == "__main__":
    unittest.main()
