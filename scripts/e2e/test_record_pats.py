"""Record, don't infer (issue #26), for PATs, end to end through the binary against the emulator.

1. A person's token: a PAT made by hand with the display name of a family the task manages, after a
   rotation, is never revoked (pat-rotate, also when the held token is due and replaced; pat-create;
   pat-revoke) and is named as not managed by the task in the log, the summary and the report.
5. A due token and seven older live tokens of the same name: one run converges (exit 0, every superseded
   token revoked in that run), the next changes nothing, and nothing shows a Swift value's debug text."""

from __future__ import annotations

import unittest

from harness import BOT_USER, Emulator, check_all_runs_leak_free, identity_pat_owner, matrix_time, run_task, task_env
from record_support import (CI, CI_NAME, debug_text, hand_made_pat, held_pat, later, live_ids,
                            managed_pat_world, not_managed_places, pats, writes)

VALIDITY_DAYS = 30  # the default validityDays: a new token is due with renewWithinDays 31


class RecordPatTestCase(unittest.TestCase):
    def setUp(self):
        self.emu = Emulator.shared()

    def start(self, fixture: dict) -> None:
        self.emu.reset(fixture)
        self.scale = matrix_time(self.emu)

    def run_pat(self, action: str, **inputs):
        res = run_task(task_env(self.emu, action=action, tokenDisplayNames=CI_NAME,
                                **{**identity_pat_owner(), **self.scale, **inputs}))
        self.assertEqual(debug_text(res), [], f"{action}: a Swift value's debug text is shown")
        return res

    def assert_named_not_managed(self, res, ident: str) -> None:
        self.assertEqual(not_managed_places(res, ident), ["log", "summary", "report"],
                         f"{ident} must be named as not managed by the task in the log, summary and report:\n{res}")

    def held_id(self) -> str:
        held = held_pat(self.emu)
        self.assertIsNotNone(held, "Key Vault holds a token of the family")
        return held["authorizationId"]


class PersonsTokenTest(RecordPatTestCase):
    """Case 1: a token a person made by hand, with the family's display name, after a rotation."""

    def rotate_then_make_by_hand(self) -> tuple[str, dict]:
        self.start(managed_pat_world())
        first = self.run_pat("pat-rotate")
        self.assertEqual(first.code, 0, str(first))
        rotated = self.held_id()
        self.assertNotEqual(rotated, CI)
        later(self.emu, 2)  # a person acts two hours later, well apart from the run's own create
        return rotated, hand_made_pat(self.emu)

    def test_survives_pat_rotate_also_when_the_held_token_is_replaced(self):
        rotated, by_hand = self.rotate_then_make_by_hand()
        mine = by_hand["authorizationId"]

        not_due = self.run_pat("pat-rotate")
        self.assertEqual(not_due.code, 0, str(not_due))
        self.assertEqual(live_ids(self.emu), {rotated, mine}, "the hand-made token stays live")
        self.assertEqual(self.held_id(), rotated, "Key Vault still holds the task's token")
        self.assert_named_not_managed(not_due, mine)

        # The held token is due and replaced: the hand-made one, now older than the new held token, is not
        # a superseded token of the task.
        due = self.run_pat("pat-rotate", renewWithinDays=VALIDITY_DAYS + 1)
        self.assertEqual(due.code, 0, str(due))
        replacement = self.held_id()
        self.assertNotIn(replacement, (rotated, mine))
        self.assertEqual(live_ids(self.emu), {replacement, mine}, "the task's old token revoked, the hand-made kept")
        self.assert_named_not_managed(due, mine)

        self.emu.clear_requests()
        again = self.run_pat("pat-rotate", renewWithinDays=7)
        self.assertEqual((again.code, writes(self.emu)), (0, []), str(again))
        self.assertIn(mine, live_ids(self.emu))

    def test_survives_pat_revoke_and_pat_create(self):
        rotated, by_hand = self.rotate_then_make_by_hand()
        mine = by_hand["authorizationId"]

        # Within graceHours and past it (graceHours 0): newer than the held token, made outside any run of
        # the task, so not the task's to revoke.
        for grace in (24, 0):
            revoke = self.run_pat("pat-revoke", graceHours=grace)
            self.assertEqual(revoke.code, 0, str(revoke))
            self.assertEqual(live_ids(self.emu), {rotated, mine}, f"graceHours {grace}: nothing is revoked")
            self.assert_named_not_managed(revoke, mine)

        # pat-create does not take the hand-made token for its pending replacement: it creates and stores one.
        create = self.run_pat("pat-create", renewWithinDays=VALIDITY_DAYS + 1)
        self.assertEqual(create.code, 0, str(create))
        replacement = self.held_id()
        self.assertNotIn(replacement, (rotated, mine))
        self.assertEqual(live_ids(self.emu), {rotated, mine, replacement})

        revoke = self.run_pat("pat-revoke", graceHours=0)
        self.assertEqual(revoke.code, 0, str(revoke))
        self.assertEqual(live_ids(self.emu), {replacement, mine},
                         "the task's superseded token goes, the hand-made one stays")
        self.assert_named_not_managed(revoke, mine)


class SupersededTokensTest(RecordPatTestCase):
    """Case 5: a due token and seven older live tokens of the same display name."""

    def test_seven_leftovers_converge_in_one_run(self):
        older = [{"authorizationId": f"ffffffff-01{n:02d}-4000-8000-0000000001{n:02d}", "owner": BOT_USER,
                  "displayName": CI_NAME, "scope": "vso.packaging", "validFrom": f"-{28 + n}d",
                  "validTo": f"+{10 + n}d"}
                 for n in range(1, 8)]
        self.start(managed_pat_world(older))
        self.assertEqual(len(live_ids(self.emu)), 8)

        res = self.run_pat("pat-rotate")
        self.assertEqual(res.code, 0, str(res))
        replacement = self.held_id()
        self.assertEqual(live_ids(self.emu), {replacement}, "every superseded token is revoked in the one run")
        revoked = {p["authorizationId"] for p in pats(self.emu, live_only=False) if p["revoked"]}
        self.assertEqual(revoked, {CI} | {p["authorizationId"] for p in older})

        self.emu.clear_requests()
        again = self.run_pat("pat-rotate")
        self.assertEqual((again.code, writes(self.emu)), (0, []), str(again))

    def test_no_leaks(self):
        check_all_runs_leak_free(self)


if __name__ == "__main__":
    unittest.main()
