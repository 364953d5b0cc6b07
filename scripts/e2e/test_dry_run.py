"""Dry runs (#25): the whole plan through every round, and an access check that asks the services,
without changing anything, whether each planned change would be allowed."""

import unittest

from harness import default_fixture, PAT_CLIENT_ID, ROTATION_APP_ID, Emulator, identity_pat_owner, run_task, task_env
from app_secret_support import app_env

OLD_SECRET = "dddddddd-0002-4000-8000-000000000002"
CI_FEED_READER = "ffffffff-0001-4000-8000-000000000001"


def world(emu: Emulator) -> dict:
    """What a dry run must leave as it was: credentials, connections, vaults and tokens."""
    state = emu.state()
    return {
        "apps": {a["appId"]: sorted(p["keyId"] for p in a["passwordCredentials"]) for a in state["apps"]},
        "endpoints": state["endpoints"],
        "vaults": state["vaults"],
        "pats": [(p["authorizationId"], p["revoked"], p["validTo"]) for p in state["pats"]],
    }


def planned(result) -> list[str]:
    """The changes the dry run lists, in order."""
    return [line for line in result.lines if line.startswith("[dry run] would ")]


def position(lines: list[str], *parts: str) -> int:
    """The index of the first line that contains every part."""
    return next(i for i, line in enumerate(lines) if all(part in line for part in parts))


class DryRunPlanTest(unittest.TestCase):
    """The dry run lists every change a run would make, in order, through all its rounds."""

    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator.shared()

    def setUp(self):
        self.emu.reset()

    def test_app_secret_rotate_lists_add_store_each_connection_write_and_each_removal(self):
        before = world(self.emu)
        res = run_task(app_env(self.emu, "app-secret-rotate", dryRun=True,
                               serviceConnections="payments-prod\npayments-auto", convertAutomaticConnections=True))
        self.assertEqual(res.code, 0, str(res))
        lines = planned(res)
        add = position(lines, "Add a client secret", "payments-deployer")
        store = position(lines, "Store the new secret in Key Vault secret 'payments-prod-secret'")
        write = position(lines, "Give service connection(s)", "'payments-prod'", "'payments-auto'")
        remove = position(lines, "Remove client secret keyId " + OLD_SECRET)
        self.assertEqual(sorted([add, store, write, remove]), [add, store, write, remove], lines)
        self.assertEqual(len(lines), 4, lines)
        self.assertEqual(res.outputs().get("changed"), "false")
        self.assertEqual(world(self.emu), before)

    def test_pat_rotate_lists_create_store_and_revoke(self):
        before = world(self.emu)
        res = run_task(task_env(self.emu, action="pat-rotate", tokenDisplayNames="ci-feed-reader",
                                secretName="ci-feed-reader-pat", dryRun=True, **identity_pat_owner()))
        self.assertEqual(res.code, 0, str(res))
        lines = planned(res)
        create = position(lines, "create a replacement for PAT 'ci-feed-reader'")
        store = position(lines, "store the new value of PAT 'ci-feed-reader' in Key Vault secret 'ci-feed-reader-pat'")
        revoke = position(lines, f"revoke PAT 'ci-feed-reader' ({CI_FEED_READER})")
        self.assertEqual([create, store, revoke], [0, 1, 2], lines)
        self.assertEqual(len(lines), 3, lines)
        self.assertEqual(res.outputs().get("changed"), "false")
        self.assertEqual(world(self.emu), before)


def fixture(endpoint: dict | None = None, job: dict | None = None, app: tuple[str, dict] | None = None) -> dict:
    """The default fixture with keys of payments-prod, the job token or an app replaced."""
    fx = default_fixture()
    next(e for e in fx["endpoints"] if e["name"] == "payments-prod").update(endpoint or {})
    fx["jobAccessToken"].update(job or {})
    if app:
        next(a for a in fx["apps"] if a["appId"] == app[0]).update(app[1])
    return fx


class DryRunAccessTest(unittest.TestCase):
    """After the plan, the dry run asks the services whether each planned change would be allowed,
    and exits 1 naming what is missing when one would be refused; it never changes anything."""

    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator.shared()

    def setUp(self):
        self.emu.reset()

    def rotate_with_the_build_service(self):
        return run_task(app_env(self.emu, "app-secret-rotate", dryRun=True, serviceConnections="payments-prod",
                                azureDevOpsIdentity="systemAccessToken"))

    def test_build_service_without_the_administrator_role_is_named_and_nothing_changes(self):
        before = world(self.emu)
        res = self.rotate_with_the_build_service()
        self.assertEqual((res.code, res.result), (1, "Failed"), str(res))
        self.assertEqual(len(res.errors()), 1, res.errors())
        error = res.errors()[0]
        for part in ("Service connection 'payments-prod'", "'Platform Build Service (contoso)'", "no role of its own",
                     "needs the Administrator role", "G7"):
            self.assertIn(part, error)
        self.assertIn("would be refused", res.stdout)
        self.assertEqual(len(planned(res)), 3, planned(res))  # the plan is still shown whole
        self.assertEqual(res.outputs().get("changed"), "false")
        summary = next(c.data for c in res.commands if c.area == "task" and c.event == "uploadsummary")
        with open(summary, encoding="utf-8") as f:
            text = f.read()
        self.assertIn("### Access check (dry run)", text)
        self.assertIn("  - planned: Give service connection(s) 'payments-prod' the secret", text)
        self.assertEqual(world(self.emu), before)
        asked = [r["path"] for r in self.emu.requests() if r["method"] != "GET" and "/_apis/" in r["path"]]
        self.assertEqual(asked, [], "the access check changed something")

    def test_a_reader_build_service_is_named_with_its_role(self):
        self.emu.reset(fixture(endpoint={"roleAssignments": [{"identity": "build-service", "role": "Reader"}]}))
        res = self.rotate_with_the_build_service()
        self.assertEqual(res.code, 1, str(res))
        self.assertIn("has the role Reader on it", res.errors()[0])

    def test_an_administrator_build_service_passes(self):
        self.emu.reset(fixture(endpoint={"roleAssignments": [{"identity": "build-service", "role": "Administrator"}]}))
        res = self.rotate_with_the_build_service()
        self.assertEqual((res.code, res.errors()), (0, []), str(res))
        self.assertIn("Service connection 'payments-prod' (project Platform): allowed: "
                      "'Platform Build Service (contoso)' is an Administrator of it.", res.stdout)

    def test_the_collection_build_service_with_the_organization_level_role_passes(self):
        self.emu.reset(fixture(job={"scope": "collection"}, endpoint={"roleAssignments": [
            {"identity": "build-service", "role": "Administrator", "scope": "collection"}]}))
        res = self.rotate_with_the_build_service()
        self.assertEqual((res.code, res.errors()), (0, []), str(res))
        self.assertIn("'Project Collection Build Service (contoso)' is an Administrator of it at organization level",
                      res.stdout)

    def test_an_identity_that_may_not_change_the_application_is_refused(self):
        # It may read every application (so the dry run sees the plan) but holds no permission to change one.
        self.emu.reset(fixture(app=(ROTATION_APP_ID, {"roles": ["Application.Read.All"]})))
        before = world(self.emu)
        res = run_task(app_env(self.emu, "app-secret-rotate", dryRun=True))
        self.assertEqual(res.code, 1, str(res))
        self.assertEqual(len(res.errors()), 1, res.errors())
        self.assertIn("Application 'payments-deployer'", res.errors()[0])
        self.assertIn("neither Application.ReadWrite.OwnedBy nor Application.ReadWrite.All", res.errors()[0])
        self.assertIn("G6", res.errors()[0])
        self.assertEqual(world(self.emu), before)

    def test_a_pat_client_that_may_only_read_tokens_is_refused(self):
        self.emu.reset(fixture(app=(PAT_CLIENT_ID, {"adoScopes": ["vso.pats"]})))
        res = run_task(task_env(self.emu, action="pat-rotate", tokenDisplayNames="ci-feed-reader",
                                secretName="ci-feed-reader-pat", dryRun=True, **identity_pat_owner()))
        self.assertEqual(res.code, 1, str(res))
        self.assertEqual(len(res.errors()), 1, res.errors())
        self.assertIn("carries vso.pats (reading PATs only)", res.errors()[0])
        self.assertIn("vso.pats_manage", res.errors()[0])


if __name__ == "__main__":
    unittest.main()
