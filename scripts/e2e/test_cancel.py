"""A cancel ends within the agent's grace, even in the middle of a slow call (issue #22).

The agent cancels a step the way `ProcessInvoker` does (azure-pipelines-agent): SIGINT to the Node
handler, SIGTERM 7.5 s later, and 2.5 s after that it kills the handler (the binary then writes
into a pipe nobody reads). `AgentCancel` plays that through scripts/handler/run.js and measures.
Each cell stops a run in one slow place, with SIGINT and, separately, with SIGTERM as the first
signal (the agent's second stage):

- a Graph call held (`addPassword` of app-secret-rotate) and a Key Vault write held (the store of
  pat-rotate): the emulator holds the request before processing it, and releases it after the
  step ended, so it lands late;
- a 429 with `Retry-After: 30` on the PAT create (the binary waits for real here: sleep scale 1);
- a server that accepts TCP and never answers (a local listener as the Key Vault URL).

In every cell the handler exits within the signal's window (before the agent's next stage) with
exit code 0 after the binary's own `task.complete result=Failed` (one error in the agent's log),
the state is reported, the report file is written, and no request is re-sent after the stop
(the emulator's request log). When a held call lands later, the next run converges and the one
after it changes nothing. One more cell stops a run whose stdout reader is gone: the report file
still gets the state. Each cell is a test, so run_parallel.py spreads them over its workers.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import test_interruption_matrix as matrix  # noqa: E402

# The agent's defaults (ProcessInvoker: PROCESS_SIGINT_TIMEOUT, PROCESS_SIGTERM_TIMEOUT).
SIGINT_WINDOW = 7.5
SIGTERM_WINDOW = 2.5


class AgentCancel:
    """Cancels a handler process as the agent's ProcessInvoker does, and measures."""

    def __init__(self, proc: subprocess.Popen):
        self.proc = proc
        self.stage = ""
        self.seconds = 0.0

    def cancel(self, first: str) -> "AgentCancel":
        """SIGINT, 7.5 s, SIGTERM, 2.5 s, kill (first="SIGTERM" starts at SIGTERM)."""
        stages = [("SIGINT", SIGINT_WINDOW), ("SIGTERM", SIGTERM_WINDOW)]
        if first == "SIGTERM":
            stages = stages[1:]
        started = time.monotonic()
        for name, window in stages:
            self.stage = name
            self.proc.send_signal(getattr(signal, name))
            try:
                self.proc.wait(timeout=window)
                break
            except subprocess.TimeoutExpired:
                continue
        else:
            self.stage = "kill"
            self.proc.kill()
            self.proc.wait()
        self.seconds = time.monotonic() - started
        return self


class SilentServer:
    """Accepts TCP connections on loopback and never answers."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self):
        self.sock.close()
        for conn in self.accepted:
            conn.close()


class World(matrix.World):
    """The interruption matrix's world on this worker's shared emulator."""

    def __init__(self):  # noqa: super().__init__ would start an emulator of its own
        self.emu = harness.Emulator.shared()
        self.fixture_ids = set()
        self.scale = {}


# A getaddrinfo that takes 30 s for host names containing "slow-dns" (and creates the file named
# by the %s when asked).
SLOW_GETADDRINFO = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <netdb.h>
#include <string.h>
#include <unistd.h>

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res) {
    int (*real)(const char *, const char *, const struct addrinfo *, struct addrinfo **) =
        dlsym(RTLD_NEXT, "getaddrinfo");
    if (node && strstr(node, "slow-dns")) {
        close(open("%s", O_CREAT | O_WRONLY, 0600));
        sleep(30);
        return EAI_AGAIN;
    }
    return real(node, service, hints, res);
}
"""


class CancelTest(unittest.TestCase):
    e2e_weight = 15  # seconds per cell, roughly

    @classmethod
    def setUpClass(cls):
        cls.handler = tempfile.mkdtemp(prefix="rc-handler-")
        shutil.copy(os.path.join(harness.REPO, "scripts", "handler", "run.js"), cls.handler)
        arch = {"x86_64": "x64", "aarch64": "arm64", "arm64": "arm64"}[os.uname().machine]
        platform = {"linux": "linux", "darwin": "darwin"}[os.uname().sysname.lower()]
        os.makedirs(os.path.join(cls.handler, "bin", f"{platform}-{arch}"))
        os.symlink(harness.default_binary(), os.path.join(cls.handler, "bin", f"{platform}-{arch}", "rotate-credential"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.handler, ignore_errors=True)

    def setUp(self):
        if shutil.which("node") is None:
            self.skipTest("node is not installed")
        self.world = World()
        self.world.reset()
        self.addCleanup(self.world.emu._control, "POST", "/hold", {"request": 0})

    def scenario(self, action: str) -> matrix.Scenario:
        return next(s for s in matrix.scenarios() if s.action == action)

    # ---- one cell

    def cancelled_run(self, scenario: matrix.Scenario, first: str, reached, preload: str | None = None,
                      **inputs) -> tuple[AgentCancel, harness.TaskResult, float]:
        """Runs the handler (the binary's waits at their real length, `preload` as LD_PRELOAD),
        cancels it once `reached()` says the slow place is reached; returns the cancel, the output
        and when the stop was sent."""
        env = self.world.env(scenario, ROTATE_CREDENTIAL_TEST_SLEEP_SCALE="1", **inputs)
        if preload:
            env["LD_PRELOAD"] = preload
        proc = subprocess.Popen(["node", os.path.join(self.handler, "run.js")], env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        output: list[bytes] = []
        reader = threading.Thread(target=lambda: output.append(proc.stdout.read()), daemon=True)
        reader.start()
        try:
            deadline = time.monotonic() + 60
            while not reached():
                self.assertIsNone(proc.poll(), "the run ended before the slow place")
                self.assertLess(time.monotonic(), deadline, "the slow place was never reached")
                time.sleep(0.02)
            stopped_at = time.monotonic()
            cancel = AgentCancel(proc).cancel(first)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        reader.join(timeout=10)
        proc.stdout.close()
        text = b"".join(output).decode(errors="replace")
        print(f"\n  {scenario.action}: {first} -> exit {proc.returncode} after {cancel.seconds:.2f} s", flush=True)
        return cancel, harness.TaskResult(text, "", proc.returncode, cancel.seconds, env), stopped_at

    def check_stopped_in_time(self, cancel: AgentCancel, result: harness.TaskResult, first: str) -> None:
        window = SIGINT_WINDOW if first == "SIGINT" else SIGTERM_WINDOW
        self.assertEqual(cancel.stage, first, f"still running {window} s after {first}:\n{result}")
        self.assertLess(cancel.seconds, window, str(result))
        self.assertEqual(result.code, 0, f"the handler adds an error of its own:\n{result}")
        completes = [c for c in result.commands if c.area == "task" and c.event == "complete"]
        self.assertEqual([c.props.get("result") for c in completes], ["Failed"], str(result))
        self.assertIn(f"Cancelled ({first})", completes[0].data)
        self.assertTrue(result.errors(), "the state is reported as errors")
        report = result.outputs().get("reportPath")
        self.assertTrue(report and os.path.isfile(report), f"no report file:\n{result}")
        with open(report, encoding="utf-8") as f:
            json.load(f)
        self.assertEqual(harness.find_leaks(result, self.world.emu.state()["issuedSecrets"],
                                            extra=harness._env_secrets(result.env), files=harness.task_files(result.env)), [])

    def sent_after(self, stopped_at: float) -> list[str]:
        """Task requests the emulator saw start after the stop, besides the undo channel's giving
        back of the run's lease in the task's record (issue #26)."""
        return [f'{r["method"]} {r["path"]}' for r in self.world.task_requests()
                if r["startedAt"] > stopped_at and "/secrets/rotate-credential-" not in r["path"]]

    def check_converges(self, scenario: matrix.Scenario) -> None:
        """The next run converges; the one after changes nothing."""
        again = harness.run_task(self.world.env(scenario), emulator=self.world.emu)
        self.assertEqual((again.code, self.world.problems(scenario)), (0, []), str(again))
        self.world.emu.clear_requests()
        third = harness.run_task(self.world.env(scenario), emulator=self.world.emu)
        self.assertEqual((third.code, self.world.writes()), (0, []), str(third))

    def hold_first(self, method: str, path_end: str) -> None:
        """Holds the run's first `method` request whose path ends with `path_end` (by what it is, not by
        its position: the task reads some services at once, so the order of its requests varies)."""
        self.world.emu._control("POST", "/hold", {"request": 1, "when": "before", "method": method,
                                                  "pathEnd": path_end})

    # ---- a call held, landing after the step ended

    def held_call(self, action: str, method: str, path_end: str, first: str) -> None:
        scenario = self.scenario(action)
        self.world.reset()
        self.hold_first(method, path_end)
        cancel, result, stopped_at = self.cancelled_run(
            scenario, first, lambda: self.world.emu._control("GET", "/held").get("held"))
        self.check_stopped_in_time(cancel, result, first)
        self.assertIn("it may still land", " ".join(result.errors()), str(result))
        resent = [r for r in self.sent_after(stopped_at) if r.startswith(method) and r.endswith(path_end)]
        self.assertEqual(resent, [], "re-sent after the stop")
        self.world.emu._control("POST", "/release")  # the held call lands now, after the step ended
        self.check_converges(scenario)

    def test_a_graph_call_held_then_sigint(self):
        self.held_call("app-secret-rotate", "POST", "/addPassword", "SIGINT")

    def test_a_graph_call_held_then_sigterm(self):
        self.held_call("app-secret-rotate", "POST", "/addPassword", "SIGTERM")

    def test_a_key_vault_write_held_then_sigint(self):
        self.held_call("pat-rotate", "PUT", "/secrets/pat-ci-feed-reader", "SIGINT")

    def test_a_key_vault_write_held_then_sigterm(self):
        self.held_call("pat-rotate", "PUT", "/secrets/pat-ci-feed-reader", "SIGTERM")

    # ---- a long Retry-After

    def retry_after(self, first: str) -> None:
        scenario = self.scenario("pat-rotate")
        self.world.emu.add_fault(method="POST", path=r"/tokens/pats$", status=429, retryAfter="30", times=1)
        creates = lambda: [r for r in self.world.task_requests()
                           if r["method"] == "POST" and r["path"].endswith("/tokens/pats")]
        cancel, result, stopped_at = self.cancelled_run(scenario, first, lambda: bool(creates()))
        self.check_stopped_in_time(cancel, result, first)
        self.assertEqual([r["status"] for r in creates()], [429], "the create was sent again")
        self.assertEqual(self.sent_after(stopped_at), [])
        self.check_converges(scenario)

    def test_retry_after_30_then_sigint(self):
        self.retry_after("SIGINT")

    def test_retry_after_30_then_sigterm(self):
        self.retry_after("SIGTERM")

    # ---- a server that never answers

    def silent_server(self, first: str) -> None:
        scenario = self.scenario("pat-rotate")
        server = SilentServer()
        self.addCleanup(server.close)
        cancel, result, stopped_at = self.cancelled_run(
            scenario, first, lambda: bool(server.accepted), keyVaultUrl=f"http://127.0.0.1:{server.port}/")
        self.check_stopped_in_time(cancel, result, first)
        self.assertEqual(self.world.writes(), [], "nothing was changed")
        self.assertEqual(self.sent_after(stopped_at), [])

    def test_a_server_that_never_answers_then_sigint(self):
        self.silent_server("SIGINT")

    def test_a_server_that_never_answers_then_sigterm(self):
        self.silent_server("SIGTERM")

    # ---- a host name that takes long to resolve

    def test_a_slow_dns_answer_then_sigterm(self):
        # libcurl resolves in a thread of its own; aborting a transfer used to wait for that thread
        # (its getaddrinfo here takes 30 s). A preloaded getaddrinfo makes one host name slow.
        compiler = shutil.which("cc") or shutil.which("clang") or shutil.which("gcc")
        if compiler is None or not sys.platform.startswith("linux"):
            self.skipTest("a C compiler (Linux) is needed to slow down getaddrinfo")
        folder = tempfile.mkdtemp(prefix="rc-slow-dns-")
        self.addCleanup(shutil.rmtree, folder, True)
        started = os.path.join(folder, "asked")
        with open(os.path.join(folder, "slow.c"), "w") as f:
            f.write(SLOW_GETADDRINFO % started)
        library = os.path.join(folder, "slow.so")
        subprocess.run([compiler, "-shared", "-fPIC", "-o", library, os.path.join(folder, "slow.c"), "-ldl"],
                       check=True, capture_output=True)
        cancel, result, stopped_at = self.cancelled_run(
            self.scenario("pat-rotate"), "SIGTERM", lambda: os.path.exists(started),
            preload=library, keyVaultUrl="https://kv-rotation.slow-dns.example/")
        self.check_stopped_in_time(cancel, result, "SIGTERM")
        self.assertEqual(self.world.writes(), [], "nothing was changed")

    # ---- nobody reads the output any more

    def test_the_report_file_gets_the_state_when_stdout_is_gone(self):
        scenario = self.scenario("pat-rotate")
        self.world.reset()
        self.hold_first("PUT", "/secrets/pat-ci-feed-reader")
        env = self.world.env(scenario)
        proc = subprocess.Popen([harness.default_binary()], env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while not self.world.emu._control("GET", "/held").get("held"):
                self.assertLess(time.monotonic(), deadline, "the store was never reached")
                time.sleep(0.02)
            proc.stdout.close()  # the agent stopped reading: every later write fails with EPIPE
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=SIGTERM_WINDOW)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.assertEqual(code, 1, "not killed by SIGPIPE: the run reports and exits 1")
        with open(os.path.join(env["AGENT_TEMPDIRECTORY"], "rotate-credential-report.json"), encoding="utf-8") as f:
            report = json.load(f)
        self.assertEqual([c["displayName"] for c in report["consumers"]], ["ci-feed-reader"], report)


if __name__ == "__main__":
    unittest.main()
