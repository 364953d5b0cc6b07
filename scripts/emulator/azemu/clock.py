"""The emulator's clock: real time plus an offset (fixture `clockOffsetSeconds`, `POST /_emulator/clock
{"offsetSeconds": N}`). Every timestamp the emulator issues or compares, and the HTTP `Date` header,
come from `now()`; date formatting and parsing live here too."""

from __future__ import annotations

import datetime as dt
import re
import time

_offset = 0.0


def set_offset(seconds: float) -> None:
    global _offset
    _offset = float(seconds)


def offset() -> float:
    return _offset


def now() -> float:
    return time.time() + _offset


def utcnow() -> dt.datetime:
    return dt.datetime.fromtimestamp(now(), dt.timezone.utc)


def iso7(ts: float) -> str:
    """2026-01-02T03:04:05.1234567Z (the 7-digit form Azure DevOps and Graph use)."""
    d = dt.datetime.fromtimestamp(ts, dt.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond:06d}0Z"


_ISO_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*(Z|z|[+-]\d{2}:?\d{2})?$")
_REL_RE = re.compile(r"^(?:now)?\s*([+-])\s*(\d+(?:\.\d+)?)\s*([smhd])$")


def parse_time(value, base: float | None = None) -> float | None:
    """Parse ISO-8601 (any fraction length, Z/offset/none = UTC), epoch numbers,
    or fixture-relative forms: "now", "+3d", "-85d", "+2h", "-30m", "+10s"."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return float(value)
    s = str(value).strip()
    base = now() if base is None else base
    if s == "now":
        return base
    m = _REL_RE.match(s)
    if m:
        n = float(m.group(2)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(3)]
        return base + n if m.group(1) == "+" else base - n
    m = _ISO_RE.match(s)
    if not m:
        raise ValueError(f"bad date-time: {s!r}")
    return _iso_seconds(m)


def _iso_seconds(m: re.Match) -> float:
    y, mo, d, h, mi = (int(m.group(i)) for i in range(1, 6))
    sec = int(m.group(6) or 0)
    frac = float(m.group(7) or 0)
    t = dt.datetime(y, mo, d, h, mi, sec, tzinfo=dt.timezone.utc).timestamp() + frac
    tz = m.group(8)
    if tz and tz not in ("Z", "z"):
        sign = 1 if tz[0] == "+" else -1
        tz = tz[1:].replace(":", "")
        t -= sign * (int(tz[:2]) * 3600 + int(tz[2:]) * 60)
    return t
