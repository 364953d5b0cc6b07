"""The interruption matrix (issue #10): every run converges.

For pat-rotate, pat-create, app-secret-rotate, app-secret-create, the two-phase revokes (pat-revoke after
pat-create, app-secret-revoke after app-secret-create, a day later), service-connection-update and
service-connection-convert (where the desired state is: federated, with its matching credential; and once
more with removeSecretAfterConversion, where the secret no holder uses any more is also gone), the
emulator holds task request k (`before`: the service never saw it; `after`: it was processed but its
answer never arrives), the test stops the binary there (SIGKILL; a second pass with SIGTERM, which the
binary handles: a write in flight gets a second to answer, what must not linger is undone, exit non-zero;
test_cancel.py covers calls that stay slow), then runs the same
action again. Right after the interrupted run nothing is lost: Key Vault's current version and every
connection still on a secret hold a live credential. After the re-run:

- Key Vault's current version and each listed connection hold the same live credential with more than
  renewWithinDays left;
- no credential created by the task is live and held by nobody (no consumer), or the run failed;
- the re-run's exit code is 0 exactly when both hold;
- a second re-run changes nothing.

The first-ever rotation (issue #26): pat-rotate and app-secret-rotate while Key Vault holds nothing yet (no
secret of the family), stopped at every boundary (SIGKILL): the re-run heals (exit 0) and a second re-run
changes nothing.

Also: a one-time 403 on a connection's PUT (run 1 fails, run 2 brings the connection up to date), the
emulator's clock ±15 minutes off the binary's, and SIGINT through the Node handler (scripts/handler/run.js).
Cells run in parallel, one emulator per worker; the matrix's size and time are printed.
Set INTERRUPTION_MATRIX=quick to run only the SIGKILL pass, INTERRUPTION_MATRIX_ACTIONS=pat-rotate,... to
run some actions only."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest
from dataclasses import dataclass, field
from datetime import datetime, timezone

from harness import (OTHER_APP_ID, Emulator, default_binary, default_fixture, identity_client_secret,
                     identity_pat_owner, matrix_time, owned_by_the_task, payments_prod_alone, run_task, service_time,
                     task_env)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CI = "ffffffff-0001-4000-8000-000000000001"
PAYMENTS_APP = "aaaaaaaa-0003-4000-8000-000000000003"
PAYMENTS_SECRET = "payments-prod-secret"
PROD_ENDPOINT = "eeeeeeee-0001-4000-8000-000000000001"
RENEW_DAYS = 7
WRITES = ("POST", "PUT", "PATCH", "DELETE")


def base_fixture(offset: float = 0) -> dict:
    """The default world, with Key Vault holding ci-feed-reader's current token (a managed PAT family)."""
    fixture = default_fixture()
    ci = next(p for p in fixture["pats"] if p["authorizationId"] == CI)
    vault = fixture["vaults"][0]
    vault["secrets"]["pat-ci-feed-reader"] = [{
        "value": ci["token"], "contentType": "application/vnd.azure-devops.pat", "created": "-27d",
        "tags": {"authorizationId": CI, "displayName": "ci-feed-reader", "createdBy": "rotate-credential"}}]
    if offset:
        fixture["clockOffsetSeconds"] = offset
    return fixture


@dataclass
class Scenario:
    action: str
    inputs: dict
    kind: str  # "pat", "app" or "fed" (a conversion to workload identity federation)
    connections: list = field(default_factory=list)
    first: bool = False  # the first-ever rotation: Key Vault holds no secret of the family yet; must heal
    app: str = PAYMENTS_APP  # the application whose secrets (or federated credentials) it changes
    retire: bool = False  # a conversion that also removes the secret no holder uses any more
    after: str | None = None  # phase two: this action's clean run comes first, then a day passes
    sole_holder: bool = False  # payments-prod alone holds the secret (no payments-auto), so the old one goes

    @property
    def name(self) -> str:
        return f"{self.action}-remove-secret" if self.retire else self.action

    def __str__(self) -> str:
        return f"{self.name} (first)" if self.first else self.name

    def fixture(self, offset: float = 0) -> dict:
        fixture = base_fixture(offset)
        if self.first:
            del fixture["vaults"][0]["secrets"]["pat-ci-feed-reader" if self.kind == "pat" else PAYMENTS_SECRET]
        if self.sole_holder:
            payments_prod_alone(fixture)
        return owned_by_the_task(fixture, self.app)  # the task's identity may change it


PAT_INPUTS = dict(tokenDisplayNames="ci-feed-reader", renewWithinDays=RENEW_DAYS)
APP_INPUTS = dict(applicationId=PAYMENTS_APP, secretName=PAYMENTS_SECRET, azureDevOpsIdentity="azureSubscription",
                  organization="contoso", project="Platform", renewWithinDays=RENEW_DAYS, replicationTimeoutSeconds=20,
                  serviceConnections="payments-prod")


def wanted(found: list[Scenario]) -> list[Scenario]:
    """The scenarios INTERRUPTION_MATRIX_ACTIONS names (all when unset)."""
    names = {a for a in os.environ.get("INTERRUPTION_MATRIX_ACTIONS", "").split(",") if a}
    return [s for s in found if not names or s.action in names]


def first_rotations() -> list[Scenario]:
    """pat-rotate and app-secret-rotate while Key Vault holds nothing yet."""
    return wanted([Scenario("pat-rotate", {**PAT_INPUTS, **identity_pat_owner()}, "pat", first=True),
                   Scenario("app-secret-rotate", {**APP_INPUTS, **identity_client_secret()}, "app", ["payments-prod"],
                            first=True)])


def scenarios() -> list[Scenario]:
    pat = {**PAT_INPUTS, **identity_pat_owner()}
    app = {**APP_INPUTS, **identity_client_secret()}
    convert = dict(azureDevOpsIdentity="azureSubscription", organization="contoso", project="Platform",
                   replicationTimeoutSeconds=20, serviceConnections="payments-prod", **identity_client_secret())
    return wanted([
        Scenario("pat-rotate", pat, "pat"),
        Scenario("pat-create", pat, "pat"),
        Scenario("pat-revoke", pat, "pat", after="pat-create"),
        Scenario("app-secret-rotate", app, "app", ["payments-prod"]),
        Scenario("app-secret-create", app, "app", ["payments-prod"]),
        Scenario("app-secret-revoke", app, "app", ["payments-prod"], after="app-secret-create", sole_holder=True),
        Scenario("service-connection-update", app, "app", ["payments-prod"]),
        Scenario("service-connection-convert", convert, "fed", ["payments-prod"]),
        Scenario("service-connection-convert",
                 {**convert, "serviceConnections": "other-team", "removeSecretAfterConversion": True, "graceHours": 0},
                 "fed", ["other-team"], app=OTHER_APP_ID, retire=True),
    ])


class World:
    """One emulator (one per worker) and what the tests read from it."""

    def __init__(self):
        for attempt in range(3):  # another suite may be writing the shared CA directory right now
            try:
                self.emu = Emulator(ca_dir=os.environ.get("E2E_CA_DIR")).start()
                break
            except RuntimeError:
                if attempt == 2:
                    raise
                time.sleep(1 + attempt)
        self.fixture_ids: set = set()
        self.scale: dict = {}

    def reset(self, offset: float = 0, scenario: Scenario | None = None) -> None:
        fixture = scenario.fixture(offset) if scenario else base_fixture(offset)
        self.emu.reset(fixture)
        self.scale = matrix_time(self.emu)
        self.fixture_ids = {p["authorizationId"] for p in fixture["pats"]}
        self.fixture_ids |= {c["keyId"] for a in fixture["apps"] for c in a.get("passwordCredentials", [])}
        if scenario and scenario.after:
            phase_one = run_task(task_env(self.emu, **{**self.scale, **scenario.inputs, "action": scenario.after}),
                                 emulator=self.emu)
            if phase_one.code != 0:
                raise AssertionError(f"{scenario.after} before {scenario} failed: {phase_one}")
            self.emu.advance_hours(25)  # past graceHours (24 by default)

    def env(self, scenario: Scenario, **extra) -> dict:
        return task_env(self.emu, action=scenario.action, **{**self.scale, **scenario.inputs, **extra})

    def task_requests(self) -> list:
        return [r for r in self.emu.requests() if "/_emulator" not in r["path"]]

    def writes(self) -> list:
        return [f'{r["method"]} {r["path"]}' for r in self.task_requests()
                if r["method"] in WRITES and "/oauth2/" not in r["path"] and "/oidctoken" not in r["path"]]

    # ---- convergence
    def problems(self, scenario: Scenario) -> list[str]:
        state = self.emu.state()
        if scenario.kind == "fed":
            return self._federation_problems(state, scenario)
        return self._pat_problems(state) if scenario.kind == "pat" else self._app_problems(state, scenario)

    def _latest(self, state: dict, name: str) -> dict | None:
        vault = next(v for v in state["vaults"] if v["name"] == "kv-rotation") if isinstance(state["vaults"], list) \
            else state["vaults"]["kv-rotation"]
        versions = [v for v in vault["secrets"].get(name, []) if v.get("enabled", True)]
        return versions[-1] if versions else None

    def _pat_problems(self, state: dict) -> list[str]:
        now = datetime.now(timezone.utc)
        live = [p for p in state["pats"] if p["displayName"] == "ci-feed-reader" and not p["revoked"]
                and service_time(p["validTo"]) > now]
        latest = self._latest(state, "pat-ci-feed-reader")
        held = next((p for p in live if latest and p["token"] == latest["value"]), None)
        problems = []
        if held is None:
            problems.append("Key Vault holds no live ci-feed-reader token")
        elif (service_time(held["validTo"]) - now).days <= RENEW_DAYS:
            problems.append(f"Key Vault holds {held['authorizationId']}, within renewWithinDays")
        for p in live:
            if p["authorizationId"] not in self.fixture_ids and p is not held:
                problems.append(f"task-created token {p['authorizationId']} is live and held by nobody")
        return problems

    def _app_problems(self, state: dict, scenario: Scenario) -> list[str]:
        now = datetime.now(timezone.utc)
        app = next(a for a in state["apps"] if a["appId"] == PAYMENTS_APP)
        passwords = app["passwordCredentials"]
        latest = self._latest(state, PAYMENTS_SECRET)
        held = next((p for p in passwords if latest and p["secretText"] == latest["value"]), None)
        problems = []
        if held is None:
            problems.append("Key Vault holds no live client secret of payments-deployer")
        elif (service_time(held["endDateTime"]) - now).days <= RENEW_DAYS and scenario.action != "service-connection-update":
            problems.append(f"Key Vault holds {held['keyId']}, within renewWithinDays")
        endpoints = state["endpoints"] if isinstance(state["endpoints"], list) else list(state["endpoints"].values())
        for name in scenario.connections:
            body = next(e.get("body", e) for e in endpoints if e.get("body", e)["name"] == name)
            if latest is None or body["authorization"]["parameters"].get("serviceprincipalkey") != latest["value"]:
                problems.append(f"service connection {name} does not hold Key Vault's current value")
        for p in passwords:
            if p["keyId"] not in self.fixture_ids and p is not held:
                problems.append(f"task-created client secret {p['keyId']} is live and held by nobody")
        return problems

    def _federation_problems(self, state: dict, scenario: Scenario) -> list[str]:
        """Each connection federated with its application's matching credential; no secret created; the
        secret removed when the scenario retires it (no other holder), else kept."""
        app = next(a for a in state["apps"] if a["appId"] == scenario.app)
        problems = []
        endpoints = state["endpoints"] if isinstance(state["endpoints"], list) else list(state["endpoints"].values())
        for name in scenario.connections:
            body = next(e.get("body", e) for e in endpoints if e.get("body", e)["name"] == name)
            params = body["authorization"]["parameters"]
            if body["authorization"]["scheme"] != "WorkloadIdentityFederation":
                problems.append(f"service connection {name} is not federated")
                continue
            if not any(f["issuer"] == params.get("workloadIdentityFederationIssuer")
                       and f["subject"] == params.get("workloadIdentityFederationSubject")
                       and "api://AzureADTokenExchange" in f.get("audiences", []) for f in app["federatedCredentials"]):
                problems.append(f"service connection {name} is federated but its application has no matching credential")
        if any(c["keyId"] not in self.fixture_ids for c in app["passwordCredentials"]):
            problems.append("a client secret was created")
        if scenario.retire and app["passwordCredentials"]:
            problems.append("the client secret no holder uses is still live")
        return problems

    def lost(self, scenario: Scenario) -> list[str]:
        """Nothing lost, at any interruption: Key Vault's current version and every connection still on a
        secret hold a live credential."""
        state = self.emu.state()
        if scenario.kind == "pat":
            latest = self._latest(state, "pat-ci-feed-reader")
            live = {p["token"] for p in state["pats"] if not p["revoked"]}
            return ["Key Vault holds a revoked token"] if latest and latest["value"] not in live else []
        app = next(a for a in state["apps"] if a["appId"] == scenario.app)
        live = {p["secretText"] for p in app["passwordCredentials"]}
        latest = self._latest(state, PAYMENTS_SECRET) if scenario.kind == "app" else None
        problems = ["Key Vault holds a removed client secret"] if latest and latest["value"] not in live else []
        endpoints = state["endpoints"] if isinstance(state["endpoints"], list) else list(state["endpoints"].values())
        for name in scenario.connections:
            auth = next(e.get("body", e) for e in endpoints if e.get("body", e)["name"] == name)["authorization"]
            key = auth["parameters"].get("serviceprincipalkey")
            if auth["scheme"] != "WorkloadIdentityFederation" and key and key not in live:
                problems.append(f"service connection {name} holds a removed client secret")
        return problems

    def stop(self) -> None:
        self.emu.stop()


@dataclass
class Cell:
    scenario: Scenario
    k: int
    when: str
    how: str  # "SIGKILL" or "SIGTERM"
    offset: float = 0

    def __str__(self) -> str:
        skew = f" skew {self.offset:+.0f}s" if self.offset else ""
        return f"{self.scenario} {self.how} {self.when} #{self.k}{skew}"


def interrupted_run(world: World, cell: Cell) -> str:
    """Arms the hold, starts the binary, stops it when the hold is reached; returns what happened."""
    world.emu._control("POST", "/hold", {"request": cell.k, "when": cell.when})
    proc = subprocess.Popen([default_binary()], env=world.env(cell.scenario), stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if world.emu._control("GET", "/held").get("held"):
                break
            if proc.poll() is not None:
                return f"finished (code {proc.returncode}) before request {cell.k}"
            time.sleep(0.02)
        else:
            return "the hold was never reached"
        if cell.how == "SIGKILL":
            proc.kill()
            proc.wait(timeout=30)
            world.emu._control("POST", "/release")
        else:
            proc.send_signal(signal.SIGTERM)
            time.sleep(0.05)
            world.emu._control("POST", "/release")
            proc.wait(timeout=90)
            if proc.returncode == 0:
                return "SIGTERM ignored: exit code 0"
        return f"stopped (code {proc.returncode})"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        world.emu._control("POST", "/hold", {"request": 0})


def check_convergence(world: World, cell: Cell) -> tuple[list[str], bool]:
    """The re-run converges (exit 0 exactly when the desired state holds); a second re-run changes nothing.
    Returns the failures and whether the re-run ended in the desired state."""
    first = interrupted_run(world, cell)
    if first.startswith("SIGTERM ignored") or first.startswith("the hold"):
        return [f"{cell}: {first}"], False
    lost = [f"{cell}: after the interrupted run, {problem}" for problem in world.lost(cell.scenario)]
    again = run_task(world.env(cell.scenario), emulator=world.emu)
    problems = world.problems(cell.scenario)
    failures = lost
    if cell.scenario.first and again.code != 0:
        failures.append(f"{cell}: the first rotation did not heal: re-run exit {again.code}, state problems "
                        f"{problems}: {' | '.join(again.errors())[:600]}")
    elif (again.code == 0) != (not problems):
        failures.append(f"{cell}: re-run exit {again.code} but state problems {problems}: "
                        f"{' | '.join(again.errors())[:600]}")
    world.emu.clear_requests()
    third = run_task(world.env(cell.scenario), emulator=world.emu)
    if again.code == 0 and (third.code != 0 or world.writes()):
        failures.append(f"{cell}: second re-run exit {third.code}, changed {world.writes()}")
    return failures, again.code == 0


def baseline(world: World, scenario: Scenario, offset: float = 0) -> list[dict]:
    """The task requests of an undisturbed run, in order (the matrix's k range)."""
    world.reset(offset, scenario)
    world.emu.clear_requests()
    res = run_task(world.env(scenario), emulator=world.emu)
    if res.code != 0:
        raise AssertionError(f"baseline {scenario} failed: {res}")
    return world.task_requests()


def is_change(request: dict) -> bool:
    """A request that changes state (a token request does not)."""
    return request["method"] in WRITES and "/oauth2/" not in request["path"]


def cells_for(scenario: Scenario, requests: list[dict], quick: bool) -> list[Cell]:
    """Every boundary stopped before (SIGKILL); every change also after (SIGKILL), and both with SIGTERM.
    Stopping after a read or a token request is the same as stopping before the next request."""
    cells = []
    for k, request in enumerate(requests, 1):
        cells.append(Cell(scenario, k, "before", "SIGKILL"))
        if is_change(request):
            cells.append(Cell(scenario, k, "after", "SIGKILL"))
            if not quick:
                cells += [Cell(scenario, k, "before", "SIGTERM"), Cell(scenario, k, "after", "SIGTERM")]
    return cells


def run_cells(cells: list[Cell], workers: int) -> tuple[list[str], int]:
    """Runs cells on `workers` emulators in parallel; returns every failure and how many re-runs converged."""
    todo: queue.Queue = queue.Queue()
    for cell in cells:
        todo.put(cell)
    failures: list[str] = []
    converged = [0]
    lock = threading.Lock()

    def worker():
        world = World()
        try:
            while True:
                try:
                    cell = todo.get_nowait()
                except queue.Empty:
                    return
                world.reset(cell.offset, cell.scenario)
                try:
                    found, done = check_convergence(world, cell)
                except Exception as exc:  # a broken cell is a failure, not a crash of the matrix
                    found, done = [f"{cell}: {exc!r}"], False
                with lock:
                    failures.extend(found)
                    converged[0] += done
        finally:
            world.stop()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return failures, converged[0]


class InterruptionMatrixTest(unittest.TestCase):
    """test_every_interruption_converges_<action>: one test per scenario, so the parallel runner
    spreads the matrix over its workers; each runs its cells on two emulators of its own."""

    e2e_weight = 60  # seconds, roughly: run_parallel starts the slowest first
    workers = 2

    @classmethod
    def setUpClass(cls):
        cls.world = World()

    @classmethod
    def tearDownClass(cls):
        cls.world.stop()

    def run_matrix(self, name: str) -> None:
        found = [s for s in scenarios() if s.name == name]
        if not found:
            self.skipTest("not in INTERRUPTION_MATRIX_ACTIONS")
        started = time.monotonic()
        quick = os.environ.get("INTERRUPTION_MATRIX") == "quick"
        cells = cells_for(found[0], baseline(self.world, found[0]), quick)
        failures, converged = run_cells(cells, self.workers)
        print(f"\ninterruption matrix, {name}: {len(cells)} cells on {self.workers} workers in "
              f"{time.monotonic() - started:.0f} s; {converged} re-runs converged, {len(failures)} cells failed")
        self.assertEqual(failures, [], "\n".join(failures[:20]))

    def first_rotation_heals(self, action: str) -> None:
        """Key Vault holds nothing yet: a kill at any boundary heals on the next run (SIGKILL pass)."""
        found = [s for s in first_rotations() if s.action == action]
        if not found:
            self.skipTest("not in INTERRUPTION_MATRIX_ACTIONS")
        started = time.monotonic()
        cells = cells_for(found[0], baseline(self.world, found[0]), quick=True)
        failures, converged = run_cells(cells, self.workers)
        print(f"\nfirst-rotation matrix, {action}: {len(cells)} cells on {self.workers} workers in "
              f"{time.monotonic() - started:.0f} s; {converged} re-runs converged, {len(failures)} cells failed")
        self.assertEqual(failures, [], "\n".join(failures[:20]))

    def test_clock_skew_of_fifteen_minutes(self):
        started = time.monotonic()
        cells = []
        for offset in (-900, 900):
            for scenario in scenarios():
                if scenario.action not in ("pat-rotate", "pat-create", "app-secret-rotate"):
                    continue
                requests = baseline(self.world, scenario, offset)
                cells += [Cell(scenario, k, "after", "SIGKILL", offset)
                          for k, request in enumerate(requests, 1) if is_change(request)]
        failures, converged = run_cells(cells, self.workers)
        print(f"\nclock-skew matrix: {len(cells)} cells in {time.monotonic() - started:.0f} s; {converged} converged")
        self.assertEqual(failures, [], "\n".join(failures[:20]))

    def test_uncertain_create_with_skewed_clock_is_recognised(self):
        for offset in (-900, 900):
            for action, path in (("pat-rotate", r"/tokens/pats$"), ("app-secret-rotate", r"/addPassword$")):
                with self.subTest(offset=offset, action=action):
                    scenario = next(s for s in scenarios() if s.action == action)
                    self.world.reset(offset)
                    self.world.emu.add_fault(method="POST", path=path, delaySeconds=2, times=1)
                    res = run_task(self.world.env(scenario, requestTimeoutSeconds=1), emulator=self.world.emu)
                    self.assertEqual(res.code, 0, str(res))
                    self.assertEqual(self.world.problems(scenario), [])

    def test_one_time_403_on_a_connection_is_fixed_by_the_next_run(self):
        for scenario in scenarios():
            if scenario.kind != "app" or scenario.after:  # the revoke writes no connection
                continue
            with self.subTest(action=scenario.action):
                self.world.reset()
                self.world.emu.add_fault(method="PUT", path=f"/serviceendpoint/endpoints/{PROD_ENDPOINT}", status=403,
                                         times=1, body={"message": "Access denied", "typeKey": "AccessCheckException"})
                first = run_task(self.world.env(scenario), emulator=self.world.emu)
                self.assertEqual(first.code, 1, str(first))
                second = run_task(self.world.env(scenario), emulator=self.world.emu)
                self.assertEqual(second.code, 0, str(second))
                self.assertEqual(self.world.problems(scenario), [])
                self.world.emu.clear_requests()
                third = run_task(self.world.env(scenario), emulator=self.world.emu)
                self.assertEqual((third.code, self.world.writes()), (0, []))

    def test_dry_runs_set_changed_false_and_write_nothing(self):
        for scenario in scenarios():
            with self.subTest(scenario=scenario.name):
                self.world.reset(0, scenario)
                self.world.emu.clear_requests()
                res = run_task(self.world.env(scenario, dryRun=True), emulator=self.world.emu)
                self.assertEqual(res.code, 0, str(res))
                self.assertEqual(res.outputs().get("changed"), "false")
                self.assertEqual(self.world.writes(), [])

    @unittest.skipUnless(shutil.which("node"), "node is not installed")
    def test_sigint_through_the_node_handler_undoes_and_the_next_run_finishes(self):
        scenario = next(s for s in scenarios() if s.action == "pat-rotate")
        self.world.reset()
        self.world.emu.clear_requests()
        run_task(self.world.env(scenario), emulator=self.world.emu)
        create = next(i for i, r in enumerate(self.world.task_requests(), 1)
                      if r["method"] == "POST" and r["path"].endswith("/tokens/pats"))
        self.world.reset()
        handler = tempfile.mkdtemp(prefix="rc-handler-")
        self.addCleanup(shutil.rmtree, handler, True)
        shutil.copy(os.path.join(ROOT, "scripts", "handler", "run.js"), handler)
        arch = {"x86_64": "x64", "aarch64": "arm64", "arm64": "arm64"}[os.uname().machine]
        platform = {"linux": "linux", "darwin": "darwin"}[os.uname().sysname.lower()]
        os.makedirs(os.path.join(handler, "bin", f"{platform}-{arch}"))
        os.symlink(default_binary(), os.path.join(handler, "bin", f"{platform}-{arch}", "rotate-credential"))
        self.world.emu._control("POST", "/hold", {"request": create, "when": "after"})
        proc = subprocess.Popen(["node", os.path.join(handler, "run.js")], env=self.world.env(scenario),
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True)
        deadline = time.monotonic() + 60
        while not self.world.emu._control("GET", "/held").get("held") and time.monotonic() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        time.sleep(0.2)
        self.world.emu._control("POST", "/release")
        out, _ = proc.communicate(timeout=90)
        self.world.emu._control("POST", "/hold", {"request": 0})
        # The binary reported the cancel itself (task.complete result=Failed): the handler exits 0,
        # so the agent shows one error, not a second "Exit code 1 returned from process".
        self.assertEqual(proc.returncode, 0, out)
        self.assertIn("##vso[task.complete result=Failed;]Cancelled (SIGINT)", out)
        self.assertIn("SIGINT received", out)
        self.assertIn("Undone: revoke the new PAT", out)
        live = [p for p in self.world.emu.state()["pats"] if p["displayName"] == "ci-feed-reader" and not p["revoked"]]
        self.assertEqual([p["authorizationId"] for p in live], [CI], "the unstored new token was revoked")
        again = run_task(self.world.env(scenario), emulator=self.world.emu)
        self.assertEqual(again.code, 0, str(again))
        self.assertEqual(self.world.problems(scenario), [])


def _matrix_test(name: str):
    def test(self):
        self.run_matrix(name)
    test.__doc__ = f"Every interruption of {name} converges on the next run."
    test.e2e_weight = 65 if name.startswith("app-secret") else 20  # seconds, roughly: the proof is slow
    return test


for _name in ("pat-rotate", "pat-create", "pat-revoke", "app-secret-rotate", "app-secret-create", "app-secret-revoke",
              "service-connection-update", "service-connection-convert", "service-connection-convert-remove-secret"):
    setattr(InterruptionMatrixTest, f"test_every_interruption_converges_{_name.replace('-', '_')}",
            _matrix_test(_name))


def _first_rotation_test(action: str):
    def test(self):
        self.first_rotation_heals(action)
    test.__doc__ = f"The first {action} (Key Vault holds nothing yet) heals after a kill at any boundary."
    test.e2e_weight = 55 if action.startswith("app-secret") else 10
    return test


for _action in ("pat-rotate", "app-secret-rotate"):
    setattr(InterruptionMatrixTest, f"test_first_rotation_heals_at_every_boundary_{_action.replace('-', '_')}",
            _first_rotation_test(_action))


if __name__ == "__main__":
    unittest.main()
