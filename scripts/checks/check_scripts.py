#!/usr/bin/env python3
"""Checks of the build and test scripts themselves (python3 unittest, standard library only).

    python3 scripts/checks/check_scripts.py -v

  (s1) no script runs `swift` itself: every Swift command goes through scripts/run-swift, which
       gives SwiftPM a TMPDIR inside .build and removes the TemporaryDirectory.* folders it leaves;
  (s2) a Swift command through scripts/run-swift leaves nothing in $TMPDIR, nor in .build/tmp
       (skipped without a Swift toolchain);
  (s3) the README's build prerequisites name every package scripts/setup installs.
"""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUN_SWIFT = os.path.join(REPO, "scripts", "run-swift")
# `swift build`, `swift test`, ... in a shell script; ["swift", "build", ...] in Python.
SHELL_SWIFT = re.compile(r"(^|[\s;(|&`$])swift\s+(build|test|format|run|package)\b")
PYTHON_SWIFT = re.compile(r"""["']swift["']\s*,""")


def scripts():
    """Every executable script and Python file of scripts/ and .ci/, but scripts/run-swift."""
    found = []
    for top in ("scripts", ".ci"):
        for folder, _, names in os.walk(os.path.join(REPO, top)):
            for name in names:
                path = os.path.join(folder, name)
                if path != RUN_SWIFT and (name.endswith((".py", ".sh")) or os.access(path, os.X_OK)):
                    found.append(path)
    return sorted(found)


class Scripts(unittest.TestCase):
    def test_s1_every_swift_command_goes_through_run_swift(self):
        checked = 0
        for path in scripts():
            with open(path, encoding="utf-8", errors="replace") as f:
                lines = f.read().splitlines()
            checked += 1
            python = path.endswith(".py") or lines[:1] == ["#!/usr/bin/env python3"]
            for number, line in enumerate(lines, start=1):
                code = ("" if line.lstrip().startswith("#") else line) if python else line.split("#", 1)[0]
                if not (PYTHON_SWIFT if python else SHELL_SWIFT).search(code):
                    continue
                with self.subTest("%s line %d" % (os.path.relpath(path, REPO), number)):
                    self.fail("runs swift directly (use scripts/run-swift): " + line.strip())
        self.assertGreater(checked, 5)

    def test_s2_run_swift_leaves_nothing_in_tmpdir(self):
        if shutil.which("swift") is None:
            self.skipTest("no Swift toolchain")
        scratch = os.path.join(REPO, ".build", "tmp")
        with tempfile.TemporaryDirectory(prefix="check-scripts-tmpdir-") as tmp:
            out = subprocess.run([RUN_SWIFT, "build", "--manifest-cache", "local", "--show-bin-path"], cwd=REPO,
                                 env=dict(os.environ, TMPDIR=tmp), capture_output=True, text=True, timeout=300)
            self.assertEqual(0, out.returncode, out.stderr)
            self.assertEqual([], os.listdir(tmp), "left in $TMPDIR")
        left = [n for n in os.listdir(scratch) if n.startswith("TemporaryDirectory.")] if os.path.isdir(scratch) else []
        self.assertEqual([], left, "left in .build/tmp")

    def test_s3_the_readme_names_every_build_prerequisite(self):
        with open(os.path.join(REPO, "scripts", "setup"), encoding="utf-8") as f:
            packages = set(re.findall(r"missing\+=\(([\w.+-]+)\)", f.read()))
        with open(os.path.join(REPO, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        prerequisites = next((p for p in readme.split("\n- ") if p.startswith("**Build prerequisites**")), "")
        self.assertTrue(prerequisites, "README.md has no **Build prerequisites** item")
        self.assertGreaterEqual(len(packages), 5)
        self.assertEqual(set(), {p for p in packages if "`%s`" % p not in prerequisites})


if __name__ == "__main__":
    unittest.main()
