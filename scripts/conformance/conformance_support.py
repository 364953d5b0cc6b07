"""What the conformance tests share: the worker's emulator, trusted by Microsoft's clients, and an
Azure DevOps connection to it (test_conformance.py says which loopback settings each client needs)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))

from harness import Emulator  # noqa: E402


def trusted_emulator() -> Emulator:
    """The shared emulator, its CA in REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE and SSL_CERT_FILE: requests lets
    those override a session's own `verify`, and these clients only talk to the emulator here."""
    emulator = Emulator.shared()
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
        os.environ[name] = emulator.ca_file
    return emulator


def devops_connection(emulator: Emulator, access_token: str):
    """azure-devops' Connection to the organization contoso with the bearer `access_token`, trusting the
    emulator's CA."""
    from azure.devops.connection import Connection
    from msrest.authentication import BasicTokenAuthentication
    connection = Connection(base_url=f"{emulator.base_url}/ado/contoso",
                            creds=BasicTokenAuthentication({"access_token": access_token}))
    connection._client.config.connection.verify = emulator.ca_file
    return connection
