"""Dry runs (#25): the whole plan through every round, and an access check that asks the services,
without changing anything, whether each planned change would be allowed."""

import unittest

import harness
from harness import Emulator, identity_pat_owner, run_task, task_env
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


if __name__ == "__main__":
    unittest.main()
