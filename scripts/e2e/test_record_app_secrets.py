"""Record, don't infer (issue #26), for client secrets, end to end through the binary against the emulator.

2. A neighbour's secret: app-secret-rotate lists prod-arm; legacy-arm, another secret-based connection of
   the same application (same project; another project; a project on the second page of the organization's
   projects), still holds the original secret: the second rotation keeps it, exits 0 and names legacy-arm
   and the fix.
3. Two-phase: app-secret-create stores a new secret but one connection's write is refused (403, that run); the
   later app-secret-revoke keeps the old secret that connection still uses, and names it.
4. Twelve connections with names of about 30 characters share the application: one run gives all of them
   the new secret (exit 0), each written once; the next run changes nothing."""

from __future__ import annotations

import json
import unittest

from harness import ORG, Emulator, check_all_runs_leak_free, matrix_time, run_task
from app_secret_support import app, app_env, endpoint, token_works
from record_support import (APP_SECRET, PAYMENTS_CURRENT, arm_connection, debug_text, held_value,
                            payments_current_secret, payments_world, writes)

ADO_SCOPE = "499b84ac-1321-427f-aa17-267ca6975798/.default"
OPS = {"name": "Ops", "id": "44444444-4444-4444-4444-444444444444"}
PROD_ARM = "eeeeeeee-0011-4000-8000-000000000011"
LEGACY_ARM = "eeeeeeee-0012-4000-8000-000000000012"
VALIDITY_DAYS = 30  # the default validityDays: a new secret is due with renewWithinDays 31
REGIONS = ["westeurope", "northeurope", "eastus2", "westus3", "centralus", "uksouth", "francecentral",
           "swedencentral", "japaneast", "australiaeast", "canadacentral", "southafricanorth"]


class RecordAppSecretTestCase(unittest.TestCase):
    e2e_weight = 8  # seconds, roughly: the parallel runner starts the slowest tests first
    def setUp(self):
        self.emu = Emulator.shared()

    def start(self, fixture: dict) -> None:
        self.fixture = fixture
        self.emu.reset(fixture)
        self.scale = matrix_time(self.emu)

    def run_app(self, action: str, **inputs):
        res = run_task(app_env(self.emu, action, **{**self.scale, **inputs}))
        self.assertEqual(debug_text(res), [], f"{action}: a Swift value's debug text is shown")
        return res

    def key_ids(self) -> set[str]:
        return {p["keyId"] for p in app(self.emu)["passwordCredentials"]}

    def holds(self, connection: str) -> str | None:
        return endpoint(self.emu, connection)["authorization"]["parameters"].get("serviceprincipalkey")

    def messages(self, res) -> str:
        return "\n".join(res.warnings() + res.errors())


class NeighbourSecretTest(RecordAppSecretTestCase):
    """Case 2: legacy-arm, a connection the task never wrote, holds the original secret."""

    def world(self, legacy_project: dict | None = None, projects: list[dict] = ()) -> dict:
        fx = payments_world(drop_old_secret=True)
        fx["organization"]["projects"] += list(projects)
        original = payments_current_secret(fx)
        arm_connection(fx, "prod-arm", PROD_ARM, original)
        arm_connection(fx, "legacy-arm", LEGACY_ARM, original, project=legacy_project)
        return fx

    def rotate_twice_keeps_the_neighbours_secret(self, fixture: dict) -> None:
        self.start(fixture)
        original = payments_current_secret(fixture)
        first = self.run_app("app-secret-rotate", serviceConnections="prod-arm")
        self.assertEqual(first.code, 0, str(first))
        self.assertNotEqual(held_value(self.emu, APP_SECRET), original)
        self.assertEqual(self.holds("prod-arm"), held_value(self.emu, APP_SECRET))

        # Due again; graceHours 0: retention alone (keepSecrets 2) would remove the original secret now.
        second = self.run_app("app-secret-rotate", serviceConnections="prod-arm", renewWithinDays=VALIDITY_DAYS + 1,
                              graceHours=0)
        self.assertEqual(second.code, 0, str(second))
        self.assertEqual(self.holds("prod-arm"), held_value(self.emu, APP_SECRET))
        self.assertEqual(self.holds("legacy-arm"), original)
        self.assertIn(PAYMENTS_CURRENT, self.key_ids(), "legacy-arm's secret stays")
        self.assertTrue(token_works(self.emu, original), "legacy-arm's pipelines still sign in")
        warning = next((w for w in second.warnings() if "legacy-arm" in w), None)
        self.assertIsNotNone(warning, f"legacy-arm is named in a warning: {second.warnings()}")
        self.assertIn("serviceConnections", warning, "the fix: list it in serviceConnections")
        self.assertIn("convert", warning.lower(), "or convert it")

    def test_same_project(self):
        self.rotate_twice_keeps_the_neighbours_secret(self.world())

    def test_another_project(self):
        self.rotate_twice_keeps_the_neighbours_secret(self.world(OPS, [OPS]))

    def test_a_project_on_the_second_page(self):
        projects = [{"name": f"Team-{n:03d}", "id": f"44444444-0000-4000-8000-{n:012d}"} for n in range(1, 106)]
        fixture = self.world(projects[-2], projects)
        self.start(fixture)
        if not self.projects_are_paged(len(fixture["organization"]["projects"])):
            self.skipTest("the emulator answers every project on one page (Core - Projects - List paging, "
                          "x-ms-continuationtoken, is not modelled yet: issue #23)")
        self.rotate_twice_keeps_the_neighbours_secret(fixture)

    def projects_are_paged(self, count: int) -> bool:
        status, headers, raw = self.emu.request(
            "GET", f"/ado/{ORG}/_apis/projects?api-version=7.1",
            headers={"Authorization": f"Bearer {self.emu.token(ADO_SCOPE)}"})
        self.assertEqual(status, 200, raw[:300])
        continuation = {k.lower(): v for k, v in headers.items()}.get("x-ms-continuationtoken")
        return bool(continuation) or len(json.loads(raw)["value"]) < count


class ConnectionBehindTest(RecordAppSecretTestCase):
    """Case 3: two-phase rotation while one connection refuses its write once."""

    def test_revoke_keeps_what_a_connection_behind_holds(self):
        fixture = payments_world(drop_connections=("payments-auto",))
        self.start(fixture)
        original = payments_current_secret(fixture)
        # Refused for this run (a retry inside the run is refused too), allowed again afterwards.
        self.emu.add_fault(method="PUT", path=r"/serviceendpoint/endpoints/eeeeeeee-0001-4000-8000-000000000001",
                           status=403, times=-1, body={"message": "Access denied", "typeKey": "AccessCheckException"})
        create = self.run_app("app-secret-create", serviceConnections="payments-prod")
        self.emu.clear_faults()
        self.assertEqual(create.code, 1, str(create))
        self.assertNotEqual(held_value(self.emu, APP_SECRET), original, "the new secret is stored")
        self.assertEqual(self.holds("payments-prod"), original, "payments-prod is behind")

        # graceHours 0: retention alone (keepSecrets 1) would remove every secret but Key Vault's now.
        revoke = self.run_app("app-secret-revoke", serviceConnections="payments-prod", keepSecrets=1, graceHours=0)
        self.assertIn(PAYMENTS_CURRENT, self.key_ids(), f"the secret payments-prod holds stays:\n{revoke}")
        self.assertTrue(token_works(self.emu, self.holds("payments-prod")), "payments-prod still signs in")
        self.assertIn("payments-prod", self.messages(revoke), "the connection behind is named")

        # Once the connection is brought up to date, nobody holds the old secret any more: it goes.
        catch_up = self.run_app("app-secret-create", serviceConnections="payments-prod")
        self.assertEqual(catch_up.code, 0, str(catch_up))
        self.assertEqual(self.holds("payments-prod"), held_value(self.emu, APP_SECRET))
        done = self.run_app("app-secret-revoke", serviceConnections="payments-prod", keepSecrets=1, graceHours=0)
        self.assertEqual(done.code, 0, str(done))
        self.assertNotIn(PAYMENTS_CURRENT, self.key_ids(), "nobody holds the old secret any more")
        self.assertTrue(token_works(self.emu, self.holds("payments-prod")))


class ManyConnectionsTest(RecordAppSecretTestCase):
    """Case 4: twelve connections of about 30 characters each share the application."""

    def test_twelve_long_named_connections_converge_in_one_run(self):
        fixture = payments_world()
        original = payments_current_secret(fixture)
        names = {}
        for n, region in enumerate(REGIONS, 1):
            name = f"payments-{region}-deployer-{n:02d}"  # 28 to 37 characters
            names[name] = f"eeeeeeee-01{n:02d}-4000-8000-0000000001{n:02d}"
            arm_connection(fixture, name, names[name], original)
        self.start(fixture)
        self.emu.clear_requests()
        res = self.run_app("app-secret-rotate", serviceConnections="\n".join(names))
        self.assertEqual(res.code, 0, str(res))
        value = held_value(self.emu, APP_SECRET)
        self.assertNotEqual(value, original)
        self.assertEqual({n: self.holds(n) == value for n in names}, {n: True for n in names},
                         "every connection holds Key Vault's current value")
        puts = [r["path"].rsplit("/", 1)[-1] for r in self.emu.requests()
                if r["method"] == "PUT" and "/serviceendpoint/endpoints/" in r["path"] and r["status"] == 200]
        self.assertEqual(sorted(puts), sorted(names.values()), "each connection is written exactly once")

        self.emu.clear_requests()
        again = self.run_app("app-secret-rotate", serviceConnections="\n".join(names))
        self.assertEqual((again.code, writes(self.emu)), (0, []), str(again))

    def test_no_leaks(self):
        check_all_runs_leak_free(self)


if __name__ == "__main__":
    unittest.main()
