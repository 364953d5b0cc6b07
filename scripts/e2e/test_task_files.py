"""Files the task writes (JSON report, Markdown summary) are owner-only and hold no secret."""
import glob
import os
import stat
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


class TaskFilesTest(unittest.TestCase):
    def setUp(self):
        self.emulator = harness.Emulator.shared()
        self.emulator.reset()

    def assert_private_and_clean(self, directory):
        files = [p for p in glob.glob(os.path.join(directory, "**", "*"), recursive=True) if os.path.isfile(p)]
        self.assertTrue(files, "the task wrote no file")
        secrets = [s for s in harness.secret_values(self.emulator.state()) if len(s) >= 6]
        for path in files:
            mode = stat.S_IMODE(os.stat(path).st_mode)
            self.assertEqual(mode & 0o077, 0, f"{os.path.basename(path)} is readable by others ({oct(mode)})")
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
            leaked = [harness._digest(s) for s in secrets if s in text]
            self.assertEqual(leaked, [], f"{os.path.basename(path)} contains secrets")

    def test_pat_rotate_files(self):
        env = harness.task_env(self.emulator, action="pat-rotate", tokenDisplayNames="ci-feed-reader",
                               keyVaultName="kv-rotation", **harness.identity_pat_owner())
        result = harness.run_task(env)
        self.assertEqual(result.code, 0, result)
        self.assert_private_and_clean(env["AGENT_TEMPDIRECTORY"])
        self.assertIn("reportPath", result.outputs())

    def test_app_secret_rotate_files(self):
        env = harness.task_env(self.emulator, action="app-secret-rotate", applicationId=harness.PAYMENTS_APP_ID,
                               keyVaultName="kv-rotation", secretName="payments-prod-secret", graceHours="0",
                               **harness.identity_client_secret())
        result = harness.run_task(env)
        self.assertEqual(result.code, 0, result)
        self.assert_private_and_clean(env["AGENT_TEMPDIRECTORY"])

    def test_pat_list_summary_is_uploaded(self):
        env = harness.task_env(self.emulator, action="pat-list", **harness.identity_pat_owner())
        result = harness.run_task(env)
        self.assertEqual(result.code, 0, result)
        summaries = [c.data for c in result.commands if c.area == "task" and c.event == "uploadsummary"]
        self.assertEqual(len(summaries), 1)
        self.assertTrue(os.path.exists(summaries[0]))
        self.assert_private_and_clean(env["AGENT_TEMPDIRECTORY"])


if __name__ == "__main__":
    unittest.main()
