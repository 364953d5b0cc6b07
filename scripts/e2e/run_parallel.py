#!/usr/bin/env python3
"""Runs the end-to-end tests across worker processes, each with its own emulator.

    python3 scripts/e2e/run_parallel.py                  # every scripts/e2e/test_*.py but test_emulator.py
    python3 scripts/e2e/run_parallel.py -j 6 -p 'test_pat_*.py'
    python3 scripts/e2e/run_parallel.py test_pat_actions.PatRotateTest   # named tests only

Python 3 standard library only.  The end-to-end tests wait far more than they compute (the binary
waits for the emulator, retries back off, time-outs expire), so they run side by side: each worker
is a `run_parallel.py --worker` process that imports the tests itself, so `harness.Emulator.shared()`
starts one emulator per worker and no two tests share emulator state.  The parent hands out one
test at a time, slowest first (a test class or method may declare `e2e_weight = <seconds>`; measured times of
the last run, kept in .build/e2e-durations.json, win over it), and prints what unittest prints: a
line per failure with its traceback, `Ran N tests in Xs` and `OK` or `FAILED (failures=.., errors=..)`,
which scripts/test counts.  Each worker also reports the harness's leak check over all of its runs;
a leak fails the pseudo-test `leak check (worker k)`.

Class fixtures run once per class per worker (setUpClass when a worker first meets a class,
tearDownClass when it moves on or stops).  Every scripts/e2e/test_*.py is picked up by discovery.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import queue
import subprocess
import sys
import threading
import time
import traceback
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DURATIONS = os.path.join(REPO, ".build", "e2e-durations.json")


def flatten(suite) -> list[unittest.TestCase]:
    out = []
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            out += flatten(item)
        else:
            out.append(item)
    return out


def load(names: list[str], pattern: str, exclude: list[str]) -> list[unittest.TestCase]:
    loader = unittest.TestLoader()
    if names:
        suite = loader.loadTestsFromNames(names)
    else:
        suite = loader.discover(HERE, pattern=pattern, top_level_dir=HERE)
    tests = flatten(suite)
    return [t for t in tests if t.id().split(".")[0] not in exclude]


# ------------------------------------------------------------------------------------------- worker

class _Result(unittest.TextTestResult):
    """Collects failures with their captured output; keeps the class fixtures across tests."""

    def __init__(self):
        super().__init__(io.StringIO(), descriptions=False, verbosity=0)
        self.buffer = True
        self.printed: list[str] = []  # what passing tests printed (a matrix's size and time)

    def _restoreStdout(self):
        if self.buffer and self._stdout_buffer is not None:
            text = self._stdout_buffer.getvalue().strip()
            if text and not self._mirrorOutput:  # a failure's output goes with its traceback
                self.printed.append(text)
        super()._restoreStdout()


def worker() -> None:
    """Reads test ids on stdin, answers one JSON line per test on the original stdout."""
    channel = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # anything the tests print goes to stderr, never into the channel
    sys.stdout = sys.stderr
    sys.path.insert(0, HERE)
    import harness  # noqa: E402  (after sys.path)

    harness.Emulator.shared()  # start the emulator (and create the CA) before taking work
    channel.write(json.dumps({"ready": True}) + "\n")
    loader = unittest.TestLoader()
    result = _Result()
    result._testRunEntered = True  # one run for the whole worker: class fixtures persist between tests
    for line in sys.stdin:
        test_id = line.strip()
        if not test_id:
            continue
        channel.write(json.dumps(run_one(loader, result, test_id)) + "\n")
    before = (len(result.failures), len(result.errors))  # the tests' own failures went with their answers
    result._testRunEntered = False
    unittest.TestSuite().run(result)  # tears down the last class and module
    leaks = harness.leak_failures()
    channel.write(json.dumps({"done": True, "leaks": leaks, "teardown": _problems(result, *before)}) + "\n")


def _problems(result, failures_before: int, errors_before: int) -> dict:
    return {"failures": [[str(t), tb] for t, tb in result.failures[failures_before:]],
            "errors": [[str(t), tb] for t, tb in result.errors[errors_before:]]}


def run_one(loader, result, test_id: str) -> dict:
    counts = (len(result.failures), len(result.errors), len(result.skipped), result.testsRun)
    printed_before = len(result.printed)
    started = time.monotonic()
    try:
        unittest.TestSuite(loader.loadTestsFromName(test_id)).run(result)
    except Exception:  # a broken import or fixture must not stop the worker
        result.errors.append((test_id, traceback.format_exc()))
    answer = {"id": test_id, "seconds": time.monotonic() - started,
              "ran": result.testsRun - counts[3], "skipped": len(result.skipped) - counts[2],
              "printed": result.printed[printed_before:]}
    answer.update(_problems(result, counts[0], counts[1]))
    return answer


# ------------------------------------------------------------------------------------------- parent

def weight(test: unittest.TestCase, measured: dict) -> float:
    method = getattr(test, getattr(test, "_testMethodName", ""), None)
    return measured.get(test.id(), getattr(method, "e2e_weight", getattr(test, "e2e_weight", 1.0)))


class Worker:
    def __init__(self, index: int):
        self.index = index
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--worker"], cwd=HERE,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.ready = False

    def wait_ready(self) -> None:
        if not self.ready:
            answer = self.ask()
            if not answer.get("ready"):
                raise RuntimeError(f"worker {self.index} did not start: {answer}")
            self.ready = True

    def ask(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"worker {self.index} exited (code {self.proc.wait()})")
        return json.loads(line)

    def send(self, test_id: str | None) -> None:
        if test_id is None:
            self.proc.stdin.close()
        else:
            self.proc.stdin.write(test_id + "\n")
            self.proc.stdin.flush()


def drive(worker_: Worker, work: "queue.Queue[str]", results: list, lock: threading.Lock, verbose: bool) -> None:
    try:
        worker_.wait_ready()
        while True:
            try:
                test_id = work.get_nowait()
            except queue.Empty:
                break
            worker_.send(test_id)
            answer = worker_.ask()
            with lock:
                results.append(answer)
                if verbose:
                    bad = answer["failures"] or answer["errors"]
                    print(f"{answer['id']} ... {'FAIL' if bad else 'ok'} ({answer['seconds']:.1f} s, "
                          f"worker {worker_.index})", flush=True)
        worker_.send(None)
        done = worker_.ask()
        leaks = [{"id": f"leak check (worker {worker_.index})", "seconds": 0, "ran": 1, "skipped": 0,
                  "failures": [[f"leak check (worker {worker_.index})", "\n".join(done["leaks"])]] if done["leaks"] else [],
                  "errors": []}]
        teardown = done["teardown"]
        if teardown["failures"] or teardown["errors"]:
            leaks.append({"id": f"teardown (worker {worker_.index})", "seconds": 0, "ran": 0, "skipped": 0, **teardown})
        with lock:
            results.extend(leaks)
    except Exception as exc:  # a dead worker fails its remaining tests, not the whole run
        with lock:
            results.append({"id": f"worker {worker_.index}", "seconds": 0, "ran": 1, "skipped": 0, "failures": [],
                            "errors": [[f"worker {worker_.index}", repr(exc)]]})
    finally:
        if worker_.proc.poll() is None:
            try:
                worker_.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker_.proc.kill()
                worker_.proc.wait()


def report(results: list, seconds: float) -> bool:
    for text in sorted(t for r in results for t in r.get("printed", []) if "matrix" in t):
        print(text)
    failures = [f for r in results for f in r["failures"]]
    errors = [e for r in results for e in r["errors"]]
    for kind, items in (("ERROR", errors), ("FAIL", failures)):
        for name, tb in items:
            print("=" * 70)
            print(f"{kind}: {name}")
            print("-" * 70)
            print(tb)
    ran = sum(r["ran"] for r in results)
    skipped = sum(r["skipped"] for r in results)
    print("-" * 70)
    print(f"Ran {ran} test{'s' if ran != 1 else ''} in {seconds:.3f}s")
    print()
    if failures or errors:
        parts = [f"failures={len(failures)}"] if failures else []
        parts += [f"errors={len(errors)}"] if errors else []
        print(f"FAILED ({', '.join(parts)})")
        return False
    print(f"OK (skipped={skipped})" if skipped else "OK")
    return True


def save_durations(results: list, complete: bool) -> None:
    """Keeps the measured times for the next run's order (a complete run replaces them all)."""
    try:
        with open(DURATIONS, encoding="utf-8") as f:
            known = {} if complete else json.load(f)
    except (OSError, ValueError):
        known = {}
    known.update({r["id"]: round(r["seconds"], 1) for r in results if r["ran"] and r["seconds"]})
    if os.path.isdir(os.path.dirname(DURATIONS)):
        with open(DURATIONS, "w", encoding="utf-8") as f:
            json.dump(known, f, indent=0, sort_keys=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*", help="test ids (module, module.Class or module.Class.test)")
    ap.add_argument("-j", "--jobs", type=int, default=int(os.environ.get("E2E_JOBS", 0)) or 3 * (os.cpu_count() or 1) + 2,
                    help="worker processes (default: E2E_JOBS or 3 x cores + 2: the tests mostly wait)")
    ap.add_argument("-p", "--pattern", default="test_*.py")
    ap.add_argument("-x", "--exclude", action="append", default=None,
                    help="module to leave out (default: test_emulator, run on its own)")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker()
        return 0
    sys.path.insert(0, HERE)
    started = time.monotonic()
    tests = load(args.names, args.pattern, args.exclude if args.exclude is not None else ["test_emulator"])
    try:
        with open(DURATIONS, encoding="utf-8") as f:
            measured = json.load(f)
    except (OSError, ValueError):
        measured = {}
    work: "queue.Queue[str]" = queue.Queue()
    for test in sorted(tests, key=lambda t: -weight(t, measured)):
        work.put(test.id())
    results: list = []
    lock = threading.Lock()
    jobs = max(1, min(args.jobs, len(tests)))
    threads = []
    for index in range(jobs):
        # One emulator start at a time: the first creates the CA the others reuse, and openssl
        # writes the CA's serial file on every start.
        w = Worker(index)
        w.wait_ready()
        threads.append(threading.Thread(target=drive, args=(w, work, results, lock, args.verbose)))
        threads[-1].start()
    for t in threads:
        t.join()
    save_durations(results, complete=not args.names)
    return 0 if report(results, time.monotonic() - started) else 1


if __name__ == "__main__":
    sys.exit(main())
