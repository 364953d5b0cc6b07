#!/usr/bin/env python3
"""Documentation checks (python3 unittest): one permissions matrix, referenced everywhere, and the
Marketplace page.

    python3 scripts/checks/check_docs.py -v

docs/permissions.md holds the one matrix (identity x actions -> what is needed, and the command that
grants it). What is checked, in README.md (outside its generated inputs table), docs/*.md, overview.md
and the comments of pipelines/*.yml:
  (p1) every role, permission or scope named (Key Vault roles, Microsoft Graph permissions, Azure DevOps
       `vso.*` scopes, `user_impersonation`, roles on service connections) is one the matrix names;
  (p2) a paragraph, list item, table row or comment block that names one links to docs/permissions.md;
  (p3) one that names an action and a role, permission or scope names a pair the matrix has (no
       contradiction such as "Key Vault Secrets User" for an action that writes the vault);
  (p4) a place that names a build service identity names both, `{project} Build Service ({organization})`
       and `Project Collection Build Service ({organization})` (which one applies depends on the job
       authorization scope);
  (p5) each sample pipeline's comments name exactly the Key Vault role its steps need (the matrix's rows
       whose conditions its inputs meet) and every role on service connections they need, and nothing
       the matrix does not give those steps.
The matrix itself is checked too: its actions exist in task.json, the inputs of its conditions exist.
overview.md (the Marketplace page): (o1) names every action; (o2) its snippets use no password flow;
(o3) its relative links resolve to files and headings of the repository (scripts/package --repository
makes them absolute); (o4) it links the README's sections instead of naming "the README".
Uses check_contract.py's YAML loading (PyYAML, installed into .venv-checks when missing).
"""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_contract as contract  # noqa: E402  (re-runs this script in .venv-checks when PyYAML is missing)

REPO = contract.REPO
MATRIX = os.path.join(REPO, "docs", "permissions.md")
MATRIX_LINK = "permissions.md"
KEY_VAULT_READER = "AzureKeyVault@2"
PROJECT_BUILD_SERVICE = "{project} Build Service ({organization})"
COLLECTION_BUILD_SERVICE = "Project Collection Build Service ({organization})"

# Roles, permissions and scopes, as they are written (after removing Markdown emphasis).
TOKEN_PATTERNS = [
    r"\bKey Vault (?:Secrets|Certificates|Crypto) (?:Officer|User)\b",
    r"\bKey Vault (?:Reader|Administrator|Contributor)\b",
    r"\b(?:Application|Directory)\.(?:Read|ReadWrite)\.(?:All|OwnedBy)\b",
    r"\bvso\.[a-z_]+[a-z]\b",
    r"\buser_impersonation\b",
    r"\b(?:Administrator|Reader|Creator|User) role\b",
]
ROLE_FIRST = re.compile(r"\brole (Administrator|Reader|Creator|User)\b")


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def tokens_in(text):
    """The roles, permissions and scopes `text` names."""
    text = ROLE_FIRST.sub(r"\1 role", re.sub(r"\s+", " ", text.replace("*", "")))
    found = set()
    for pattern in TOKEN_PATTERNS:
        found.update(re.findall(pattern, text))
    return found


def key_vault_roles(tokens):
    return {t for t in tokens if t.startswith("Key Vault ")}


def connection_roles(tokens):
    return {t for t in tokens if t.endswith(" role")}


def task_actions():
    return list(next(i for i in contract.task()["inputs"] if i["name"] == "action")["options"])


# ---------------------------------------------------------------- the matrix

class Row:
    """One row of the matrix: who, for which actions under which conditions, needs which tokens."""

    def __init__(self, identity, actions_cell, needs, grant, line):
        self.identity, self.needs, self.grant, self.line = identity, needs, grant, line
        self.tokens = tokens_in(needs)
        self.items = [parse_item(item) for item in actions_cell.split(";") if item.strip()]

    def actions(self):
        return {a for actions, _ in self.items for a in actions}

    def applies(self, action, inputs):
        """Whether the row applies to a step of `action` with `inputs` (name -> value, defaults included)."""
        return any(action in actions and all(holds(c, inputs) for c in conditions)
                   for actions, conditions in self.items)


def parse_item(item):
    """"`a`, `b` with `x` and `y: v` without `z`" -> ([a, b], [("with", [x, "y: v"]), ("without", [z])])."""
    head = re.match(r"\s*((?:`[^`]+`\s*,?\s*)+)(.*)$", item.strip())
    if not head:
        raise AssertionError("docs/permissions.md: cannot read the actions of %r" % item)
    actions = re.findall(r"`([^`]+)`", head.group(1))
    conditions = [(kind, re.findall(r"`([^`]+)`", names))
                  for kind, names in re.findall(r"\b(with|without)\s+((?:`[^`]+`\s*(?:,|and)?\s*)+)", head.group(2))]
    return actions, conditions


def holds(condition, inputs):
    kind, names = condition
    def given(name):
        key, _, value = [p.strip() for p in name.partition(":")]
        actual = inputs.get(key.lower(), "")
        return actual.lower() == value.lower() if value else actual != ""
    return all(given(n) for n in names) if kind == "with" else not any(given(n) for n in names)


def matrix_rows():
    rows = []
    lines = read(MATRIX).splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| Identity | Actions | Needs |"))
    for number, line in enumerate(lines[header + 2:], start=header + 3):
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        rows.append(Row(cells[0], cells[1], cells[2], cells[3], number))
    return rows


# ---------------------------------------------------------------- the places that must agree

def markdown_units(text):
    """(line, text) of each paragraph, list item, table row, heading and code block of a Markdown text."""
    units, current, start, fence = [], [], 0, False

    def flush():
        if current:
            units.append((start, "\n".join(current)))
            current.clear()

    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if fence:
            current.append(line)
            if stripped.startswith("```"):
                fence = False
                flush()
            continue
        if stripped.startswith("```") or not stripped or stripped.startswith(("|", "#")) \
                or re.match(r"^ {0,2}([-*]|\d+\.)\s", line):
            flush()
        if not stripped:
            continue
        if not current:
            start = number
        current.append(line)
        if stripped.startswith("```"):
            fence = True
        elif stripped.startswith(("|", "#")):
            flush()
    flush()
    return units


def readme_text():
    text = read(os.path.join(REPO, "README.md"))
    begin, end = text.find(contract.BEGIN), text.find(contract.END)
    if begin >= 0 and end > begin:  # the inputs table is task.json's, checked by check_contract.py
        text = text[:begin] + "\n" * text[begin:end].count("\n") + text[end:]
    return text


def documents():
    """(name, units) of every Markdown document that must agree with the matrix."""
    docs = [("README.md", markdown_units(readme_text()))]
    for name in sorted(os.listdir(os.path.join(REPO, "docs"))):
        path = os.path.join(REPO, "docs", name)
        if name.endswith(".md") and path != MATRIX:
            docs.append(("docs/" + name, markdown_units(read(path))))
    docs.append(("overview.md", markdown_units(read(os.path.join(REPO, "overview.md")))))
    return docs


def comment_blocks(path):
    """(line, text) of each block of consecutive full-line comments of a YAML file."""
    blocks, current, start = [], [], 0
    for number, line in enumerate(read(path).splitlines(), start=1):
        if line.strip().startswith("#"):
            if not current:
                start = number
            current.append(line.strip().lstrip("#").strip())
        elif current:
            blocks.append((start, "\n".join(current)))
            current = []
    if current:
        blocks.append((start, "\n".join(current)))
    return blocks


def samples():
    """(name, comment blocks, steps) of every sample pipeline; a step is (action, inputs by lower-case name)."""
    t = contract.task()
    defaults = {i["name"].lower(): str(i.get("defaultValue", "")) for i in t["inputs"]}
    out = []
    for path in contract.PIPELINES:
        doc = contract.load_yaml(path)
        steps = []
        for step in contract.find_task_steps(doc, contract.task_ref(t)):
            given = {k.lower(): str(v) for k, v in (step.get("inputs") or {}).items() if str(v).strip()}
            steps.append((given.get("action", defaults["action"]), {**defaults, **given}))
        for step in contract.find_script_steps(doc):
            given = {k[len("INPUT_"):].lower(): str(v) for k, v in step["env"].items() if k.startswith("INPUT_")}
            steps.append((given.get("action", ""), {**defaults, **given}))
        steps += [(KEY_VAULT_READER, {}) for _ in contract.find_task_steps(doc, KEY_VAULT_READER)]
        out.append(("pipelines/" + os.path.basename(path), comment_blocks(path), steps))
    return out


def every_place():
    """(where, text) of every unit of the documents and every comment block of the samples."""
    places = [("%s line %d" % (name, line), text) for name, units in documents() for line, text in units]
    places += [("%s line %d" % (name, line), text) for name, blocks, _ in samples() for line, text in blocks]
    return places


# ---------------------------------------------------------------- tests

class Matrix(unittest.TestCase):
    def test_the_matrix_names_real_actions_and_inputs(self):
        actions = set(task_actions()) | {KEY_VAULT_READER}
        inputs = {i["name"] for i in contract.task()["inputs"]}
        rows = matrix_rows()
        self.assertGreater(len(rows), 10)
        for row in rows:
            with self.subTest(line=row.line):
                grants = re.findall(r"\[(G\d+)\]\(#(g\d+)\)", row.grant)
                self.assertTrue(grants, "a row without the command that grants it")
                for name, anchor in grants:
                    self.assertEqual(name.lower(), anchor)
                    self.assertIn("\n### %s\n" % name, read(MATRIX))
                self.assertEqual(set(), row.actions() - actions, "unknown actions")
                for _, conditions in row.items:
                    for _, names in conditions:
                        self.assertEqual(set(), {n.partition(":")[0].strip() for n in names} - inputs)

    def test_every_action_has_its_rows(self):
        covered = set().union(*(row.actions() for row in matrix_rows()))
        self.assertEqual(set(), set(task_actions()) - covered, "actions the matrix does not mention")


class Permissions(unittest.TestCase):
    def setUp(self):
        self.rows = matrix_rows()
        self.vocabulary = set().union(*(row.tokens for row in self.rows))

    def test_p1_every_role_permission_and_scope_is_in_the_matrix(self):
        for where, text in every_place():
            with self.subTest(where):
                self.assertEqual(set(), tokens_in(text) - self.vocabulary,
                                 "named here but not in docs/permissions.md's matrix")

    def test_p2_each_place_that_names_one_links_to_the_matrix(self):
        for where, text in every_place():
            if tokens_in(text):
                with self.subTest(where):
                    self.assertIn(MATRIX_LINK, text, "names a permission without linking docs/permissions.md")

    def test_p3_actions_and_permissions_named_together_agree_with_the_matrix(self):
        actions = set(task_actions())
        for where, text in every_place():
            named = set(re.findall(r"`([a-z]+(?:-[a-z]+)+)`", text)) & actions
            for action in sorted(named):
                allowed = set().union(*(row.tokens for row in self.rows if action in row.actions()))
                with self.subTest(where, action=action):
                    self.assertEqual(set(), tokens_in(text) - allowed,
                                     "the matrix gives none of these to %s" % action)

    def test_p4_build_service_identities_are_named_together(self):
        for where, text in every_place():
            text = re.sub(r"\s+", " ", text)
            if "Build Service (" in text:
                with self.subTest(where):
                    self.assertIn(PROJECT_BUILD_SERVICE, text)
                    self.assertIn(COLLECTION_BUILD_SERVICE, text)

    def test_p5_each_sample_names_what_its_steps_need(self):
        checked = 0
        for name, blocks, steps in samples():
            if not steps:
                continue
            checked += 1
            needed = set().union(*(row.tokens for action, inputs in steps for row in self.rows
                                   if row.applies(action, inputs)))
            named = set().union(*(tokens_in(text) for _, text in blocks))
            with self.subTest(name):
                self.assertEqual(set(), named - needed, "named, but the matrix does not give it to these steps")
                self.assertEqual(set(), key_vault_roles(needed) - named, "the Key Vault role the steps need")
                self.assertEqual(set(), connection_roles(needed) - named, "the roles on service connections")
        self.assertGreater(checked, 5)


# ---------------------------------------------------------------- the Marketplace page

OVERVIEW = os.path.join(REPO, "overview.md")
LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")


def github_slug(heading):
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path):
    return {github_slug(line.lstrip("#")) for line in read(path).splitlines() if re.match(r"^#{1,6} ", line)}


class Overview(unittest.TestCase):
    """overview.md (the Marketplace page) checked against the repository: every action, the session
    instead of the deprecated password flow, and links (which scripts/package makes absolute with
    --repository) instead of "see the project's README"."""

    def setUp(self):
        self.text = read(OVERVIEW)

    def test_o1_every_action_is_named(self):
        named = set(re.findall(r"`([a-z]+(?:-[a-z]+)+)`", self.text))
        self.assertEqual(set(), set(task_actions()) - named)

    def test_o2_no_password_flow(self):
        for line, block in contract.fenced_blocks(OVERVIEW, ["yaml", "yml", "sh"]):
            with self.subTest(line=line):
                self.assertNotRegex(block, r"patOwner(Username|Password)", "the README calls the password flow deprecated")

    def test_o3_relative_links_resolve(self):
        links = [target for _, target in LINK.findall(self.text) if not re.match(r"(https?|mailto):", target)]
        self.assertTrue(links)
        for target in links:
            path, _, anchor = target.partition("#")
            full = os.path.normpath(os.path.join(REPO, path or "overview.md"))
            with self.subTest(target):
                self.assertTrue(os.path.exists(full), "no such file")
                if anchor:
                    self.assertIn(anchor, anchors(full))

    def test_o4_the_readme_is_linked_not_named(self):
        self.assertNotIn("README", LINK.sub("", self.text), "link the README's section instead")
        self.assertNotRegex(self.text.lower(), r"see the (project's )?readme")


if __name__ == "__main__":
    unittest.main()
