"""Small shared helpers: logging, ids, base64url, unsigned JWTs and generated secret values."""

from __future__ import annotations

import base64
import json
import secrets as pysecrets
import sys
import uuid

VERBOSE = False


def log(msg: str) -> None:
    if VERBOSE:
        sys.stderr.write(f"[azure-emulator] {msg}\n")
        sys.stderr.flush()


def guid() -> str:
    return str(uuid.uuid4())


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def make_jwt(payload: dict) -> str:
    header = {"typ": "JWT", "alg": "RS256", "kid": "azure-emulator"}
    return ".".join([b64url(json.dumps(header, separators=(",", ":")).encode()),
                     b64url(json.dumps(payload, separators=(",", ":")).encode()),
                     b64url(pysecrets.token_bytes(64))])


def new_pat_value() -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    return "".join(pysecrets.choice(alphabet) for _ in range(52))


def new_client_secret() -> str:
    """40 chars like Entra's: 3 chars + '8Q~' + 34 chars, containing ~ . _ -"""
    alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    full = alnum + "~._-"
    head = "".join(pysecrets.choice(alnum) for _ in range(3)) + "8Q~"
    tail = [pysecrets.choice(full) for _ in range(30)] + list("._-~")
    # shuffle the tail so the punctuation is not always at the end
    for i in range(len(tail) - 1, 0, -1):
        j = pysecrets.randbelow(i + 1)
        tail[i], tail[j] = tail[j], tail[i]
    return head + "".join(tail)


def parse_json_object(body: bytes | None, default: bytes = b"null") -> dict | None:
    """The body as a JSON object, or None when it is not one."""
    try:
        req = json.loads(body or default)
    except Exception:
        return None
    return req if isinstance(req, dict) else None
