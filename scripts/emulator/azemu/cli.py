"""Command line: build the TLS material, serve, announce one JSON line, stop on SIGTERM/SIGINT."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import ssl
import sys
import tempfile
import threading

from . import util
from .certs import generate_certs
from .server import Handler, Server, Services
from . import state as state_module
from .state import State

DEFAULT_FIXTURE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "default_fixture.json")


def parse_args(argv, description: str):
    ap = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fixture", default=DEFAULT_FIXTURE)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--workdir")
    ap.add_argument("--ca-dir", help="reuse (or create) the CA in this directory instead of a fresh one")
    ap.add_argument("--extra-dns", action="append", default=[], metavar="NAME",
                    help="also name NAME in the server certificate and the CA's name constraints (repeatable)")
    ap.add_argument("--time-scale", type=float, default=1.0, metavar="S",
                    help="multiply the consistency model's windows (Graph read lag, secret flapping) by S, for "
                         "tests that shorten the task's waits by the same factor (config key timeScale)")
    ap.add_argument("--verbose", action="store_true")
    return ap.parse_args(argv)


def main(argv=None, description: str = "") -> int:
    args = parse_args(argv, description)
    util.VERBOSE = args.verbose
    state_module.DEFAULT_TIME_SCALE = args.time_scale
    with open(args.fixture) as f:
        fixture = json.load(f)
    created = args.workdir is None
    workdir = os.path.abspath(args.workdir or tempfile.mkdtemp(prefix="azure-emulator-"))
    os.makedirs(workdir, exist_ok=True)
    ca_pem, srv_pem, srv_key = generate_certs(workdir, os.path.abspath(args.ca_dir) if args.ca_dir else None,
                                              args.extra_dns)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(srv_pem, srv_key)
    ctx.set_alpn_protocols(["http/1.1"])
    server = Server(("127.0.0.1", args.port), Handler)
    server.socket = ctx.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    base = f"https://127.0.0.1:{server.server_address[1]}"
    server.state = State(fixture, base)
    server.services = Services(server.state)

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    sys.stdout.write(json.dumps({"baseUrl": base, "caFile": ca_pem, "pid": os.getpid()}) + "\n")
    sys.stdout.flush()
    util.log(f"serving {base} (workdir {workdir})")
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        if created:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0
