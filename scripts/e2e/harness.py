"""End-to-end harness: run the rotate-credential binary against the local Azure emulator.

Python 3.11 standard library only.  Typical test:

    import unittest
    from harness import Emulator, task_env, identity_client_secret, run_task, assert_no_leak

    class RotateSpnTest(unittest.TestCase):
        def setUp(self):
            self.emu = Emulator.shared()      # one emulator per test process (run_parallel.py: per worker)
            self.emu.reset()                  # back to the default demo world

        def test_rotates(self):
            env = task_env(self.emu, credentialType="servicePrincipalSecret",
                           serviceConnection="payments-prod", **identity_client_secret())
            res = run_task(env)
            self.assertEqual(res.code, 0, res.stderr)
            self.assertEqual(res.result, "Succeeded")
            assert_no_leak(self, res, self.emu)

Every run_task() call is also leak-checked against the shared emulator right after the
run; leak_failures() returns all failures seen so far (the CI asserts it is empty).
The demo world (ids, names, secrets) is described in scripts/emulator/README.md.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
from datetime import datetime, timezone
import fcntl
import functools
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
EMULATOR = os.path.join(REPO, "scripts", "emulator", "azure_emulator.py")
DEFAULT_FIXTURE = os.path.join(REPO, "scripts", "emulator", "default_fixture.json")

# Fixture constants (see scripts/emulator/README.md).
TENANT_ID = "11111111-1111-1111-1111-111111111111"
ORG = "contoso"
PROJECT = "Platform"
PROJECT_ID = "33333333-3333-3333-3333-333333333333"
PLAN_ID = "55555555-5555-4555-8555-555555555555"
JOB_ID = "66666666-6666-4666-8666-666666666666"
BUILD_ID = "4242"
VAULT = "kv-rotation"
ROTATION_APP_ID = "aaaaaaaa-0001-4000-8000-000000000001"
ROTATION_APP_SECRET = "Rot8Q~fixture.rotation_automation-secret1"
PAT_CLIENT_ID = "aaaaaaaa-0002-4000-8000-000000000002"
PAYMENTS_APP_ID = "aaaaaaaa-0003-4000-8000-000000000003"
OTHER_APP_ID = "aaaaaaaa-0004-4000-8000-000000000004"
WIF_APP_ID = "aaaaaaaa-0005-4000-8000-000000000005"
BOT_USER = "rotation-bot@contoso.onmicrosoft.com"
BOT_PASSWORD = "Fixture-Bot-Password-1!"
ENDPOINTS = {
    "payments-prod": "eeeeeeee-0001-4000-8000-000000000001",
    "payments-auto": "eeeeeeee-0002-4000-8000-000000000002",
    "payments-wif": "eeeeeeee-0003-4000-8000-000000000003",
    "other-team": "eeeeeeee-0004-4000-8000-000000000004",
    "rotation-wif": "eeeeeeee-0005-4000-8000-000000000005",
}


# --------------------------------------------------------------------------- emulator

class Emulator:
    """Runs scripts/emulator/azure_emulator.py as a subprocess.  Use as a context manager,
    or Emulator.shared() for one instance per test run (stopped at exit)."""

    _shared: "Emulator | None" = None
    _shared_lock = threading.Lock()

    def __init__(self, fixture: str | None = None, verbose: bool = False, ca_dir: str | None = None,
                 extra_args: list[str] | None = None, time_scale: float | None = None):
        self.fixture = fixture
        # The services' consistency windows at the same fraction as the binary's waits (see SLEEP_SCALE).
        self.time_scale = time_scale if time_scale is not None else float(
            os.environ.get("E2E_SLEEP_SCALE", SLEEP_SCALE))
        self.verbose = verbose
        self.ca_dir = ca_dir
        self.extra_args = list(extra_args or [])
        self.proc: subprocess.Popen | None = None
        self.base_url = ""
        self.ca_file = ""
        self._ctx: ssl.SSLContext | None = None
        self._local = threading.local()  # each thread's kept-alive control connection

    # ---- lifecycle
    def start(self) -> "Emulator":
        cmd = [sys.executable, EMULATOR]
        if self.fixture:
            cmd += ["--fixture", self.fixture]
        if self.ca_dir:
            cmd += ["--ca-dir", self.ca_dir]
        if self.verbose:
            cmd.append("--verbose")
        cmd += ["--time-scale", str(self.time_scale)]
        cmd += self.extra_args
        with _ca_dir_lock(self.ca_dir):
            self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                         stderr=None if self.verbose else subprocess.DEVNULL, text=True)
            line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"emulator exited before announcing itself (code {self.proc.wait()})")
        info = json.loads(line)
        self.base_url, self.ca_file = info["baseUrl"], info["caFile"]
        self._ctx = ssl.create_default_context(cafile=self.ca_file)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()
        self.proc = None
        self._local = threading.local()

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @classmethod
    def shared(cls) -> "Emulator":
        with cls._shared_lock:
            if cls._shared is None or cls._shared.proc is None or cls._shared.proc.poll() is not None:
                cls._shared = cls(verbose=bool(os.environ.get("EMULATOR_VERBOSE")),
                                  ca_dir=os.environ.get("E2E_CA_DIR")).start()
                atexit.register(cls._shared.stop)
            return cls._shared

    # ---- HTTP
    def request(self, method: str, path_or_url: str, body=None, headers: dict | None = None,
                form: dict | None = None, timeout: float = 30):
        """Raw request to the emulator.  Returns (status, headers dict, body bytes); never raises on HTTP errors."""
        url = path_or_url if path_or_url.startswith("http") else self.base_url + path_or_url
        h = dict(headers or {})
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            h.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif body is not None:
            data = body if isinstance(body, (bytes, bytearray)) else json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        req = urllib.request.Request(url, data=data, method=method, headers=h)
        opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=self._ctx), _NoRedirect())
        try:
            with opener.open(req, timeout=timeout) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def _control(self, method: str, path: str, body=None):
        status, raw = self._control_call(method, "/_emulator" + path, body)
        data = json.loads(raw) if raw else None
        if status != 200:
            raise RuntimeError(f"emulator control {method} {path} -> {status}: {data}")
        return data

    def _control_call(self, method: str, path: str, body) -> tuple[int, bytes]:
        """One control call on this thread's kept-alive connection (a TLS handshake per call would
        cost the suite more CPU than the task's own runs); a connection that broke is made again."""
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else {}
        for attempt in (1, 2):
            connection = getattr(self._local, "connection", None)
            if connection is None:
                host, port = urllib.parse.urlsplit(self.base_url).netloc.rsplit(":", 1)
                connection = http.client.HTTPSConnection(host, int(port), context=self._ctx, timeout=60)
                self._local.connection = connection
            try:
                connection.request(method, urllib.parse.urlsplit(self.base_url).path + path, body=data,
                                   headers=headers)
                response = connection.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, OSError):
                connection.close()
                self._local.connection = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    # ---- control API
    def state(self) -> dict:
        return self._control("GET", "/state")

    def reset(self, fixture: dict | None = None) -> None:
        """Reload the launch fixture (or the given fixture dict); clears faults, config and the request log."""
        self._control("POST", "/reset", fixture)

    def add_fault(self, **rule) -> None:
        """e.g. add_fault(method="POST", path=r"/addPassword$", status=503, retryAfter="1", times=2)"""
        self._control("POST", "/faults", rule)

    def clear_faults(self) -> None:
        self._control("DELETE", "/faults")

    def configure(self, **cfg) -> dict:
        """delayMs, throttle={"requestsPerSecond":..,"retryAfterSeconds":..}, replicationDelaySeconds, patPageSize"""
        return self._control("POST", "/config", cfg)

    def advance_hours(self, hours: float) -> None:
        """Time passes: every stored timestamp is moved back by `hours`."""
        self._control("POST", "/clock", {"advanceHours": hours})

    def clear_requests(self) -> None:
        self._control("POST", "/requests/clear")

    def requests(self) -> list[dict]:
        return self._control("GET", "/requests")

    # ---- conveniences for tests
    def token(self, scope: str, client_id: str = ROTATION_APP_ID, client_secret: str | None = ROTATION_APP_SECRET,
              username: str | None = None, password: str | None = None, tenant: str = TENANT_ID) -> str:
        form = {"client_id": client_id, "scope": scope}
        if username:
            form.update(grant_type="password", username=username, password=password or "")
            if client_secret and client_id != PAT_CLIENT_ID:
                form["client_secret"] = client_secret
        else:
            form.update(grant_type="client_credentials", client_secret=client_secret or "")
        status, _, raw = self.request("POST", f"/login/{tenant}/oauth2/v2.0/token", form=form)
        if status != 200:
            raise RuntimeError(f"token request failed {status}: {raw[:300]!r}")
        return json.loads(raw)["access_token"]


@contextlib.contextmanager
def _ca_dir_lock(ca_dir: str | None):
    """One emulator start at a time per shared CA folder, across processes: a start creates the CA
    when it is missing and openssl rewrites the CA's serial file (ca.srl) on every start."""
    if not ca_dir:
        yield
        return
    os.makedirs(ca_dir, mode=0o700, exist_ok=True)
    lock = os.open(ca_dir, os.O_RDONLY)  # the folder itself is the lock: no extra file
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
    finally:
        os.close(lock)  # closing releases the lock


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# --------------------------------------------------------------------------- environment

# The binary's waits in the end-to-end tests, as a fraction of the real ones (E2E_SLEEP_SCALE=1: real).
SLEEP_SCALE = "0.2"


def default_fixture() -> dict:
    """The emulator's default world (scripts/emulator/default_fixture.json), a fresh copy to change."""
    with open(DEFAULT_FIXTURE, encoding="utf-8") as f:
        return json.load(f)


def payments_prod_alone(fixture: dict) -> dict:
    """`fixture` without payments-auto, a connection the task does not write that holds the same client
    secret as payments-prod: payments-prod is then the secret's only holder, so a replaced one goes."""
    fixture["endpoints"] = [e for e in fixture["endpoints"] if e["name"] != "payments-auto"]
    return fixture


def owned_by_the_task(fixture: dict, app_id: str) -> dict:
    """`fixture` with application `app_id` owned by the task's identity (rotation-automation), which may
    then change it."""
    for app in fixture["apps"]:
        if app["appId"] == app_id:
            app["owners"] = [ROTATION_APP_ID]
    return fixture


def service_time(value) -> datetime:
    """A service's date-time (any count of fractional digits, `Z`, or Unix seconds) in UTC."""
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, timezone.utc)
    text = value.replace("Z", "+00:00")
    if "." in text:
        head, rest = text.split(".", 1)
        digits = rest[:len(rest) - len(rest.lstrip("0123456789"))]
        text = head + "." + digits[:6].ljust(6, "0") + rest[len(digits):]
    return datetime.fromisoformat(text)


# The fault and interruption matrices run their waits at a smaller fraction, the binary's and the
# services' consistency windows alike (same proportions; their cells multiply every pause).
MATRIX_SLEEP_SCALE = 0.05


def matrix_time(emulator: Emulator, scale: float = MATRIX_SLEEP_SCALE) -> dict:
    """Sets the emulator's windows to `scale` (until its next reset); the binary's environment for
    the same scale."""
    emulator.configure(timeScale=scale)
    return {"ROTATE_CREDENTIAL_TEST_SLEEP_SCALE": str(scale)}


def task_env(emulator: Emulator, **inputs) -> dict:
    """The environment an agent would give the task, pointed at the emulator, whose CA the task
    trusts through AGENT_CAINFO (as an agent configured with --sslcacert passes it).
    Each keyword becomes INPUT_<NAME upper>; a value of None removes that variable.
    Keywords that already look like env names (INPUT_*, ENDPOINT_*, SYSTEM_*, AGENT_*, SECRET_*,
    ROTATE_CREDENTIAL_*) are taken verbatim, so identity_*() dicts can be splatted in."""
    b = emulator.base_url
    collection = f"{b}/ado/{ORG}/"
    tmp = tempfile.mkdtemp(prefix="agent-tmp-", dir=_temp_root())
    st_job_token = _job_token(emulator)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": tmp,  # whatever the binary (or a library in it) writes to $HOME stays in the test's folder
        "INPUT_AUTHORITYHOST": f"{b}/login",
        "INPUT_GRAPHURL": f"{b}/graph",
        "INPUT_AZUREDEVOPSURL": f"{b}/ado",
        "INPUT_VSSPSURL": f"{b}/vssps",
        "INPUT_KEYVAULTURL": f"{b}/kv/{VAULT}",
        "SYSTEM_COLLECTIONURI": collection,
        "SYSTEM_TEAMFOUNDATIONCOLLECTIONURI": collection,
        "SYSTEM_TEAMPROJECT": PROJECT,
        "SYSTEM_TEAMPROJECTID": PROJECT_ID,
        "SYSTEM_PLANID": PLAN_ID,
        "SYSTEM_JOBID": JOB_ID,
        "SYSTEM_HOSTTYPE": "build",
        "SYSTEM_OIDCREQUESTURI": f"{collection}{PROJECT_ID}/_apis/distributedtask/hubs/build/plans/{PLAN_ID}"
                                 f"/jobs/{JOB_ID}/oidctoken",
        "SYSTEM_ACCESSTOKEN": st_job_token,
        "ENDPOINT_URL_SYSTEMVSSCONNECTION": collection,
        "ENDPOINT_AUTH_SYSTEMVSSCONNECTION": json.dumps({"parameters": {"AccessToken": st_job_token},
                                                         "scheme": "OAuth"}),
        "ENDPOINT_AUTH_SCHEME_SYSTEMVSSCONNECTION": "OAuth",
        "ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN": st_job_token,
        "AGENT_TEMPDIRECTORY": tmp,
        "AGENT_CAINFO": emulator.ca_file,
        "AGENT_OS": "Linux",
        "BUILD_BUILDID": BUILD_ID,
        # Every pause of the binary (retry backoff, Retry-After, replication and reconcile waits)
        # takes this fraction of its real length; what happens, and in which order, stays the same.
        "ROTATE_CREDENTIAL_TEST_SLEEP_SCALE": os.environ.get("E2E_SLEEP_SCALE", SLEEP_SCALE),
    }
    for k, v in inputs.items():
        name = k if re.match(r"^(INPUT|ENDPOINT|SYSTEM|AGENT|SECRET|BUILD|ROTATE_CREDENTIAL)_", k) else \
            "INPUT_" + k.upper().replace(".", "_").replace(" ", "_")
        if v is None:
            env.pop(name, None)
        else:
            env[name] = v if isinstance(v, str) else (("true" if v else "false") if isinstance(v, bool) else str(v))
    return env


_temp_roots: list[str] = []


def _temp_root() -> str:
    """One folder per test process for every agent temp folder; removed when the process ends."""
    if not _temp_roots:
        _temp_roots.append(tempfile.mkdtemp(prefix="rotate-e2e-"))
        atexit.register(shutil.rmtree, _temp_roots[0], True)
    return _temp_roots[0]


_job_token_cache: dict[str, str] = {}


def _job_token(emulator: Emulator) -> str:
    if emulator.base_url not in _job_token_cache:
        _job_token_cache[emulator.base_url] = emulator.state()["jobAccessToken"]["token"]
    return _job_token_cache[emulator.base_url]


def identity_client_secret() -> dict:
    """rotation-automation: confidential app with a client secret."""
    return {"INPUT_TENANTID": TENANT_ID, "INPUT_CLIENTID": ROTATION_APP_ID, "INPUT_CLIENTSECRET": ROTATION_APP_SECRET}


def identity_pat_owner() -> dict:
    """rotation-bot via ROPC through the public client pat-automation-client."""
    return {"INPUT_TENANTID": TENANT_ID, "INPUT_CLIENTID": PAT_CLIENT_ID,
            "INPUT_PATOWNERUSERNAME": BOT_USER, "INPUT_PATOWNERPASSWORD": BOT_PASSWORD}


def _endpoint_env(emulator: Emulator, name: str, input_name: str) -> dict:
    ep = next(e for e in emulator.state()["endpoints"] if e["name"] == name)
    eid = ep["id"]
    auth = ep["authorization"]
    env = {f"INPUT_{input_name.upper()}": eid,
           f"ENDPOINT_URL_{eid}": ep["url"],
           f"ENDPOINT_AUTH_{eid}": json.dumps(auth),
           f"ENDPOINT_AUTH_SCHEME_{eid}": auth["scheme"],
           f"ENDPOINT_DATA_{eid}": json.dumps(ep.get("data") or {})}
    for k, v in (auth.get("parameters") or {}).items():
        if v is not None:
            env[f"ENDPOINT_AUTH_PARAMETER_{eid}_{k.upper()}"] = v
    for k, v in (ep.get("data") or {}).items():
        env[f"ENDPOINT_DATA_{eid}_{k.upper()}"] = v
    return env


def identity_wif(emulator: Emulator | None = None, endpoint: str = "rotation-wif",
                 input_name: str = "azureSubscription") -> dict:
    """The task's identity as a WorkloadIdentityFederation AzureRM connection (default: rotation-wif)."""
    return _endpoint_env(emulator or Emulator.shared(), endpoint, input_name)


def identity_spn_endpoint(emulator: Emulator | None = None, endpoint: str = "payments-prod",
                          input_name: str = "azureSubscription") -> dict:
    """A ServicePrincipal-scheme connection (with ENDPOINT_AUTH_PARAMETER_<id>_SERVICEPRINCIPALKEY)."""
    return _endpoint_env(emulator or Emulator.shared(), endpoint, input_name)


# --------------------------------------------------------------------------- running the task

def default_binary() -> str:
    return os.environ.get("ROTATE_CREDENTIAL_BINARY") or os.path.join(REPO, ".build", "debug", "rotate-credential")


_CMD_RE = re.compile(r"^##vso\[(?P<area>[A-Za-z]+)\.(?P<event>[A-Za-z]+)(?:\s+(?P<props>[^\]]*))?\](?P<data>.*)$")


def unescape_data(s: str) -> str:
    return s.replace("%0D", "\r").replace("%0A", "\n").replace("%AZP25", "%")


def unescape_prop(s: str) -> str:
    return s.replace("%0D", "\r").replace("%0A", "\n").replace("%5D", "]").replace("%3B", ";").replace("%AZP25", "%")


@dataclass
class Command:
    area: str
    event: str
    props: dict
    data: str
    line: int  # 0-based index into TaskResult.lines


@dataclass
class TaskResult:
    stdout: str
    stderr: str
    code: int
    duration: float
    env: dict = field(repr=False, default_factory=dict)
    leak_problems: list = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        return self.stdout.splitlines()

    @property
    def commands(self) -> list[Command]:
        out = []
        for i, line in enumerate(self.lines):
            m = _CMD_RE.match(line.lstrip())
            if not m:
                continue
            props = {}
            for part in (m.group("props") or "").split(";"):
                if "=" in part:
                    k, _, v = part.partition("=")
                    props[k.strip().lower()] = unescape_prop(v)
            out.append(Command(m.group("area").lower(), m.group("event").lower(), props,
                               unescape_data(m.group("data")), i))
        return out

    def _issues(self, kind: str) -> list[str]:
        return [c.data for c in self.commands if c.area == "task" and c.event == "logissue"
                and c.props.get("type") == kind]

    def errors(self) -> list[str]:
        return self._issues("error")

    def warnings(self) -> list[str]:
        return self._issues("warning")

    def outputs(self) -> dict:
        return {c.props.get("variable"): c.data for c in self.commands
                if c.area == "task" and c.event == "setvariable"}

    @property
    def result(self) -> str | None:
        done = [c for c in self.commands if c.area == "task" and c.event == "complete"]
        return done[-1].props.get("result") if done else None

    def __str__(self) -> str:
        return f"exit {self.code} in {self.duration:.1f}s\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


_leak_failures: list[str] = []


def leak_failures() -> list[str]:
    """Leak problems found by the automatic check after each run_task() (empty = all runs clean)."""
    return list(_leak_failures)


def check_all_runs_leak_free(test) -> None:
    test.assertEqual(leak_failures(), [], "secret leak(s) in end-to-end runs")


def run_task(env: dict, binary: str | None = None, timeout: float = 120,
             emulator: Emulator | None = None, args: tuple[str, ...] = ()) -> TaskResult:
    """Run the binary with exactly `env` (and `args`, none by default), capture output, then leak-check
    it against the emulator."""
    exe = binary or default_binary()
    if not os.path.exists(exe):
        raise FileNotFoundError(f"task binary not found: {exe} (build it or set ROTATE_CREDENTIAL_BINARY)")
    t0 = time.monotonic()
    try:
        p = subprocess.run([exe, *args], env=env, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
        out, err, code = p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace"), p.returncode
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace")
        err = (e.stderr or b"").decode(errors="replace") + f"\n[harness] timed out after {timeout}s"
        code = -9
    res = TaskResult(out, err, code, time.monotonic() - t0, env)
    emu = emulator or Emulator._shared
    if emu is not None and emu.proc is not None:
        try:
            state = emu.state()
            res.leak_problems = find_leaks(res, secret_values(state), extra=_env_secrets(env),
                                           files=task_files(env)) + record_problems(state)
        except Exception as exc:  # the emulator being gone is a failure too
            res.leak_problems = [f"leak check could not run: {exc!r}"]
        _leak_failures.extend(f"run #{len(_leak_failures) + 1}: {p}" for p in res.leak_problems)
    return res


def task_files(env: dict) -> list[str]:
    """Every file the task may have written for this environment: all files under
    AGENT_TEMPDIRECTORY (report, summary, anything else) and the file at INPUT_REPORTPATH."""
    out = []
    tmp = env.get("AGENT_TEMPDIRECTORY")
    if tmp and os.path.isdir(tmp):
        for root, _dirs, names in os.walk(tmp):
            out += [os.path.join(root, n) for n in names]
    report = env.get("INPUT_REPORTPATH")
    if report and os.path.isfile(report) and report not in out:
        out.append(report)
    return out


def _env_secrets(env: dict) -> list[str]:
    keys = ("INPUT_CLIENTSECRET", "INPUT_PATOWNERPASSWORD", "INPUT_PATOWNERACCESSTOKEN", "INPUT_SERVICEPRINCIPALKEY",
            "SYSTEM_ACCESSTOKEN")
    out = [env[k] for k in keys if env.get(k)]
    out += [v for k, v in env.items() if k.endswith("_SERVICEPRINCIPALKEY") or k.endswith("_ACCESSTOKEN")]
    return out


# --------------------------------------------------------------------------- leak check

def _digest(s: str) -> str:
    return hashlib.sha256(s.encode()).hexdigest()[:12]


@functools.lru_cache(maxsize=None)
def _forms(secret: str) -> tuple[list[str], list[str]]:
    """(forms the agent's masker catches once the secret is registered, base64 forms it does not)."""
    masked = {secret, secret.replace("%", "%AZP25"), urllib.parse.quote(secret, safe=""), json.dumps(secret)[1:-1]}
    b64 = {base64.b64encode(f":{secret}".encode()).decode(), base64.b64encode(secret.encode()).decode()}
    return [f for f in masked if len(f) >= 6], [f for f in b64 if len(f) >= 6]


def _registers(line: str) -> str | None:
    """If the line is a masking command, return the value it registers."""
    m = _CMD_RE.match(line.lstrip())
    if not m or m.group("area").lower() != "task":
        return None
    ev = m.group("event").lower()
    if ev == "setsecret":
        return unescape_data(m.group("data"))
    if ev == "setvariable" and re.search(r"(^|;)\s*issecret=true\s*(;|$)", m.group("props") or "", re.I):
        return unescape_data(m.group("data"))
    return None


def _read_text(path: str) -> str:
    try:
        with open(path, "rb") as f:
            return f.read().decode(errors="replace")
    except OSError:
        return ""


# What a Swift value's debug description looks like in a message: a type's full name
# ("RotateCredentialCore.PersonalAccessToken"), a type with labelled fields ("PersonalAccessToken(authorizationId: "),
# an enum case with its payload ("updateConnection(\"payments-prod\")"). A person never reads these (issue #26).
SWIFT_DEBUG_TEXT = re.compile(r"RotateCredentialCore\.|\b[A-Z][A-Za-z]*(\.[A-Z][A-Za-z]*)*\([a-z][A-Za-z]*: "
                              r"|\b[a-z]+[A-Z][A-Za-z]*\((\"|[A-Z][A-Za-z]*[.(])")


def swift_debug_lines(text: str) -> list[str]:
    """The lines of `text` that show a Swift value's debug description."""
    return [line.strip()[:300] for line in text.splitlines() if SWIFT_DEBUG_TEXT.search(line)]


# Key Vault secrets whose names start with this are the task's own records (intent, holders, lease: issue
# #26), kept beside the credential they describe. They carry ids, names and times, never a secret value.
RECORD_PREFIX = "rotate-credential-"


def _records(state: dict) -> list[tuple[str, str]]:
    """(where, value) of every version of every record in every vault."""
    return [(f"Key Vault {vault['name']}/{name}", version["value"]) for vault in state["vaults"]
            for name, versions in vault["secrets"].items() if name.lower().startswith(RECORD_PREFIX)
            for version in versions if isinstance(version.get("value"), str)]


def _credential_values(state: dict) -> set[str]:
    """Every value the emulator holds as a credential outside the records: PATs, client secrets, connection
    keys, Key Vault secrets that are not records, passwords, the job's token."""
    values = {p["token"] for p in state["pats"]}
    values |= {c["secretText"] for a in state["apps"] for c in a["passwordCredentials"]}
    for e in state["endpoints"]:
        parameters = (e.get("authorization") or {}).get("parameters") or {}
        values |= {parameters.get(k) for k in ("serviceprincipalkey", "password", "apitoken", "accessToken", "key")}
    values |= {version["value"] for vault in state["vaults"] for name, versions in vault["secrets"].items()
               if not name.lower().startswith(RECORD_PREFIX) for version in versions}
    values |= {u.get("password") for u in state["users"]} | {state["jobAccessToken"].get("token")}
    return {v for v in values if isinstance(v, str)}


def secret_values(state: dict) -> list[str]:
    """The emulator's issued secrets, less the values of the task's records (which are not secrets: a
    record that contains a secret is reported by record_problems) unless the value is also a credential."""
    only_records = {value for _, value in _records(state)} - _credential_values(state)
    return [s for s in state["issuedSecrets"] if s not in only_records]


def record_problems(state: dict) -> list[str]:
    """The task's records in Key Vault (RECORD_PREFIX) hold no secret value, in any encoding."""
    secrets = [s for s in dict.fromkeys(secret_values(state)) if isinstance(s, str) and len(s) >= 6]
    problems = []
    for where, value in _records(state):
        for secret in secrets:
            masked, b64 = _forms(secret)
            if any(f in value for f in masked + b64):
                problems.append(f"{where}: a record holds a secret (sha256:{_digest(secret)})")
    return problems


def find_leaks(result: TaskResult, secrets: list[str], extra: list[str] = (), files: list[str] = ()) -> list[str]:
    """A secret (or its %AZP25-, URL-, JSON- or base64-encoded form) may appear in the task's output
    only on a line that registers it with the masker: `##vso[task.setsecret]<value>` or
    `##vso[task.setvariable ...;issecret=true;...]<value>`.  Any other line showing it, on stdout
    or stderr, is a leak (so it is also impossible to show it before registering it).  In the files
    the task wrote (`files`: report, summary) no line may show it at all.
    Messages carry line numbers and a hash of the secret, never the secret."""
    problems = []
    forms = {secret: _forms(secret) for secret in dict.fromkeys([*secrets, *extra])
             if isinstance(secret, str) and len(secret) >= 6}
    streams = [("stdout", result.stdout), ("stderr", result.stderr)]
    streams += [(f"file {os.path.basename(p)}", _read_text(p)) for p in files]
    for stream, text in streams:
        # Only the forms that occur in the stream at all are looked for line by line.
        present = {secret: found for secret, (masked, b64) in forms.items()
                   if (found := [f for f in masked + b64 if f in text])}
        for i, line in enumerate(text.splitlines() if present else []):
            registered = _registers(line) if stream == "stdout" else None
            for secret, found in present.items():
                hit = next((f for f in found if f in line), None)
                if hit is None:
                    continue
                if registered is not None and hit in registered:
                    continue
                what = "base64 form of a secret" if hit in forms[secret][1] else "a secret"
                problems.append(f"{stream} line {i + 1}: {what} (sha256:{_digest(secret)}) outside a "
                                "setsecret/issecret line")
    return problems


def assert_no_leak(test, result: TaskResult, emulator: Emulator) -> None:
    state = emulator.state()
    problems = find_leaks(result, secret_values(state), extra=_env_secrets(result.env),
                          files=task_files(result.env)) + record_problems(state)
    test.assertEqual(problems, [], "secret leak in task output")
