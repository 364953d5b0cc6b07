#!/usr/bin/env python3
"""Checks of the Swift sources' shape (python3 unittest, standard library only).

    python3 scripts/checks/check_sources.py -v

  (l1) layers point one way (inputs -> actions -> services -> HTTP): no file under Services/ or
       HTTP/ names a top-level type declared under Actions/ or Plan/;
  (l2) the core's public surface is what the executable uses: fewer than 60 `public ` in Sources
       (the tests reach the rest through @testable import);
  (l3) an internal invariant is never reported as an input error (`missingInput("internal`).
"""
import os
import re
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORE = os.path.join(REPO, "Sources", "RotateCredentialCore")
DECLARATION = re.compile(r"^(?:@\w+\s+)*(?:(?:public|private|fileprivate|internal|final|indirect)\s+)*"
                         r"(?:struct|enum|class|actor|protocol|typealias)\s+(\w+)", re.M)


def swift_files(*folders):
    for top in folders:
        for folder, _, names in os.walk(os.path.join(REPO, top)):
            for name in sorted(names):
                if name.endswith(".swift"):
                    yield os.path.join(folder, name)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def code(text):
    """`text` without its comments (whole-line and trailing `//` comments)."""
    return "\n".join(re.sub(r"//.*$", "", line) for line in text.splitlines())


class Sources(unittest.TestCase):
    def test_l1_services_and_http_name_no_action_or_plan_type(self):
        upper = {name for path in swift_files(os.path.join(CORE, "Actions"), os.path.join(CORE, "Plan"))
                 for name in DECLARATION.findall(read(path))}
        self.assertGreater(len(upper), 20)
        found = []
        for path in swift_files(os.path.join(CORE, "Services"), os.path.join(CORE, "HTTP")):
            text = code(read(path))
            found += [f"{os.path.relpath(path, REPO)}: {name}" for name in sorted(upper)
                      if re.search(r"\b%s\b" % re.escape(name), text)]
        self.assertEqual([], found)

    def test_l2_the_public_surface_is_what_the_executable_uses(self):
        count = sum(line.count("public ") for path in swift_files("Sources") for line in read(path).splitlines())
        self.assertLess(count, 60, "make what only the tests use internal (they @testable import it)")

    def test_l3_no_internal_invariant_as_an_input_error(self):
        found = [os.path.relpath(p, REPO) for p in swift_files("Sources") if 'missingInput("internal' in read(p)]
        self.assertEqual([], found)


if __name__ == "__main__":
    unittest.main()
