"""End-to-end tests of the binary's HTTP transport against hostile plain-HTTP servers on loopback
(the only place plain HTTP is allowed): redirects are never followed, answers are capped, a
server that never answers times out with a message naming the host, and headers arrive intact."""

from __future__ import annotations

import http.server
import os
import shutil
import tempfile
import threading
import time
import unittest

import harness

TENANT = harness.TENANT_ID
PASSWORD = "Transport-Test-Password-1!"


class Server:
    """A loopback HTTP server whose every answer comes from `handle(handler)`; records paths."""

    def __init__(self, handle):
        self.paths: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                outer.paths.append(self.path)
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    handle(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up, as it should

            do_GET = do_POST

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def env_for(authority: str, **extra) -> dict:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "INPUT_ACTION": "pat-list", "INPUT_ORGANIZATION": "contoso",
           "INPUT_TENANTID": TENANT, "INPUT_CLIENTID": harness.PAT_CLIENT_ID,
           "INPUT_PATOWNERUSERNAME": harness.BOT_USER, "INPUT_PATOWNERPASSWORD": PASSWORD,
           "INPUT_AUTHORITYHOST": authority, "INPUT_VSSPSURL": authority, "INPUT_AZUREDEVOPSURL": authority}
    env.update(extra)
    return env


def answer(status: int, body: bytes = b"", headers: dict | None = None):
    def handle(h):
        h.send_response(status)
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)
    return handle


class TransportTest(unittest.TestCase):
    def run_binary(self, env, timeout=60):
        temporary = tempfile.mkdtemp(prefix="rc-transport-test-")
        self.addCleanup(shutil.rmtree, temporary, True)
        result = harness.run_task({**env, "AGENT_TEMPDIRECTORY": temporary}, timeout=timeout)
        self.assertNotIn(PASSWORD, "\n".join(line for line in result.lines
                                             if not line.startswith("##vso[task.setsecret]")))
        return result

    def test_redirects_are_never_followed(self):
        elsewhere = Server(answer(200, b"{}", {"Content-Type": "application/json"}))
        server = Server(answer(302, b"", {"Location": elsewhere.url + "/stolen"}))
        try:
            result = self.run_binary(env_for(server.url))
            self.assertEqual(1, result.code)
            self.assertEqual([], elsewhere.paths, "the redirect was followed")
            self.assertTrue(server.paths)
        finally:
            server.stop()
            elsewhere.stop()

    def test_answers_larger_than_the_cap_are_refused(self):
        huge = b"{\"x\": \"" + b"a" * (40 << 20) + b"\"}"
        server = Server(answer(200, huge, {"Content-Type": "application/json"}))
        try:
            result = self.run_binary(env_for(server.url))
            self.assertEqual(1, result.code)
            self.assertIn("larger than 32 MB", "\n".join(result.errors()))
        finally:
            server.stop()

    def test_a_server_that_never_answers_times_out_naming_the_host(self):
        def hang(h):
            time.sleep(30)
        server = Server(hang)
        try:
            started = time.monotonic()
            result = self.run_binary(env_for(server.url, INPUT_REQUESTTIMEOUTSECONDS="2"))
            self.assertEqual(1, result.code)
            host = server.url.split("//")[1]
            self.assertIn(f"no answer from {host} within 2 s", "\n".join(result.errors()))
            self.assertLess(time.monotonic() - started, 25, "the timeout did not end the request")
        finally:
            server.stop()

    def test_nothing_listening_is_named_as_a_connection_failure(self):
        server = Server(answer(200))
        url = server.url
        server.stop()
        result = self.run_binary(env_for(url))
        self.assertEqual(1, result.code)
        self.assertIn(f"could not connect to {url.split('//')[1]}", "\n".join(result.errors()))


if __name__ == "__main__":
    unittest.main()
