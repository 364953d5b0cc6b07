#!/usr/bin/env python3
"""Contract checks for the RotateCredential task (python3 unittest).

    python3 scripts/checks/check_contract.py -v
    python3 scripts/checks/check_contract.py --print-inputs-table   # README table from task.json

What is checked:
  (a) task.json validates against the official task schema (tasks.schema.json); its
      restrictions.settableVariables.allowed are exactly its output variables, every variable the
      binary sets and README.md's list;
  (b) every pipelines/*.yml validates against the Azure Pipelines service schema, with the
      RotateCredential@1 entry generated from task.json, as an organization with the extension serves it;
  (c) the inputs given to RotateCredential@1 in pipelines exist and the required ones are set;
  (d) README.md's inputs table (between <!-- inputs:begin --> and <!-- inputs:end -->) lists
      exactly task.json's inputs, their INPUT_* variable and required flag;
  (e) versions agree: task.json, vss-extension.json and, when ROTATE_CREDENTIAL_BINARY
      points to a built binary, `<binary> --version`;
  (f) every sample pipeline, and every snippet using the task in README.md and overview.md, passes
      the binary's input validation (`rotate-credential --check-inputs`), with the inputs, defaults,
      service connection and variables the agent would give the step (ROTATE_CREDENTIAL_BINARY, else
      .build/debug/rotate-credential);
  (g) each input of task.json shows (visibleRule) for the actions docs/inputs.md names, and each
      group for exactly the actions for which one of its inputs shows;
  (h) the `action` input's pickList is the binary's registry of actions (`--help` lists it), in order.

The official schemas are copies in scripts/checks/schemas (sources and dates in SOURCES.md there);
nothing outside the repository is read.
jsonschema and PyYAML are used from the system when importable, else installed into
.venv-checks (once) and the script re-runs itself with that interpreter.
"""
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _ensure_dependencies():
    try:
        import jsonschema  # noqa: F401
        import yaml  # noqa: F401
        return
    except ImportError:
        pass
    venv = os.path.join(REPO, ".venv-checks")
    python = os.path.join(venv, "bin", "python3")
    if os.path.realpath(sys.executable) == os.path.realpath(python):
        sys.exit("check_contract: jsonschema/PyYAML still missing inside %s" % venv)
    if not os.path.exists(python):
        subprocess.check_call([sys.executable, "-m", "venv", venv])
    subprocess.check_call([python, "-m", "pip", "install", "--quiet", "jsonschema", "PyYAML"])
    os.execv(python, [python] + sys.argv)


_ensure_dependencies()

import copy  # noqa: E402
import glob  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import unittest  # noqa: E402

import jsonschema  # noqa: E402
import yaml  # noqa: E402

SPECS = os.path.join(REPO, "scripts", "checks", "schemas")
TASK_JSON = os.path.join(REPO, "task.json")
EXTENSION_JSON = os.path.join(REPO, "vss-extension.json")
README = os.path.join(REPO, "README.md")
PIPELINES = sorted(glob.glob(os.path.join(REPO, "pipelines", "*.yml")))
BEGIN, END = "<!-- inputs:begin -->", "<!-- inputs:end -->"


def load_json(path):
    with open(path, encoding="utf-8-sig") as f:
        return json.load(f)


def task():
    return load_json(TASK_JSON)


def task_ref(t):
    return "%s@%d" % (t["name"], t["version"]["Major"])


def task_version(t):
    v = t["version"]
    return "%d.%d.%d" % (v["Major"], v["Minor"], v["Patch"])


def env_name(input_name):
    # The agent's VarUtil.ConvertToEnvVariableFormat: upper case, '.' and ' ' become '_'.
    return "INPUT_" + input_name.replace(".", "_").replace(" ", "_").upper()


def load_yaml(path):
    # Azure Pipelines reads every scalar as a string: BaseLoader does the same.
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=yaml.BaseLoader)


# ---------------------------------------------------------------- README inputs table

def _cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def _description(inp):
    help_text = inp.get("helpMarkDown", "")
    help_text = re.sub(r"\s*Environment variable: `[^`]*`\.?", "", help_text).strip()
    return help_text or inp["label"]


def inputs_table(t=None):
    t = t or task()
    rows = ["| Input | Environment variable | Required | Default | Description |",
            "|---|---|---|---|---|"]
    for inp in t["inputs"]:
        default = inp.get("defaultValue", "")
        default = "`%s`" % default if default not in ("", None) else ""
        rows.append("| `%s` | `%s` | %s | %s | %s |" % (
            inp["name"], env_name(inp["name"]), "yes" if inp.get("required") else "no",
            _cell(default), _cell(_description(inp))))
    return "\n".join(rows)


def parse_readme_table(text):
    if BEGIN not in text or END not in text:
        return None
    block = text.split(BEGIN, 1)[1].split(END, 1)[0]
    rows = []
    for line in block.splitlines():
        line = line.strip()
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip("|"))]
        if all(re.fullmatch(r":?-{3,}:?", c) for c in cells if c):
            continue
        rows.append([c.strip("`").strip() for c in cells])
    if not rows:
        return []
    header, body = rows[0], rows[1:]
    return [dict(zip(header, r)) for r in body]


# ---------------------------------------------------------------- pipeline schema

_STRING_BOOL = {"type": "string", "pattern": "^([Tt]rue|TRUE|[Ff]alse|FALSE)$"}
_STRING_INT = {"type": "string", "pattern": r"^[+-]?\d+$"}
_STRING_NUMBER = {"type": "string", "pattern": r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"}
_STRING_FOR = {"boolean": _STRING_BOOL, "integer": _STRING_INT, "number": _STRING_NUMBER}


def accept_string_scalars(node):
    """Let boolean/integer/number accept the strings Azure Pipelines would accept."""
    if isinstance(node, list):
        for item in node:
            accept_string_scalars(item)
        return
    if not isinstance(node, dict):
        return
    for value in node.values():
        accept_string_scalars(value)
    typ = node.get("type")
    if not (isinstance(typ, str) or (isinstance(typ, list) and all(isinstance(x, str) for x in typ))):
        return  # no type here, or a property that happens to be called "type"
    types = typ if isinstance(typ, list) else [typ]
    extra = [_STRING_FOR[t] for t in types if t in _STRING_FOR]
    if extra and "string" not in types:
        del node["type"]
        node.setdefault("allOf", []).append({"anyOf": [{"type": typ}] + copy.deepcopy(extra)})


def task_schema_entry(t):
    """The definitions.task entry an organization's schema would hold for this task."""
    props, required = {}, []
    for inp in t["inputs"]:
        kind = inp["type"]
        if kind in ("pickList", "radio") and inp.get("options") and \
                inp.get("properties", {}).get("EditableOptions") != "True":
            schema = {"enum": list(inp["options"].keys()), "ignoreCase": "all"}
        elif kind == "boolean":
            schema = {"type": "boolean", "ignoreCase": "key"}
        elif kind == "int":
            schema = {"type": "integer", "ignoreCase": "key"}
        else:
            schema = {"type": "string", "ignoreCase": "key"}
        schema["description"] = inp["label"]
        if inp.get("aliases"):
            schema["aliases"] = inp["aliases"]
        props[inp["name"]] = schema
        for alias in inp.get("aliases", []):
            props[alias] = dict(schema)
        if inp.get("required"):
            required.append(inp["name"])
    return {
        "properties": {
            "task": {"description": t["friendlyName"], "ignoreCase": "value",
                     "pattern": "^%s$" % re.escape(task_ref(t))},
            "inputs": {"description": t["friendlyName"] + " inputs", "properties": props,
                       "additionalProperties": False, "required": required},
        },
        "doNotSuggest": False,
        "firstProperty": ["task"],
        "required": ["task", "inputs"] if required else ["task"],
    }


_VALIDATOR = None


def pipeline_validator():
    global _VALIDATOR
    if _VALIDATOR is None:
        schema = load_json(os.path.join(SPECS, "azure-pipelines-service-schema.json"))
        t = task()
        tasks = schema["definitions"]["task"]
        tasks["anyOf"].append(task_schema_entry(t))
        tasks["properties"]["task"]["anyOf"].append(
            {"description": t["friendlyName"], "doNotSuggest": False, "ignoreCase": "value",
             "enum": [task_ref(t)]})
        accept_string_scalars(schema)
        cls = jsonschema.validators.validator_for(schema)
        _VALIDATOR = cls(schema)
    return _VALIDATOR


def find_task_steps(node, ref):
    if isinstance(node, dict):
        if node.get("task") == ref:
            yield node
        for value in node.values():
            yield from find_task_steps(value, ref)
    elif isinstance(node, list):
        for item in node:
            yield from find_task_steps(item, ref)


def explain(error):
    """Follow a oneOf/anyOf error into its most plausible branch: the one that does not
    reject the step's `task` name, with the fewest errors, reaching deepest."""
    while error.context:
        branches = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)

        def score(errs):
            wrong_task = any(list(e.relative_path)[-1:] == ["task"] for e in errs)
            return (wrong_task, len(errs), -max(len(e.absolute_path) for e in errs))
        errs = min(branches.values(), key=score)
        error = jsonschema.exceptions.best_match(errs) or errs[0]
    return error


def describe(error):
    path = "/".join(str(p) for p in error.absolute_path) or "(top)"
    return "%s: %s" % (path, error.message[:400])


# ---------------------------------------------------------------- tests

class TaskJson(unittest.TestCase):
    def test_a_validates_against_task_schema(self):
        schema = load_json(os.path.join(SPECS, "tasks.schema.json"))
        errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(task()), key=str)
        self.assertEqual([], [describe(e) for e in errors])

    def test_a_inputs_are_consistent(self):
        t = task()
        names = [i["name"] for i in t["inputs"]]
        self.assertEqual(len(names), len(set(n.lower() for n in names)), "duplicate input names")
        groups = {g["name"] for g in t.get("groups", [])}
        for inp in t["inputs"]:
            with self.subTest(input=inp["name"]):
                self.assertIn("helpMarkDown", inp)
                self.assertIn(env_name(inp["name"]), inp["helpMarkDown"])
                if "groupName" in inp:
                    self.assertIn(inp["groupName"], groups)
                if inp["type"] == "pickList":
                    self.assertTrue(inp.get("options"))
                    if inp.get("defaultValue"):
                        self.assertIn(inp["defaultValue"], inp["options"])
                for rule in [inp.get("visibleRule")] if inp.get("visibleRule") else []:
                    for ref in re.findall(r"([A-Za-z][A-Za-z0-9]*)\s*(?:=|!=)", rule):
                        self.assertIn(ref, names, "visibleRule refers to an unknown input")
        for handler in ("Node20_1", "Node24"):
            self.assertEqual("run.js", t["execution"][handler]["target"])
        self.assertTrue(os.path.isfile(os.path.join(REPO, "scripts", "handler", "run.js")))

    def test_a_settable_variables_are_exactly_the_output_variables(self):
        # The agent ignores (with a warning) a setvariable for a name not in the list; every name the
        # binary sets must be in it, and the README lists them.
        t = task()
        allowed = t["restrictions"]["settableVariables"]["allowed"]
        self.assertEqual([v["name"] for v in t["outputVariables"]], allowed)
        self.assertNotIn("commands", t["restrictions"], "restricted mode would drop task.uploadsummary (README)")
        sources = ""
        for path in glob.glob(os.path.join(REPO, "Sources", "**", "*.swift"), recursive=True):
            with open(path, encoding="utf-8") as f:
                sources += f.read()
        set_names = set(re.findall(r'set(?:Secret)?Variable\(\s*"([A-Za-z]+)"', sources))
        self.assertTrue(set_names)
        self.assertEqual(set(), set_names - set(allowed), "variables the binary sets but task.json does not allow")
        with open(README, encoding="utf-8") as f:
            listed = re.search(r"Output variables: (.*?)\.\n", f.read(), re.S)
        self.assertIsNotNone(listed, "README.md lists the output variables ('Output variables: ...')")
        self.assertEqual(allowed, re.findall(r"`([A-Za-z]+)`", listed.group(1)))


def rule_actions(rule, actions):
    """The actions for which a visibleRule of the form `action = a || action = b` holds
    (no rule: every action)."""
    if not rule:
        return set(actions)
    terms = [t.strip() for t in rule.split("||")]
    found = set()
    for term in terms:
        m = re.fullmatch(r"action\s*=\s*([A-Za-z0-9-]+)", term)
        if not m:
            raise AssertionError("visibleRule term %r is not `action = <action>`" % term)
        found.add(m.group(1))
    return found


def designed_visibility(actions):
    """docs/inputs.md's column "visible for actions" per input: `all`, `same` (as the row before),
    or a comma-separated list of actions and wildcards such as `pat-*`."""
    import fnmatch
    path = os.path.join(REPO, "docs", "inputs.md")
    visible, previous = {}, set(actions)
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("name |"))
    columns = [c.strip() for c in lines[header].split("|")]
    column = columns.index("visible for actions")
    for line in lines[header + 2:]:
        cells = [c.strip() for c in line.split("|")]
        if len(cells) <= column or not re.fullmatch(r"[a-z][A-Za-z0-9]*", cells[0]):
            continue
        text = cells[column]
        if text == "all":
            shown = set(actions)
        elif text == "same":
            shown = set(previous)
        else:
            shown = set()
            for pattern in [p.strip() for p in text.split(",") if p.strip()]:
                matched = fnmatch.filter(actions, pattern)
                if not matched:
                    raise AssertionError("docs/inputs.md: %s names no action (%r)" % (cells[0], pattern))
                shown.update(matched)
        visible[cells[0]] = previous = shown
    return visible


class Groups(unittest.TestCase):
    """The classic editor shows an input only for the actions that use it, and a group for exactly
    the actions for which one of its inputs shows: no empty group, no input hidden by its group."""

    def actions(self):
        return list(next(i for i in task()["inputs"] if i["name"] == "action")["options"])

    def test_g_inputs_show_for_the_actions_docs_inputs_md_names(self):
        actions = self.actions()
        designed = designed_visibility(actions)
        for inp in task()["inputs"]:
            if inp["name"] == "action":
                continue
            with self.subTest(input=inp["name"]):
                self.assertEqual(sorted(designed[inp["name"]]),
                                 sorted(rule_actions(inp.get("visibleRule"), actions)))

    def test_g_each_group_shows_for_exactly_the_actions_of_its_inputs(self):
        t = task()
        actions = self.actions()
        for group in t.get("groups", []):
            members = [i for i in t["inputs"] if i.get("groupName") == group["name"]]
            with self.subTest(group=group["name"]):
                self.assertTrue(members, "group without inputs")
                used = set().union(*(rule_actions(i.get("visibleRule"), actions) for i in members))
                self.assertEqual(sorted(used), sorted(rule_actions(group.get("visibleRule"), actions)))


class DesignTable(unittest.TestCase):
    def test_a_inputs_follow_docs_inputs_md(self):
        """task.json has exactly the inputs of docs/inputs.md, with the same required flag."""
        path = os.path.join(REPO, "docs", "inputs.md")
        if not os.path.exists(path):
            self.skipTest("docs/inputs.md does not exist")
        designed = {}
        with open(path, encoding="utf-8") as f:
            for line in f:
                cells = [c.strip() for c in line.split("|")]
                if len(cells) > 3 and re.fullmatch(r"[a-z][A-Za-z0-9]*", cells[0]) and cells[0] != "name":
                    designed[cells[0]] = cells[2] == "yes"
        actual = {i["name"]: bool(i.get("required")) for i in task()["inputs"]}
        self.assertEqual(sorted(designed), sorted(actual), "inputs differ from docs/inputs.md")
        self.assertEqual(designed, actual, "required flags differ from docs/inputs.md")


class Pipelines(unittest.TestCase):
    def test_b_there_are_pipelines(self):
        self.assertTrue(PIPELINES, "no pipelines/*.yml")

    def test_b_pipelines_validate_against_service_schema(self):
        validator = pipeline_validator()
        for path in PIPELINES:
            with self.subTest(pipeline=os.path.basename(path)):
                doc = load_yaml(path)
                error = jsonschema.exceptions.best_match(validator.iter_errors(doc))
                if error is not None:
                    self.fail("%s\n  best match: %s\n  most likely: %s" % (
                        os.path.relpath(path, REPO), describe(error), describe(explain(error))))

    def test_b_schema_rejects_a_misspelt_input(self):
        # The generated entry really constrains the inputs (guards the test itself).
        validator = pipeline_validator()
        doc = {"steps": [{"task": task_ref(task()), "inputs": {"action": "pat-list", "acton": "x"}}]}
        self.assertFalse(validator.is_valid(doc))
        doc = {"steps": [{"task": task_ref(task()), "inputs": {"action": "pat-list", "dryRun": "true",
                                                              "maxParallel": "4"}}]}
        self.assertTrue(validator.is_valid(doc), describe(jsonschema.exceptions.best_match(
            validator.iter_errors(doc))) if not validator.is_valid(doc) else "")

    def test_c_task_inputs_exist_and_required_are_given(self):
        t = task()
        known = {i["name"] for i in t["inputs"]} | {a for i in t["inputs"] for a in i.get("aliases", [])}
        required = [i for i in t["inputs"] if i.get("required")]
        used = 0
        for path in PIPELINES:
            for step in find_task_steps(load_yaml(path), task_ref(t)):
                used += 1
                given = step.get("inputs") or {}
                with self.subTest(pipeline=os.path.basename(path), step=step.get("displayName")):
                    self.assertEqual([], sorted(set(given) - known), "unknown inputs")
                    for inp in required:
                        names = [inp["name"]] + inp.get("aliases", [])
                        self.assertTrue(any(given.get(n) for n in names),
                                        "required input %s missing" % inp["name"])
        self.assertGreater(used, 0, "no pipeline uses %s" % task_ref(t))


# ---------------------------------------------------------------- samples through the binary

DOCS_WITH_SNIPPETS = [os.path.join(REPO, "README.md"), os.path.join(REPO, "overview.md")]
DUMMY_GUID = "00000000-0000-4000-8000-000000000001"
ENDPOINT_ID = "00000000-0000-4000-8000-0000000000e1"
GUID_VARIABLES = {"INPUT_TENANTID", "INPUT_CLIENTID", "INPUT_APPLICATIONID"}
COLLECTION = "https://dev.azure.com/contoso/"


def fenced_blocks(path, languages):
    """The fenced code blocks of a Markdown file in one of `languages`, as (first line, text)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    pattern = r"^```(%s)[ \t]*\n(.*?)^```" % "|".join(languages)
    return [(text[:m.start()].count("\n") + 1, m.group(2))
            for m in re.finditer(pattern, text, re.MULTILINE | re.DOTALL)]


def expand(value, variable, temp_dir):
    """Fills `$(macro)` and `<placeholder>` with what the agent (or the user) would put there."""
    def one(match):
        name = match.group(1) or ""
        if name.lower() == "agent.tempdirectory":
            return temp_dir
        if variable in GUID_VARIABLES:
            return DUMMY_GUID
        return "dummy-" + (re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "value")
    return re.sub(r"\$\(([^)]*)\)|<[^<>\n]*>", one, value)


def agent_environment(temp_dir):
    """The variables the agent gives every step of a job (non-secret system variables)."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "SYSTEM_COLLECTIONURI": COLLECTION, "SYSTEM_TEAMFOUNDATIONCOLLECTIONURI": COLLECTION,
        "SYSTEM_TEAMPROJECT": "Platform", "SYSTEM_HOSTTYPE": "build", "AGENT_OS": "Linux",
        "SYSTEM_OIDCREQUESTURI": COLLECTION + DUMMY_GUID + "/_apis/distributedtask/hubs/build/plans/"
                                 + DUMMY_GUID + "/jobs/" + DUMMY_GUID + "/oidctoken",
        "AGENT_TEMPDIRECTORY": temp_dir,
    }


def task_step_environment(step, t, temp_dir):
    """What the agent hands a RotateCredential@1 step: every input (its value, else its expanded
    default), the job's access token, the service connection's variables, and the step's env."""
    env = agent_environment(temp_dir)
    env["ENDPOINT_URL_SYSTEMVSSCONNECTION"] = COLLECTION
    env["ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN"] = "dummy-job-access-token"
    given = step.get("inputs") or {}
    for inp in t["inputs"]:
        value = next((given[n] for n in [inp["name"]] + inp.get("aliases", []) if n in given),
                     inp.get("defaultValue", ""))
        if value not in ("", None):
            env[env_name(inp["name"])] = expand(str(value), env_name(inp["name"]), temp_dir)
    if env.get("INPUT_AZURESUBSCRIPTION"):
        # The agent passes the connection's id and its authorization (here: workload identity federation).
        env["INPUT_AZURESUBSCRIPTION"] = ENDPOINT_ID
        env.update({"ENDPOINT_URL_" + ENDPOINT_ID: "https://management.azure.com/",
                    "ENDPOINT_AUTH_SCHEME_" + ENDPOINT_ID: "WorkloadIdentityFederation",
                    "ENDPOINT_AUTH_PARAMETER_%s_TENANTID" % ENDPOINT_ID: DUMMY_GUID,
                    "ENDPOINT_AUTH_PARAMETER_%s_SERVICEPRINCIPALID" % ENDPOINT_ID: DUMMY_GUID})
    for name, value in (step.get("env") or {}).items():
        env[name] = expand(str(value), name, temp_dir)
    return env


def script_step_environment(step, temp_dir):
    """A script step that runs the binary itself: only the job's variables and the step's env."""
    env = agent_environment(temp_dir)
    for name, value in step["env"].items():
        env[name] = expand(str(value), name, temp_dir)
    return env


def shell_environment(text, temp_dir):
    """`export NAME=value ...` lines of a shell snippet, as the shell would set them."""
    import shlex
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TMPDIR": temp_dir}
    for line in text.splitlines():
        line = re.sub(r"<[^<>\n]*>", lambda m: "'%s'" % m.group(0), line.split("#", 1)[0])
        words = shlex.split(line)
        if words[:1] != ["export"]:
            continue
        for word in words[1:]:
            name, _, value = word.partition("=")
            env[name] = expand(value, name, temp_dir)
    return env


def sample_runs():
    """(where, environment builder) for every use of the task in pipelines/ and in the docs."""
    t = task()
    ref = task_ref(t)
    runs = []

    def add_document(where, doc):
        for step in find_task_steps(doc, ref):
            runs.append(("%s: step %s" % (where, step.get("displayName") or step.get("name") or ref),
                         lambda tmp, step=step: task_step_environment(step, t, tmp)))
        for step in find_script_steps(doc):
            runs.append(("%s: script step %s" % (where, step.get("displayName") or ""),
                         lambda tmp, step=step: script_step_environment(step, tmp)))

    for path in PIPELINES:
        add_document(os.path.relpath(path, REPO), load_yaml(path))
    for path in DOCS_WITH_SNIPPETS:
        for line, text in fenced_blocks(path, ["yaml", "yml"]):
            if ref in text:
                add_document("%s line %d" % (os.path.basename(path), line), yaml.load(text, Loader=yaml.BaseLoader))
        for line, text in fenced_blocks(path, ["sh", "bash", "shell"]):
            if "INPUT_ACTION" in text:
                runs.append(("%s line %d" % (os.path.basename(path), line),
                             lambda tmp, text=text: shell_environment(text, tmp)))
    return runs


def find_script_steps(node):
    """Script steps that run the binary: their env sets INPUT_ACTION."""
    if isinstance(node, dict):
        if isinstance(node.get("env"), dict) and "INPUT_ACTION" in node["env"] and "task" not in node:
            yield node
        for value in node.values():
            yield from find_script_steps(value)
    elif isinstance(node, list):
        for item in node:
            yield from find_script_steps(item)


def task_binary():
    path = os.environ.get("ROTATE_CREDENTIAL_BINARY") or os.path.join(REPO, ".build", "debug", "rotate-credential")
    return path if os.path.isfile(path) and os.access(path, os.X_OK) else None


class Samples(unittest.TestCase):
    """Every sample pipeline and every snippet in README.md and overview.md passes the binary's own
    input validation (`rotate-credential --check-inputs`: everything a run checks, no call)."""

    def test_samples_pass_the_binarys_input_validation(self):
        binary = task_binary()
        if binary is None:
            self.skipTest("build the task (swift build) or set ROTATE_CREDENTIAL_BINARY")
        import tempfile
        runs = sample_runs()
        self.assertGreaterEqual(len([w for w, _ in runs if w.startswith("pipelines/")]), len(PIPELINES) - 1)
        self.assertTrue(any(w.startswith("overview.md") for w, _ in runs), "overview.md has no snippet with the task")
        self.assertTrue(any(w.startswith("README.md") for w, _ in runs), "README.md has no snippet with the task")
        for where, environment in runs:
            with self.subTest(where), tempfile.TemporaryDirectory(prefix="check-inputs-") as tmp:
                out = subprocess.run([binary, "--check-inputs"], env=environment(tmp), capture_output=True,
                                     text=True, timeout=60)
                errors = [line for line in out.stdout.splitlines() if "type=error" in line]
                self.assertEqual((0, []), (out.returncode, errors), out.stdout + out.stderr)


class Actions(unittest.TestCase):
    """The `action` pickList of task.json is the binary's registry of actions (ActionRegistry, which
    `--help` lists), in the same order."""

    def test_h_action_picklist_is_the_binarys_registry(self):
        binary = task_binary()
        if binary is None:
            self.skipTest("build the task (swift build) or set ROTATE_CREDENTIAL_BINARY")
        out = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=60)
        self.assertEqual(0, out.returncode, out.stderr)
        listed = [line for line in out.stdout.splitlines() if line.startswith("Actions: ")]
        self.assertEqual(1, len(listed), "--help has no 'Actions: ...' line")
        registry = [name.strip() for name in listed[0][len("Actions: "):].rstrip(".").split(",")]
        action = next(i for i in task()["inputs"] if i["name"] == "action")
        self.assertEqual(registry, list(action["options"]))


class Readme(unittest.TestCase):
    def test_d_inputs_table_matches_task_json(self):
        if not os.path.exists(README):
            self.skipTest("README.md does not exist yet; write its inputs table with "
                          "`python3 scripts/checks/check_contract.py --print-inputs-table`")
        with open(README, encoding="utf-8") as f:
            rows = parse_readme_table(f.read())
        self.assertIsNotNone(rows, "README.md has no %s ... %s block" % (BEGIN, END))
        expected = {i["name"]: i for i in task()["inputs"]}
        listed = {}
        for row in rows:
            self.assertIn("Input", row, "the table needs the columns Input | Environment variable | "
                          "Required | Default | Description")
            listed[row["Input"]] = row
        self.assertEqual(sorted(expected), sorted(listed), "README inputs differ from task.json")
        for name, inp in expected.items():
            with self.subTest(input=name):
                row = listed[name]
                self.assertEqual(env_name(name), row.get("Environment variable"))
                self.assertEqual("yes" if inp.get("required") else "no",
                                 row.get("Required", "").lower())


class Versions(unittest.TestCase):
    def test_e_versions_agree(self):
        t, ext = task(), load_json(EXTENSION_JSON)
        self.assertEqual(task_version(t), ext["version"])
        contribution_names = [c.get("properties", {}).get("name") for c in ext.get("contributions", [])
                              if c.get("type") == "ms.vss-distributed-task.task"]
        self.assertEqual([t["name"]], contribution_names)
        self.assertIn(t["name"], [f["path"] for f in ext.get("files", [])])

    def test_e_binary_version(self):
        binary = os.environ.get("ROTATE_CREDENTIAL_BINARY")
        if not binary:
            self.skipTest("set ROTATE_CREDENTIAL_BINARY to a built binary to check its --version")
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=60)
        self.assertEqual(0, out.returncode, out.stderr)
        self.assertEqual("rotate-credential " + task_version(task()), out.stdout.strip())


if __name__ == "__main__":
    if "--print-inputs-table" in sys.argv:
        print(BEGIN)
        print(inputs_table())
        print(END)
        sys.exit(0)
    unittest.main()
