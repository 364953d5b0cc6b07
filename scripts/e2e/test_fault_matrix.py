"""Runs the fault matrix (see fault_matrix.py) for every rotating action and prints how many
cells hold. Set FAULT_MATRIX_SCENARIOS=pat-rotate,app-secret-rotate to run some scenarios only."""
import os
import sys
import unittest
from typing import Callable

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fault_matrix  # noqa: E402
import harness  # noqa: E402
from fault_matrix import Scenario, app_subject, federation_subject, pat_subject  # noqa: E402
from pat_owner_support import seed_session, session_inputs  # noqa: E402

PAT_NAME = "ci-feed-reader"
PAT_SECRET = "pat-ci-feed-reader"
APP_SECRET = "payments-prod-secret"


def pat_inputs(action, **extra):
    return lambda emulator: dict(action=action, tokenDisplayNames=PAT_NAME, keyVaultName="kv-rotation",
                                 **harness.identity_pat_owner(), **extra)


def is_session_call(request):
    """The session's own calls (the job's OIDC token, sign-ins, the session secret); the rest are
    pat-rotate's, faulted in that scenario."""
    return "/oidctoken" in request["path"] or "/oauth2/" in request["path"] or "pat-owner-session" in request["path"]


def session_pat_inputs(action):
    """The PAT owner from the session in Key Vault (#15): every cell also proves that a fault while
    renewing or storing it leaves a session the re-run can use."""
    return lambda emulator: dict(action=action, tokenDisplayNames=PAT_NAME, keyVaultName="kv-rotation",
                                 **session_inputs(emulator))


def app_inputs(action, **extra):
    return lambda emulator: dict(action=action, applicationId=harness.PAYMENTS_APP_ID, keyVaultName="kv-rotation",
                                 secretName=APP_SECRET, azureDevOpsIdentity="azureSubscription",
                                 **harness.identity_client_secret(), **extra)


def after(action_inputs, hours):
    """Setup: a clean run of another action (phase one), then time passes."""
    def setup(emulator):
        result = harness.run_task(harness.task_env(
            emulator, ROTATE_CREDENTIAL_TEST_SLEEP_SCALE=str(fault_matrix.SLEEP_SCALE), **action_inputs(emulator)))
        if result.code != 0:
            raise AssertionError(f"setup run failed:\n{result}")
        emulator.advance_hours(hours)
    return setup


def world(fixture: dict, then: Callable[[harness.Emulator], None] = lambda emulator: None):
    """Setup: the emulator reset to `fixture` (and to the matrix's time scale, which a reset clears),
    then `then`."""
    def setup(emulator):
        emulator.reset(fixture)
        harness.matrix_time(emulator, fault_matrix.SLEEP_SCALE)
        then(emulator)
    return setup


# payments-prod the only holder of payments-deployer's secret, so a replaced one goes.
PAYMENTS_PROD_ALONE = harness.payments_prod_alone(harness.default_fixture())


SCENARIOS = [
    Scenario("pat-rotate", pat_inputs("pat-rotate"), pat_subject(PAT_NAME, PAT_SECRET)),
    Scenario("pat-create", pat_inputs("pat-create"), pat_subject(PAT_NAME, PAT_SECRET)),
    Scenario("pat-revoke", pat_inputs("pat-revoke"), pat_subject(PAT_NAME, PAT_SECRET),
             setup=after(pat_inputs("pat-create"), 25)),
    Scenario("pat-renew", pat_inputs("pat-renew"), pat_subject(PAT_NAME, PAT_SECRET)),
    Scenario("pat-rotate-session", session_pat_inputs("pat-rotate"), pat_subject(PAT_NAME, PAT_SECRET),
             setup=seed_session, faulted=is_session_call),
    # With graceHours 0 and payments-prod the secret's only holder, the run also removes the old secret.
    Scenario("app-secret-rotate", app_inputs("app-secret-rotate", serviceConnections="payments-prod", graceHours="0"),
             app_subject(harness.PAYMENTS_APP_ID, APP_SECRET, ["payments-prod"]),
             setup=world(PAYMENTS_PROD_ALONE)),
    Scenario("app-secret-create", app_inputs("app-secret-create"),
             app_subject(harness.PAYMENTS_APP_ID, APP_SECRET, [])),
    Scenario("app-secret-revoke", app_inputs("app-secret-revoke", serviceConnections="payments-prod"),
             app_subject(harness.PAYMENTS_APP_ID, APP_SECRET, ["payments-prod"]),
             setup=world(PAYMENTS_PROD_ALONE, after(app_inputs("app-secret-create", serviceConnections="payments-prod"), 25))),
    Scenario("service-connection-update", app_inputs("service-connection-update", serviceConnections="payments-prod"),
             app_subject(harness.PAYMENTS_APP_ID, APP_SECRET, ["payments-prod"])),
    Scenario("service-connection-convert",
             lambda emulator: dict(action="service-connection-convert", serviceConnections="payments-prod",
                                   azureDevOpsIdentity="azureSubscription", keyVaultUrl=None,
                                   **harness.identity_client_secret()),
             federation_subject(harness.PAYMENTS_APP_ID, ["payments-prod"])),
    # other-team is its application's only holder: after the conversion its secret goes (graceHours 0).
    Scenario("service-connection-convert-remove-secret",
             lambda emulator: dict(action="service-connection-convert", serviceConnections="other-team",
                                   removeSecretAfterConversion="true", graceHours="0",
                                   azureDevOpsIdentity="azureSubscription",  # the harness's vault: the record
                                   **harness.identity_client_secret()),
             federation_subject(harness.OTHER_APP_ID, ["other-team"]),
             setup=world(harness.owned_by_the_task(harness.default_fixture(), harness.OTHER_APP_ID))),
]


# Each scenario's calls are split into this many tests (every PARTS-th call), so the parallel
# runner (run_parallel.py) spreads one scenario over several workers.
PARTS = 4


class FaultMatrixTest(unittest.TestCase):
    """Tests test_<scenario>_<k>: the cells of every PARTS-th call of a scenario, from call k."""

    e2e_weight = 30  # seconds, roughly: the parallel runner starts the slowest tests first

    def run_scenario(self, scenario: Scenario, part: int):
        wanted = {s for s in os.environ.get("FAULT_MATRIX_SCENARIOS", "").split(",") if s}
        if wanted and scenario.name not in wanted:
            self.skipTest("not in FAULT_MATRIX_SCENARIOS")
        results = fault_matrix.Matrix(harness.Emulator.shared(), scenario).run(part=part, parts=PARTS)
        held = sum(c.holds for c in results)
        print(f"\nfault matrix, {scenario.name} (part {part + 1} of {PARTS}): {len(results)} cells, {held} hold", flush=True)
        failures = [f"{c.call} x {c.fault}: " + "; ".join(c.problems) for c in results if not c.holds]
        for failure in failures:
            print(f"  FAIL {failure}", flush=True)
        self.assertEqual(held, len(results), f"{scenario.name}: {len(results) - held} cells do not hold:\n"
                         + "\n".join(failures))


def _scenario_test(scenario: Scenario, part: int):
    def test(self):
        self.run_scenario(scenario, part)
    test.__doc__ = f"Every fault on every {PARTS}th call of {scenario.name}, from call {part + 1}."
    # seconds, roughly (a clean clone has no measured times): the client secrets' proof makes theirs slowest
    test.e2e_weight = {"app-secret-rotate": 80, "app-secret-create": 45}.get(scenario.name, 30)
    return test


for _scenario in SCENARIOS:
    for _part in range(PARTS):
        setattr(FaultMatrixTest, f"test_{_scenario.name.replace('-', '_')}_{_part + 1}", _scenario_test(_scenario, _part))


if __name__ == "__main__":
    unittest.main()
