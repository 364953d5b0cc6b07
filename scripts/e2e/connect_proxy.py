"""A corporate proxy for end-to-end tests: HTTP CONNECT only, optional basic auth, its own DNS.

    with ConnectProxy(hosts={"azure.corp.test": "127.0.0.1"}, username="u", password="p") as proxy:
        env["AGENT_PROXYURL"] = proxy.url
        ...
        proxy.tunnels  # ["azure.corp.test:PORT", ...] every CONNECT it opened

Names are resolved only through `hosts` (so a host name that only the proxy knows proves a
request went through it); anything else gets 502. A wrong or missing Proxy-Authorization gets
407 with `Proxy-Authenticate: Basic`. Python 3 standard library only; loopback only.
"""

from __future__ import annotations

import base64
import select
import socket
import socketserver
import threading


class ConnectProxy:
    def __init__(self, hosts: dict[str, str], username: str | None = None, password: str | None = None):
        self.hosts = {k.lower(): v for k, v in hosts.items()}
        self.expected = None
        if username is not None:
            self.expected = "Basic " + base64.b64encode(f"{username}:{password or ''}".encode()).decode()
        self.tunnels: list[str] = []
        self.rejected: list[int] = []
        self._lock = threading.Lock()
        self._server: socketserver.ThreadingTCPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> "ConnectProxy":
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                proxy._serve(self.request)

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "ConnectProxy":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ---- one client connection: CONNECT requests until a tunnel opens or the client leaves
    def _serve(self, client: socket.socket) -> None:
        client.settimeout(30)
        buffer = b""
        while True:
            while b"\r\n\r\n" not in buffer:
                chunk = client.recv(65536)
                if not chunk:
                    return
                buffer += chunk
            head, _, buffer = buffer.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, *_ = lines[0].split(" ") + ["", ""]
            headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
            if method != "CONNECT":
                return self._answer(client, 405, "Method Not Allowed", close=True)
            if self.expected is not None and headers.get("proxy-authorization") != self.expected:
                with self._lock:
                    self.rejected.append(407)
                self._answer(client, 407, "Proxy Authentication Required",
                             extra="Proxy-Authenticate: Basic realm=\"e2e-proxy\"\r\n")
                continue
            host, _, port = target.rpartition(":")
            address = self.hosts.get(host.strip("[]").lower())
            if address is None or not port.isdigit():
                return self._answer(client, 502, "Bad Gateway", close=True)
            try:
                upstream = socket.create_connection((address, int(port)), timeout=10)
            except OSError:
                return self._answer(client, 502, "Bad Gateway", close=True)
            with self._lock:
                self.tunnels.append(target)
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            if buffer:
                upstream.sendall(buffer)
            return self._pipe(client, upstream)

    @staticmethod
    def _answer(client, status, reason, extra="", close=False):
        connection = "close" if close else "keep-alive"
        client.sendall(f"HTTP/1.1 {status} {reason}\r\n{extra}Content-Length: 0\r\nConnection: {connection}\r\n\r\n"
                       .encode())

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        a.settimeout(None)
        b.settimeout(None)
        try:
            while True:
                ready, _, _ = select.select([a, b], [], [], 60)
                if not ready:
                    return
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (b if sock is a else a).sendall(data)
        except OSError:
            return
        finally:
            b.close()
