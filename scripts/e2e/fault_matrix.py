"""The fault matrix: every HTTP call an action makes, each with every fault, checked against the
invariants that users depend on.

The cells are generated, not written: a clean run of each scenario records the calls it makes
(the emulator's request log); each call then gets each fault, injected on exactly that call
(same method and path, skipping the identical calls before it); of consecutive identical calls (a
poll) only the first and the last, and of a scenario that repeats another's calls only its own
(`Scenario.faulted`); a read gets neither a late answer nor a 503 (`WRITE_FAULTS`). After every cell:

1. consumers can still authenticate: every place consumers read (the Key Vault secret's latest
   version, each service connection) holds a live credential; a place that holds nothing still
   has the original credential live;
2. no live credential of the subject exists that is stored nowhere (checked in the state, not in the log):
   after the faulted run one may (the task created it inside its recorded intent, or the service finished
   a create after the run gave up on it), but then the re-run (5) removes it;
3. no secret appears unmasked in stdout or stderr (the harness's leak check);
4. the exit code and the last lines match the outcome: exit 0 and a succeeded result after a
   fault the task must recover from; otherwise exit 0, or exit 1 with an error naming what failed
   and `task.complete result=Failed`; what either run says is in words, never a Swift value's debug
   text (`harness.swift_debug_lines`);
5. a re-run after the fault is cleared completes (exit 0) and 1 and 2 still hold (no credential is left
   live and stored nowhere).

Every cell runs with SYSTEM_DEBUG=true: the debug lines must show the calls (method, path,
status or failure, time, request ids) and never an Authorization header, a bearer token or a
body that carries a secret (the leak check covers the secrets themselves).
"""
from __future__ import annotations

import dataclasses
import re
import time
from typing import Callable

import harness

TIMEOUT_SECONDS = 2
# Every cell's pauses and the services' windows at 1/100 (the smallest the binary takes): the
# matrix runs each clean run's calls times its faults, twice.
SLEEP_SCALE = 0.01

# name -> (fault rule without placement, whether the task must recover from it)
FAULTS: dict[str, tuple[dict, bool]] = {
    "500 once": ({"status": 500, "times": 1}, True),
    "500 always": ({"status": 500, "times": -1}, False),
    "429 Retry-After": ({"status": 429, "retryAfter": "1", "times": 1}, True),
    "503 no Retry-After": ({"status": 503, "times": 1}, False),
    "dropped connection": ({"drop": True, "times": 1}, False),
    "slower than timeout": ({"delaySeconds": TIMEOUT_SECONDS + 1, "times": 1}, False),
    "203 sign-in page": ({"signin": True, "times": 1}, False),
    "malformed JSON": ({"malformed": True, "times": 1}, False),
    "patTokenError": ({"patTokenError": "accessDenied", "times": 1}, False),
}


# The task's own record in Key Vault (lease, intents, holders; docs/records.md) is read and written
# several times a run, each time to the same end: before the first change (any failure stops the run
# with nothing changed) or at its end (a failure is a warning). Three faults cover those paths: a
# refusal, a lost answer, and a write that lands after the client gave up.
RECORD_FAULTS = ("500 always", "dropped connection", "slower than timeout")


# A read changes nothing, so an answer that comes too late is an answer lost (nothing lands after the
# client gave up) and a 503 is a 500 (both are retried): those two faults go to the calls that may change
# something (every method but GET).
WRITE_FAULTS = ("slower than timeout", "503 no Retry-After")


def is_record(request: dict) -> bool:
    """Whether `request` reads or writes the task's record rather than a consumer's secret."""
    return "/secrets/rotate-credential-" in request["path"]


@dataclasses.dataclass
class Subject:
    """What a scenario rotates: how to list its live credentials and where consumers read them."""

    live: Callable[[dict], dict[str, str]]          # state -> {value: id} of live credentials
    places: Callable[[dict], dict[str, str | None]]  # state -> {place: value or None}
    stored: Callable[[dict], set[str]]               # state -> every value held anywhere (all versions)


def pat_subject(display_name: str, secret_name: str) -> Subject:
    def live(state):
        now = harness.service_time(state["now"])
        return {p["token"]: p["authorizationId"] for p in state["pats"]
                if p["displayName"] == display_name and not p.get("revoked") and harness.service_time(p["validTo"]) > now}
    return Subject(live, lambda s: {f"Key Vault {secret_name}": latest(s, secret_name)},
                   lambda s: all_versions(s, secret_name))


def app_subject(app_id: str, secret_name: str, connections: list[str]) -> Subject:
    def live(state):
        now = harness.service_time(state["now"])
        app = next(a for a in state["apps"] if a["appId"] == app_id)
        return {p["secretText"]: p["keyId"] for p in app["passwordCredentials"] if harness.service_time(p["endDateTime"]) > now}

    def places(state):
        result = {f"Key Vault {secret_name}": latest(state, secret_name)}
        for name in connections:
            endpoint = next(e for e in state["endpoints"] if e["name"] == name)
            result[f"connection {name}"] = endpoint["authorization"]["parameters"].get("serviceprincipalkey")
        return result

    def stored(state):
        return all_versions(state, secret_name) | {v for v in places(state).values() if v}
    return Subject(live, places, stored)


def federation_subject(app_id: str, connections: list[str]) -> Subject:
    """A conversion: a connection's place holds its key while it uses a secret, and "fic:<issuer>|<subject>"
    once federated, which is live only while the application has that federated credential. Federated
    credentials count as stored (they are not secrets: one left behind grants nothing by itself)."""
    def app_of(state):
        return next(a for a in state["apps"] if a["appId"] == app_id)

    def credentials(state):
        return {f"fic:{f['issuer']}|{f['subject']}": f.get("name", "") for f in app_of(state).get("federatedCredentials", [])}

    def live(state):
        now = harness.service_time(state["now"])
        secrets = {p["secretText"]: p["keyId"] for p in app_of(state)["passwordCredentials"]
                   if harness.service_time(p["endDateTime"]) > now}
        return {**secrets, **credentials(state)}

    def places(state):
        result = {}
        for name in connections:
            endpoint = next(e for e in state["endpoints"] if e["name"] == name)
            auth = endpoint["authorization"]
            if auth["scheme"] == "WorkloadIdentityFederation":
                p = auth["parameters"]
                result[f"connection {name}"] = f"fic:{p.get('workloadIdentityFederationIssuer')}|" \
                                               f"{p.get('workloadIdentityFederationSubject')}"
            else:
                result[f"connection {name}"] = auth["parameters"].get("serviceprincipalkey")
        return result

    def stored(state):
        return {v for v in places(state).values() if v} | set(credentials(state))
    return Subject(live, places, stored)


def latest(state: dict, name: str) -> str | None:
    versions = [v for v in state["vaults"][0]["secrets"].get(name, []) if v.get("enabled", True)]
    return versions[-1]["value"] if versions else None


def all_versions(state: dict, name: str) -> set[str]:
    return {v["value"] for v in state["vaults"][0]["secrets"].get(name, [])}


@dataclasses.dataclass
class Scenario:
    name: str
    inputs: Callable[[harness.Emulator], dict]
    subject: Subject
    setup: Callable[[harness.Emulator], None] | None = None
    # Which calls of the clean run get faults (all by default): a scenario that repeats another's
    # calls after its own (the PAT owner's session, then pat-rotate) faults only its own.
    faulted: Callable[[dict], bool] = lambda request: True


def faulted_calls(scenario: Scenario, calls: list[dict]) -> list[int]:
    """The indexes of the calls that get faults: those the scenario names, and of consecutive identical
    calls (a poll: the proof's token requests, Graph read until it lists a write) the first and the last;
    the ones between take the same path through the task."""
    indexes = []
    for index, request in enumerate(calls):
        key = call_key(request)
        repeated = 0 < index < len(calls) - 1 and call_key(calls[index - 1]) == key == call_key(calls[index + 1])
        if scenario.faulted(request) and not repeated:
            indexes.append(index)
    return indexes


@dataclasses.dataclass
class Cell:
    scenario: str
    call: str
    fault: str
    problems: list[str]

    @property
    def holds(self) -> bool:
        return not self.problems


DEBUG_CALL = re.compile(r"^##\[debug\](GET|POST|PUT|PATCH|DELETE) \S+ -> (\d{3} in \d+ ms|no response)")
FORBIDDEN = re.compile(r"authorization:|bearer [A-Za-z0-9]|client_secret=|\"value\"\s*:", re.IGNORECASE)


def debug_problems(result: harness.TaskResult) -> list[str]:
    """SYSTEM_DEBUG output: every call is shown; no header or body that carries a credential."""
    problems = []
    calls = [line for line in result.lines if DEBUG_CALL.match(line)]
    if not calls:
        problems.append("debug: no request line in the SYSTEM_DEBUG output")
    elif not any("request-id" in line or "activityid" in line for line in calls):
        problems.append("debug: no request id (x-ms-request-id, ActivityId) in the request lines")
    for number, line in enumerate(result.lines, 1):
        if FORBIDDEN.search(line):
            problems.append(f"debug: line {number} shows an Authorization header, a token or a secret body")
    return problems


def call_key(request: dict) -> tuple[str, str]:
    return request["method"], request["path"]


def describe(request: dict) -> str:
    return f"{request['method']} {request['path']}"


class Matrix:
    """Runs the cells of one scenario."""

    def __init__(self, emulator: harness.Emulator, scenario: Scenario):
        self.emulator = emulator
        self.scenario = scenario
        self.scale: dict = {}

    def prepare(self) -> dict:
        self.emulator.reset()
        self.emulator.clear_faults()
        self.scale = harness.matrix_time(self.emulator, SLEEP_SCALE)
        if self.scenario.setup:
            self.scenario.setup(self.emulator)
        self.emulator.clear_requests()
        return self.emulator.state()

    def env(self) -> dict:
        return harness.task_env(self.emulator, requestTimeoutSeconds=str(TIMEOUT_SECONDS), SYSTEM_DEBUG="true",
                                **self.scale, **self.scenario.inputs(self.emulator))

    def calls(self) -> list[dict]:
        """The calls of a clean run, in order."""
        self.prepare()
        result = harness.run_task(self.env())
        if result.code != 0:
            raise AssertionError(f"clean run of {self.scenario.name} failed:\n{result}")
        return self.emulator.requests()

    def wait_for_faulted_call(self, deadline: float) -> None:
        """Waits until the emulator answered the call the fault delayed (its log entry is written
        after the answer), or until `deadline` (time.monotonic)."""
        while time.monotonic() < deadline:
            if any(r.get("fault") for r in self.emulator.requests()):
                return
            time.sleep(0.1)

    def run_cell(self, calls_before: list[dict], request: dict, fault: str) -> Cell:
        initial = self.prepare()
        rule, must_recover = FAULTS[fault]
        skip = sum(1 for r in calls_before if call_key(r) == call_key(request))
        self.emulator.add_fault(method=request["method"], path="^" + re.escape(request["path"]) + "$",
                                skip=skip, **rule)
        env = self.env()
        started = time.monotonic()
        result = harness.run_task(env)
        problems = self.check(initial, result, must_recover, phase="faulted run")
        self.emulator.clear_faults()
        # A delayed call lands on the service's time, not the shortened pauses of the binary: the
        # next run (a week later, for real) comes after it did.
        if rule.get("delaySeconds"):
            self.wait_for_faulted_call(started + rule["delaySeconds"] + 15)
        rerun = harness.run_task(env)
        if rerun.code != 0:
            problems.append(f"re-run after clearing the fault failed (exit {rerun.code}): {rerun.errors()[-1:]}")
        problems += self.check(initial, rerun, True, phase="re-run", check_outcome=False)
        problems += [f"leak: {p}" for p in result.leak_problems + rerun.leak_problems]
        problems += debug_problems(result)
        problems += [f"Swift debug text: {line}" for run in (result, rerun)
                     for line in harness.swift_debug_lines(run.stdout + run.stderr)]
        return Cell(self.scenario.name, describe(request), fault, problems)

    def check(self, initial: dict, result: harness.TaskResult, must_recover: bool, phase: str,
              check_outcome: bool = True) -> list[str]:
        state = self.emulator.state()
        subject = self.scenario.subject
        problems = []
        live = subject.live(state)
        # 1. consumers can still authenticate
        for place, value in subject.places(state).items():
            if value is not None and value not in live:
                problems.append(f"{phase}: {place} holds a credential that is no longer live")
        original = subject.places(initial)
        for place, value in subject.places(state).items():
            before = original.get(place)
            if value is None and before is not None:
                problems.append(f"{phase}: {place} lost its value")
        initial_live = subject.live(initial)
        if not any(v in live for v in subject.places(state).values() if v) and \
                not any(v in live for v in initial_live):
            problems.append(f"{phase}: no live credential is left where consumers read it")
        # 2. nothing live that is stored nowhere once the re-run is done (the faulted run may leave one)
        stored = subject.stored(state)
        strays = sorted(identifier for value, identifier in live.items()
                        if value not in initial_live and value not in stored)
        if strays and phase == "re-run":
            problems.append(f"{phase}: {', '.join(strays)} live and stored nowhere: the re-run did not remove it")
        # 4. exit code and last lines
        if check_outcome:
            if must_recover and result.code != 0:
                problems.append(f"{phase}: expected recovery, got exit {result.code}: {result.errors()[-1:]}")
            if result.code == 0 and result.result not in ("Succeeded", "SucceededWithIssues"):
                problems.append(f"{phase}: exit 0 but task.complete result={result.result}")
            if result.code != 0:
                if result.code != 1 or result.result != "Failed" or not result.errors():
                    problems.append(f"{phase}: failure must be exit 1 with an error and result=Failed "
                                    f"(exit {result.code}, result {result.result})")
                last = [line for line in result.lines if line.strip()][-1:]
                if not last or "task.complete" not in last[0]:
                    problems.append(f"{phase}: the last line is not task.complete")
        return problems

    def run(self, limit: int | None = None, part: int = 0, parts: int = 1) -> list[Cell]:
        """The cells of every call (or, with `parts`, of every parts-th call from call `part`)."""
        calls = self.calls()
        results = []
        for position, index in enumerate(faulted_calls(self.scenario, calls)):
            if position % parts != part:
                continue
            request = calls[index]
            for fault in FAULTS:
                if fault == "patTokenError" and request["service"] != "vssps":
                    continue
                if is_record(request) and fault not in RECORD_FAULTS:
                    continue
                if request["method"] == "GET" and fault in WRITE_FAULTS:
                    continue
                results.append(self.run_cell(calls[:index], request, fault))
                if limit and len(results) >= limit:
                    return results
        return results
