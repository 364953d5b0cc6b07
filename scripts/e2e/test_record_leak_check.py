"""The leak check and the task's records in Key Vault (issue #26): a record (a secret named
rotate-credential-…) is not a secret, so the log may show what it says; it must never hold a secret."""

import unittest

from harness import TaskResult, find_leaks, record_problems, secret_values

PAT = "patvalue0123456789abcdefghijklmnopqrstuvwxyz0123456"
RECORD = '{"intent":null,"holders":[{"connection":"eeeeeeee-0001"}],"lease":{"run":"4242"}}'


def state(record_value: str) -> dict:
    return {"pats": [{"token": PAT}], "apps": [], "endpoints": [], "users": [], "jobAccessToken": {},
            "issuedSecrets": [PAT, record_value],
            "vaults": [{"name": "kv", "secrets": {
                "pat-ci": [{"value": PAT}], "rotate-credential-pat-ci": [{"value": record_value}]}}]}


class RecordLeakCheckTest(unittest.TestCase):
    def test_a_record_is_not_a_secret(self):
        self.assertEqual(secret_values(state(RECORD)), [PAT])
        self.assertEqual(record_problems(state(RECORD)), [])
        shown = TaskResult(f"record: {RECORD}\n", "", 0, 0.0)
        self.assertEqual(find_leaks(shown, secret_values(state(RECORD))), [])

    def test_a_record_that_holds_a_secret_is_reported(self):
        for value in (RECORD.replace("4242", PAT), PAT):
            problems = record_problems(state(value))
            self.assertEqual(len(problems), 1, value)
            self.assertIn("rotate-credential-pat-ci", problems[0])
            self.assertNotIn(PAT, problems[0])


if __name__ == "__main__":
    unittest.main()
