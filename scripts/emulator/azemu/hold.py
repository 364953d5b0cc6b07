"""Holding one task request (`POST /_emulator/hold {"request": k, "when": "before"|"after"}`).

The k-th task request counted from arming (1-based; control requests are not counted; with "method" and
"pathEnd", only the requests of that method whose path ends so) is held:
`before` = not processed until released (the service never saw it); `after` = processed (state changed)
but its answer held (a client killed meanwhile never learns the result). `{"request": 0}` disarms.
A hold is one-shot: once its request is released, nothing more is held until the next arming."""

from __future__ import annotations

import threading


class Hold:
    def __init__(self):
        self._lock = threading.Lock()
        self._disarm()

    def _disarm(self) -> None:
        self.target = 0
        self.when = "before"
        self.count = 0
        self.held = False
        self.method = None
        self.path = None
        self.only: tuple[str, str] | None = None  # (method, path end): the requests counted, or all
        self._gate = threading.Event()

    def arm(self, request: int, when: str, only: tuple[str, str] | None = None) -> None:
        with self._lock:
            self._gate.set()  # a request still waiting from an earlier hold goes on
            self._disarm()
            self.target, self.when, self.only = request, when, only

    def claim(self, method: str, path: str) -> str | None:
        """Count a task request; returns "before"/"after" when this request is the one to hold."""
        with self._lock:
            if self.target <= 0:
                return None
            if self.only and (method != self.only[0] or not path.endswith(self.only[1])):
                return None
            self.count += 1
            if self.count != self.target:
                return None
            self.method, self.path = method, path
            self.held = self.when == "before"
            return self.when

    def wait(self) -> None:
        """Block the claimed request until released."""
        with self._lock:
            self.held = True
            gate = self._gate
        gate.wait()

    def release(self) -> bool:
        with self._lock:
            was_held = self.held
            self._gate.set()
            self.held = False
            self.target = 0
            return was_held

    def status(self) -> dict:
        with self._lock:
            return {"held": self.held, "count": self.count, "method": self.method, "path": self.path}
