"""End-to-end tests of the binary's HTTP transport against hostile plain-HTTP servers on loopback
(the only place plain HTTP is allowed): redirects are never followed, answers are capped, a
server that never answers times out with a message naming the host, and headers arrive intact."""

from __future__ import annotations

import http.server
import os
import shlex
import shutil
import subprocess
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

    def test_a_missing_libcurl_fails_the_requests_naming_the_library_and_its_package(self):
        # The binary loads libcurl.so.4 on first use, not at start: hide it (an empty file bound
        # over it, in a mount namespace of this run's own) and the run still starts, then fails
        # its requests with a message that names the library and the package that installs it.
        libraries = self.libcurl_paths()
        if not libraries or shutil.which("unshare") is None or subprocess.run(
                ["unshare", "-m", "--propagation", "private", "true"], capture_output=True).returncode != 0:
            self.skipTest("needs libcurl.so.4 in the loader's cache and unshare -m (root or user namespaces)")
        temporary = tempfile.mkdtemp(prefix="rc-no-libcurl-")
        self.addCleanup(shutil.rmtree, temporary, True)
        wrapper = os.path.join(temporary, "without-libcurl")
        mounts = " && ".join(f"mount --bind /dev/null {shlex.quote(path)}" for path in libraries)
        with open(wrapper, "w") as f:
            f.write("#!/bin/sh\nexec unshare -m --propagation private sh -c %s\n"
                    % shlex.quote(f"{mounts} && exec {shlex.quote(os.path.abspath(harness.default_binary()))}"))
        os.chmod(wrapper, 0o755)
        server = Server(answer(200, b"{}", {"Content-Type": "application/json"}))
        try:
            result = harness.run_task({**env_for(server.url), "AGENT_TEMPDIRECTORY": temporary}, binary=wrapper)
            self.assertEqual(1, result.code, result.stdout + result.stderr)
            errors = "\n".join(result.errors())
            self.assertIn("libcurl (libcurl.so.4) could not be loaded", errors)
            self.assertIn("apt-get install libcurl4", errors)
            self.assertEqual([], server.paths)
        finally:
            server.stop()

    @staticmethod
    def libcurl_paths() -> list[str]:
        """Where the loader finds libcurl.so.4 (ldconfig's cache)."""
        ldconfig = shutil.which("ldconfig") or "/sbin/ldconfig"
        try:
            listed = subprocess.run([ldconfig, "-p"], capture_output=True, text=True).stdout
        except OSError:
            return []
        return sorted({line.split("=>")[-1].strip() for line in listed.splitlines()
                       if line.strip().startswith("libcurl.so.4 ")})


if __name__ == "__main__":
    unittest.main()
