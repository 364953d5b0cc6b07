"""TLS material via the openssl CLI: a CA name-constrained to loopback (plus any `--extra-dns` names)
and a server certificate for 127.0.0.1, ::1, localhost (plus the same names)."""

from __future__ import annotations

import hashlib
import os
import subprocess

_LOOPBACK = ("permitted;IP:127.0.0.0/255.0.0.0,"
             "permitted;IP:0:0:0:0:0:0:0:1/FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF,permitted;DNS:localhost")
_EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]


def _openssl(*args) -> None:
    r = subprocess.run(["openssl", *args], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args[:2])} failed: {r.stderr}")


def ca_home(workdir: str, ca_dir: str | None, extra_dns: list[str]) -> str:
    """Where the CA lives. Extra names need their own CA (its name constraints differ), so with a stable
    ca_dir it goes to a subfolder named after the names; the loopback-only CA there stays untouched."""
    if not ca_dir:
        return workdir
    if not extra_dns:
        return ca_dir
    tag = hashlib.sha256(",".join(sorted(extra_dns)).encode()).hexdigest()[:12]
    return os.path.join(ca_dir, f"dns-{tag}")


def _make_ca(ca_key: str, ca_pem: str, days: str, extra_dns: list[str]) -> None:
    constraints = _LOOPBACK + "".join(f",permitted;DNS:{n}" for n in extra_dns)
    _openssl("req", "-x509", *_EC, "-keyout", ca_key, "-out", ca_pem, "-days", days,
             "-sha256", "-subj", "/CN=Azure Emulator Test CA (loopback only)",
             "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign",
             "-addext", "nameConstraints=critical," + constraints,
             "-addext", "subjectKeyIdentifier=hash")
    os.chmod(ca_key, 0o600)


def generate_certs(workdir: str, ca_dir: str | None = None, extra_dns: list[str] | None = None) -> tuple[str, str, str]:
    """CA + server cert. With ca_dir, an existing ca.pem/ca.key there is reused (so it can be trusted once,
    e.g. in the system store), else created there. Returns (ca.pem, server.pem, server.key)."""
    extra = list(extra_dns or [])
    home = ca_home(workdir, ca_dir, extra)
    os.makedirs(home, mode=0o700, exist_ok=True)
    ca_key, ca_pem = os.path.join(home, "ca.key"), os.path.join(home, "ca.pem")
    if not (ca_dir and os.path.exists(ca_pem) and os.path.exists(ca_key)):
        _make_ca(ca_key, ca_pem, "3650" if ca_dir else "30", extra)
    srv_key, srv_csr, srv_pem = (os.path.join(workdir, f) for f in ("server.key", "server.csr", "server.pem"))
    _openssl("req", "-new", *_EC, "-keyout", srv_key, "-out", srv_csr, "-subj", "/CN=localhost")
    os.chmod(srv_key, 0o600)
    ext = os.path.join(workdir, "server.ext")
    san = "IP:127.0.0.1,IP:::1,DNS:localhost" + "".join(f",DNS:{n}" for n in extra)
    with open(ext, "w") as f:
        f.write(f"subjectAltName={san}\n"
                "basicConstraints=critical,CA:FALSE\n"
                "keyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\n"
                "subjectKeyIdentifier=hash\n"
                "authorityKeyIdentifier=keyid,issuer\n")
    _openssl("x509", "-req", "-in", srv_csr, "-CA", ca_pem, "-CAkey", ca_key, "-CAcreateserial",
             "-out", srv_pem, "-days", "30", "-sha256", "-extfile", ext)
    return ca_pem, srv_pem, srv_key
