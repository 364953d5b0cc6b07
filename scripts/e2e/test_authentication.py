"""Rejected credentials: a 203 sign-in page, a client-credentials token on the PAT API, a wrong
password. Each fails with exit 1 and a message that says which credential was rejected."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


class AuthenticationTest(unittest.TestCase):
    def setUp(self):
        self.emulator = harness.Emulator.shared()
        self.emulator.reset()

    def run_pat_list(self, **extra):
        return harness.run_task(harness.task_env(self.emulator, action="pat-list",
                                                 **{**harness.identity_pat_owner(), **extra}))

    def test_sign_in_page_is_an_authentication_failure(self):
        self.emulator.add_fault(method="GET", path=r"/tokens/pats$", signin=True, times=-1)
        result = self.run_pat_list()
        self.assertEqual(result.code, 1, result)
        message = "\n".join(result.errors())
        self.assertIn("sign-in page", message)
        self.assertIn("rejected the token of user rotation-bot@contoso.onmicrosoft.com", message)
        self.assertEqual(result.result, "Failed")

    def test_sign_in_page_for_a_bad_token_handed_in(self):
        # No fault: the emulator itself answers an unknown bearer token (our client always asks
        # for 401 with X-TFS-FedAuthRedirect: Suppress, so this is the 401 path).
        result = self.run_pat_list(INPUT_PATOWNERUSERNAME=None, INPUT_PATOWNERPASSWORD=None,
                                   patOwnerAccessToken="not-a-real-token-value")
        self.assertEqual(result.code, 1, result)
        self.assertIn("rejected the token of the access token given in patOwnerAccessToken", "\n".join(result.errors()))

    def test_wrong_password_names_the_entra_code(self):
        result = self.run_pat_list(INPUT_PATOWNERPASSWORD="wrong-password-value")
        self.assertEqual(result.code, 1, result)
        message = "\n".join(result.errors())
        self.assertIn("AADSTS50126", message)
        self.assertIn("patOwnerPassword", message)


if __name__ == "__main__":
    unittest.main()
