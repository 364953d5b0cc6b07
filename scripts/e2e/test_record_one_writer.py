"""One writer at a time (issue #26, case 7), end to end through the binary against the emulator.

Runs are told apart by the agent's SYSTEM_PLANID / SYSTEM_JOBID / BUILD_BUILDID: every run of the harness
has the same ones (a re-run of the same job); the second run of a pair has others (another pipeline run).

- Two runs started together (8 pairs, the second started a little later in each pair), of pat-rotate and of
  app-secret-rotate: at most one credential is created per pair; the family ends with exactly the one Key
  Vault holds live (client secrets: every credential the task created and Key Vault does not hold is gone,
  and the listed connection holds Key Vault's value); a run that stops exits 1 and names the other run.
- A run killed after it took the lease: another run stops before any change, naming it; a re-run of the
  same job takes over at once and converges; once the lease has expired, another run takes over too."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
import unittest

from harness import (BUILD_ID, JOB_ID, PLAN_ID, Emulator, check_all_runs_leak_free, default_binary,
                     identity_pat_owner, matrix_time, run_task, service_time, task_env)
from app_secret_support import app, app_env, endpoint
from record_support import (APP_SECRET, CI, CI_NAME, OTHER_RUN, debug_text, default_fixture, held_pat, held_value,
                            later, live_ids, managed_pat_world, pats, writes)

THIS_RUN = {"SYSTEM_PLANID": PLAN_ID, "SYSTEM_JOBID": JOB_ID, "BUILD_BUILDID": BUILD_ID}
RENEW_DAYS = 7
# The pairs run at these fractions of the real pauses: a run's pauses (taking the lease among them) at a
# fraction small enough to provoke what no real service does (a Key Vault round trip longer than the lease's
# safety margin, which scales with them) would test the emulator's speed, not the task.
PAT_SCALE = 1.0  # a PAT rotation takes ~1.2 s
APP_SCALE = 0.2  # a client secret rotation takes ~2.5 s (proving the new secret; no flapping here)
PAT_STAGGERS = (0, 0, 0.05, 0.2, 0.5, 0.8, 1.2, 2.0)  # seconds between the two starts of each pair
APP_STAGGERS = (0, 0, 0.1, 0.3, 0.6, 1.0, 1.8, 3.0)


def run_names(res, run: dict) -> bool:
    """Whether a run's errors or warnings name the run `run` (its build id or plan id)."""
    text = "\n".join(res.errors() + res.warnings())
    return run["BUILD_BUILDID"] in text or run["SYSTEM_PLANID"] in text


class OneWriterTestCase(unittest.TestCase):
    def setUp(self):
        self.emu = Emulator.shared()

    def together(self, first: dict, second: dict, stagger: float):
        """Runs both environments at once (the second `stagger` seconds later); returns both results."""
        results = [None, None]

        def go(index: int, env: dict, delay: float):
            time.sleep(delay)
            results[index] = run_task(env, emulator=self.emu)

        threads = [threading.Thread(target=go, args=(0, first, 0)),
                   threading.Thread(target=go, args=(1, second, stagger))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return results

    def pair_problems(self, label: str, results: list) -> list[str]:
        """Exit codes: each 0 or 1, at least one 0; a run that stops names the other; no debug text."""
        problems = []
        codes = [r.code for r in results]
        if not set(codes) <= {0, 1} or 0 not in codes:
            errors = " | ".join(e for r in results for e in r.errors())
            problems.append(f"{label}: exit codes {codes}: {errors[:500]}")
        for res, other in ((results[0], OTHER_RUN), (results[1], THIS_RUN)):
            if res.code == 1 and not run_names(res, other):
                problems.append(f"{label}: the run that stopped does not name the other run "
                                f"(build {other['BUILD_BUILDID']}): {res.errors()[-1:]}")
            problems += [f"{label}: {line}" for line in debug_text(res)]
        return problems


class TwoRunsAtOnceTest(OneWriterTestCase):
    e2e_weight = 40  # seconds, roughly: the parallel runner starts the slowest tests first
    def test_pat_rotate_pairs(self):
        problems = []
        fixture_ids = {p["authorizationId"] for p in managed_pat_world()["pats"]}
        for n, stagger in enumerate(PAT_STAGGERS, 1):
            self.emu.reset(managed_pat_world())
            scale = matrix_time(self.emu, PAT_SCALE)
            env = dict(action="pat-rotate", tokenDisplayNames=CI_NAME, renewWithinDays=RENEW_DAYS,
                       **identity_pat_owner(), **scale)
            results = self.together(task_env(self.emu, **env), task_env(self.emu, **env, **OTHER_RUN), stagger)
            label = f"pair {n} (second run {stagger:.2f} s later)"
            problems += self.pair_problems(label, results)
            created = [p["authorizationId"] for p in pats(self.emu, live_only=False)
                       if p["authorizationId"] not in fixture_ids]
            if len(created) > 1:
                problems.append(f"{label}: {len(created)} tokens created: {created}")
            held = held_pat(self.emu)
            if held is None or live_ids(self.emu) != {held["authorizationId"]}:
                problems.append(f"{label}: live {sorted(live_ids(self.emu))}, Key Vault holds "
                                f"{held and held['authorizationId']}")
            elif held["authorizationId"] == CI:
                problems.append(f"{label}: nobody rotated the due token")
        self.assertEqual(problems, [], "\n".join(problems))

    def test_app_secret_rotate_pairs(self):
        problems = []
        fixture_keys = {c["keyId"] for a in default_fixture()["apps"] for c in a.get("passwordCredentials", [])}
        for n, stagger in enumerate(APP_STAGGERS, 1):
            self.emu.reset()
            scale = matrix_time(self.emu, APP_SCALE)
            self.emu.configure(secretFlapping=None)  # what two runs do at once, not how a new secret settles
            inputs = dict(serviceConnections="payments-prod", renewWithinDays=RENEW_DAYS, replicationTimeoutSeconds=20,
                          **scale)
            results = self.together(app_env(self.emu, "app-secret-rotate", **inputs),
                                    app_env(self.emu, "app-secret-rotate", **inputs, **OTHER_RUN), stagger)
            label = f"pair {n} (second run {stagger:.2f} s later)"
            problems += self.pair_problems(label, results)
            problems += self.secret_problems(label, fixture_keys)
        self.assertEqual(problems, [], "\n".join(problems))

    def secret_problems(self, label: str, fixture_keys: set[str]) -> list[str]:
        added = [r for r in self.emu.requests() if r["method"] == "POST" and r["path"].endswith("/addPassword")
                 and r["status"] in (200, 201)]
        problems = [f"{label}: {len(added)} client secrets created"] if len(added) > 1 else []
        state_now = service_time(self.emu.state()["now"])
        passwords = app(self.emu)["passwordCredentials"]
        value = held_value(self.emu, APP_SECRET)
        held = next((p for p in passwords if p["secretText"] == value), None)
        if held is None or (service_time(held["endDateTime"]) - state_now).days <= RENEW_DAYS:
            problems.append(f"{label}: Key Vault holds no live client secret outside renewWithinDays")
        strays = [p["keyId"] for p in passwords if p["keyId"] not in fixture_keys and p is not held]
        if strays:
            problems.append(f"{label}: client secrets the task created, live, not held by Key Vault: {strays}")
        key = endpoint(self.emu, "payments-prod")["authorization"]["parameters"].get("serviceprincipalkey")
        if key != value or key not in {p["secretText"] for p in passwords}:
            problems.append(f"{label}: payments-prod does not hold Key Vault's live value")
        return problems


class LeaseTest(OneWriterTestCase):
    def setUp(self):
        super().setUp()
        self.emu.reset(managed_pat_world())
        self.scale = matrix_time(self.emu)

    def env(self, **extra) -> dict:
        return task_env(self.emu, action="pat-rotate", tokenDisplayNames=CI_NAME, renewWithinDays=RENEW_DAYS,
                        **identity_pat_owner(), **self.scale, **extra)

    def kill_before_the_create(self) -> set[str]:
        """A run of this job stopped (SIGKILL) right before its create request, after the request before it
        (it took the lease before any change); returns the live tokens it left."""
        self.emu.clear_requests()
        baseline = run_task(self.env(), emulator=self.emu)
        self.assertEqual(baseline.code, 0, str(baseline))
        create = next(k for k, r in enumerate([r for r in self.emu.requests() if "/_emulator" not in r["path"]], 1)
                      if r["method"] == "POST" and r["path"].endswith("/tokens/pats"))
        self.emu.reset(managed_pat_world())
        self.scale = matrix_time(self.emu)
        self.emu._control("POST", "/hold", {"request": create - 1, "when": "after"})
        proc = subprocess.Popen([default_binary()], env=self.env(), stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            while not self.emu._control("GET", "/held").get("held"):
                self.assertIsNone(proc.poll(), "the run ended before its create request")
                self.assertLess(time.monotonic(), deadline, "the request before the create was never reached")
                time.sleep(0.02)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            self.emu._control("POST", "/release")
            self.emu._control("POST", "/hold", {"request": 0})
        return live_ids(self.emu)

    def converged(self) -> None:
        held = held_pat(self.emu)
        self.assertIsNotNone(held)
        self.assertNotEqual(held["authorizationId"], CI)
        self.assertEqual(live_ids(self.emu), {held["authorizationId"]})

    def test_another_run_yields_to_a_live_lease_and_the_same_job_takes_over(self):
        left = self.kill_before_the_create()
        self.emu.clear_requests()
        other = run_task(self.env(**OTHER_RUN), emulator=self.emu)
        self.assertEqual(other.code, 1, str(other))
        self.assertTrue(run_names(other, THIS_RUN), f"the killed run is named: {other.errors()}")
        self.assertEqual(writes(self.emu), [], "the other run changes nothing")
        self.assertEqual(live_ids(self.emu), left)
        self.assertEqual(debug_text(other), [])

        again = run_task(self.env(), emulator=self.emu)  # the same job, run again
        self.assertEqual(again.code, 0, str(again))
        self.converged()

    def test_an_expired_lease_is_taken_over(self):
        self.kill_before_the_create()
        later(self.emu, 24)  # far past any lease of a run that was killed (CI stays valid: 3 days)
        other = run_task(self.env(**OTHER_RUN), emulator=self.emu)
        self.assertEqual(other.code, 0, str(other))
        self.converged()

    def test_no_leaks(self):
        check_all_runs_leak_free(self)


if __name__ == "__main__":
    unittest.main()
