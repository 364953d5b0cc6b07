#!/usr/bin/env python3
"""Checks the packaged extension (python3 unittest, standard library only).

    python3 scripts/checks/check_vsix.py -v            # newest existing dist/*.vsix
    python3 scripts/checks/check_vsix.py -v --build    # run scripts/package first, into a temporary folder
    RUN_PACKAGE_TEST=1 python3 scripts/checks/check_vsix.py -v   # same as --build

With --build the package is written to a temporary folder that is removed afterwards (dist/
is left alone). scripts/package honours ROTATE_CREDENTIAL_BINARY (package a prebuilt binary
instead of running the release build), so this also works with a hand-made stub binary; the
check that the packaged binary needs no Swift runtime library then tells a debug build apart.

Checks: extension.vsixmanifest parses, names the right identity and assets that exist; a public
package (and one built with --repository, as --build does) has its Marketplace links and an
overview.md whose links are absolute;
[Content_Types].xml covers every file; RotateCredential/task.json equals ./task.json;
run.js and the icons exist; the binary is stored with mode 0755, runs and prints
"rotate-credential <version>" for --version; `node RotateCredential/run.js` without
INPUT_ACTION starts the binary, which reports its input errors (exit code 1), and exits 0 (the
binary reported the step's result), also when the binary lost its executable bit; it fails the
step when the binary crashes or reports nothing; without a binary it fails the task cleanly; when
the binary cannot start (missing library, too old glibc, glibc's loader missing as on musl) it
fails naming that and the supported agents. On Linux the binary is stripped, has no RUNPATH,
links only the C/C++ runtime (libcurl is loaded on the first request, not at start), and contains
neither Foundation, FoundationNetworking nor ICU (only FoundationEssentials).
"""
import glob
import json
import os
import platform
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET
import zipfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VSX = "{http://schemas.microsoft.com/developer/vsx-schema/2011}"
CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
BUILD = "--build" in sys.argv or os.environ.get("RUN_PACKAGE_TEST") == "1"
# What --build passes as --repository: a package with the Marketplace page's links.
SAMPLE_REPOSITORY = "https://github.com/contoso/rotate-credential"
LINKS = "Microsoft.VisualStudio.Services.Links."
if "--build" in sys.argv:
    sys.argv.remove("--build")


def host_platform():
    arch = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}.get(
        platform.machine().lower(), platform.machine())
    return "%s-%s" % (sys.platform if sys.platform != "darwin" else "darwin", arch)


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def expected_version():
    return load_json(os.path.join(REPO, "vss-extension.json"))["version"]


def find_vsix(build_dir):
    folder = os.path.join(REPO, "dist")
    if BUILD:
        folder = os.path.join(build_dir, "dist")
        subprocess.run([os.path.join(REPO, "scripts", "package"), "--output", folder,
                        "--repository", SAMPLE_REPOSITORY], cwd=REPO, check=True)
    candidates = sorted(glob.glob(os.path.join(folder, "*.vsix")), key=os.path.getmtime)
    return candidates[-1] if candidates else None


def tfx_content_type(path):
    """What tfx-cli gives a file without an extension on Linux: `file --mime-type`, else octet-stream."""
    if shutil.which("file"):
        out = subprocess.run(["file", "--mime-type", "-b", path], capture_output=True, text=True)
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    return "application/octet-stream"


def extract(vsix, dest):
    """Unzip keeping the Unix modes stored in external_attr (zipfile drops them)."""
    with zipfile.ZipFile(vsix) as z:
        for info in z.infolist():
            path = z.extract(info, dest)
            mode = (info.external_attr >> 16) & 0o7777
            if mode:
                os.chmod(path, mode)


class Vsix(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="check-vsix-")
        try:
            cls.vsix = find_vsix(cls.tmp)
        except BaseException:
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise
        if cls.vsix is None:
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise unittest.SkipTest("no dist/*.vsix: run scripts/package, or this check with --build")
        cls.root = os.path.join(cls.tmp, "vsix")
        extract(cls.vsix, cls.root)
        with zipfile.ZipFile(cls.vsix) as z:
            cls.infos = {i.filename: i for i in z.infolist() if not i.filename.endswith("/")}
        cls.task_dir = os.path.join(cls.root, "RotateCredential")
        cls.binary = os.path.join(cls.task_dir, "bin", host_platform(), "rotate-credential")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_file_name_is_the_one_tfx_writes(self):
        # tfx: <publisher>.<extension id>-<version>.vsix, the publisher from the vsixmanifest.
        ident = ET.parse(os.path.join(self.root, "extension.vsixmanifest")).getroot().find(
            VSX + "Metadata/" + VSX + "Identity")
        ext = load_json(os.path.join(REPO, "vss-extension.json"))
        self.assertEqual(ext["id"], ident.get("Id"))
        self.assertEqual("%s.%s-%s.vsix" % (ident.get("Publisher"), ext["id"], expected_version()),
                         os.path.basename(self.vsix))

    def test_public_flag_becomes_the_gallery_flag(self):
        ext = load_json(os.path.join(REPO, "vss-extension.json"))
        self.assertIn("public", ext, "vss-extension.json says whether the extension is public")
        flags = (ET.parse(os.path.join(self.root, "extension.vsixmanifest")).getroot().findtext(
            VSX + "Metadata/" + VSX + "GalleryFlags") or "").split()
        self.assertEqual(ext["public"], "Public" in flags, flags)

    def properties(self):
        pm = ET.parse(os.path.join(self.root, "extension.vsixmanifest")).getroot()
        return {p.get("Id"): p.get("Value") for p in pm.iter(VSX + "Property")}

    def test_a_published_package_has_its_links(self):
        # A public package (and every package built with --repository) carries support, privacy
        # policy, repository and get-started links, and the license link once a LICENSE exists;
        # overview.md's relative links point into the repository.
        properties = self.properties()
        flags = (ET.parse(os.path.join(self.root, "extension.vsixmanifest")).getroot().findtext(
            VSX + "Metadata/" + VSX + "GalleryFlags") or "").split()
        if "Public" not in flags and LINKS + "GitHub" not in properties:
            self.skipTest("a private package built without --repository has no links")
        required = ["Support", "Privacypolicy", "GitHub", "Getstarted"]
        if os.path.isfile(os.path.join(REPO, "LICENSE")) or "Public" in flags:
            required.append("License")
        for name in required:
            with self.subTest(link=name):
                self.assertRegex(properties.get(LINKS + name) or "", r"^https://")
        if BUILD:
            self.assertEqual(SAMPLE_REPOSITORY + "/issues", properties[LINKS + "Support"])
            self.assertEqual(SAMPLE_REPOSITORY + "/blob/HEAD/docs/privacy.md", properties[LINKS + "Privacypolicy"])
        with open(os.path.join(self.root, "overview.md"), encoding="utf-8") as f:
            targets = [m.group(1) for m in re.finditer(r"\]\(([^)\s]+)\)", f.read())]
        self.assertTrue(targets)
        self.assertEqual([], [t for t in targets if not t.startswith(("https://", "mailto:", "#"))])

    def test_source_manifest_is_not_shipped(self):
        # tfx builds extension.vsixmanifest and extension.vsomanifest from vss-extension.json
        # and does not put the source manifest itself into the package.
        self.assertNotIn("vss-extension.json", self.infos)

    def test_vsixmanifest(self):
        tree = ET.parse(os.path.join(self.root, "extension.vsixmanifest"))
        pm = tree.getroot()
        self.assertEqual(VSX + "PackageManifest", pm.tag)
        self.assertEqual("2.0.0", pm.get("Version"))
        ext = load_json(os.path.join(REPO, "vss-extension.json"))
        ident = pm.find(VSX + "Metadata/" + VSX + "Identity")
        self.assertEqual((ext["id"], ext["version"], ext["publisher"]),
                         (ident.get("Id"), ident.get("Version"), ident.get("Publisher")))
        self.assertEqual(ext["name"], pm.findtext(VSX + "Metadata/" + VSX + "DisplayName"))
        targets = [t.get("Id") for t in pm.iter(VSX + "InstallationTarget")]
        self.assertTrue(targets)
        self.assertTrue(all(t.startswith("Microsoft.VisualStudio.Services") for t in targets), targets)
        assets = {a.get("Type"): a.get("Path") for a in pm.iter(VSX + "Asset")}
        for required in ("Microsoft.VisualStudio.Services.Manifest",
                         "Microsoft.VisualStudio.Services.Content.Details",
                         "Microsoft.VisualStudio.Services.Icons.Default"):
            self.assertIn(required, assets)
        for kind, path in assets.items():
            self.assertIn(path, self.infos, "asset %s names %s, which is not in the package" % (kind, path))
        icon = pm.findtext(VSX + "Metadata/" + VSX + "Icon")
        self.assertIn(icon, self.infos)

    def test_vsomanifest_contributes_the_task(self):
        vso = load_json(os.path.join(self.root, "extension.vsomanifest"))
        self.assertEqual(1, vso["manifestVersion"])
        tasks = [c for c in vso["contributions"] if c["type"] == "ms.vss-distributed-task.task"]
        self.assertEqual(["RotateCredential"], [c["properties"]["name"] for c in tasks])
        self.assertTrue(os.path.isdir(os.path.join(self.root, tasks[0]["properties"]["name"])))

    def test_content_types_cover_every_file(self):
        root = ET.parse(os.path.join(self.root, "[Content_Types].xml")).getroot()
        defaults = {d.get("Extension").lower().lstrip(".") for d in root.iter(CT + "Default")}
        overrides = {o.get("PartName") for o in root.iter(CT + "Override")}
        for name in self.infos:
            if name == "[Content_Types].xml":
                continue
            ext = os.path.splitext(name)[1].lower().lstrip(".")
            with self.subTest(file=name):
                self.assertTrue(ext in defaults or "/" + name in overrides,
                                "%s has no content type" % name)

    def test_content_types_are_the_ones_tfx_gives(self):
        root = ET.parse(os.path.join(self.root, "[Content_Types].xml")).getroot()
        defaults = {d.get("Extension").lower(): d.get("ContentType") for d in root.iter(CT + "Default")}
        overrides = {o.get("PartName"): o.get("ContentType") for o in root.iter(CT + "Override")}
        for ext, kind in {".json": "application/json", ".js": "application/javascript", ".png": "image/png",
                          ".md": "text/markdown", ".vsixmanifest": "text/xml",
                          ".vsomanifest": "application/json"}.items():
            self.assertEqual(kind, defaults.get(ext), ext)
        for name in self.infos:
            if not os.path.splitext(name)[1] and name != "[Content_Types].xml":
                with self.subTest(file=name):
                    self.assertEqual(tfx_content_type(os.path.join(self.root, name)), overrides.get("/" + name))

    def test_binary_needs_no_swift_runtime_library(self):
        # A release build with the static Swift runtime; a debug build links libswiftCore.so & co.
        if shutil.which("readelf") is None or not sys.platform.startswith("linux"):
            self.skipTest("readelf (Linux) is needed")
        out = subprocess.run(["readelf", "-d", self.binary], capture_output=True, text=True)
        needed = [line.split("[")[-1].rstrip("]") for line in out.stdout.splitlines() if "(NEEDED)" in line]
        self.assertEqual([], [n for n in needed if n.startswith("libswift") or n.startswith("libFoundation")
                              or n.startswith("libdispatch")], needed)

    def test_task_folder(self):
        self.assertEqual(load_json(os.path.join(REPO, "task.json")),
                         load_json(os.path.join(self.task_dir, "task.json")))
        for name in ("run.js", "icon.png"):
            self.assertTrue(os.path.isfile(os.path.join(self.task_dir, name)), name)
        with open(os.path.join(self.task_dir, "icon.png"), "rb") as f:
            self.assertEqual(b"\x89PNG\r\n\x1a\n", f.read(8))

    def test_binary_is_executable_and_prints_the_version(self):
        name = "RotateCredential/bin/%s/rotate-credential" % host_platform()
        self.assertIn(name, self.infos, "no binary for this host in the package")
        self.assertEqual(0o755, (self.infos[name].external_attr >> 16) & 0o777)
        self.assertTrue(os.access(self.binary, os.X_OK))
        out = subprocess.run([self.binary, "--version"], capture_output=True, text=True, timeout=60)
        self.assertEqual(0, out.returncode, out.stderr)
        self.assertEqual("rotate-credential " + expected_version(), out.stdout.strip())

    # -------- what the Linux binary is made of

    def _linux_binary(self):
        if not sys.platform.startswith("linux"):
            self.skipTest("Linux binaries only")
        if shutil.which("readelf") is None:
            self.skipTest("readelf (binutils) is not installed")
        with open(self.binary, "rb") as f:
            return f.read()

    def test_linux_binary_is_stripped_and_links_only_the_c_runtime(self):
        self._linux_binary()
        sections = subprocess.run(["readelf", "-S", "-W", self.binary], capture_output=True, text=True).stdout
        self.assertNotIn(".symtab", sections, "the packaged binary is not stripped")
        dynamic = subprocess.run(["readelf", "-d", self.binary], capture_output=True, text=True).stdout
        needed = [line.split("[")[1].rstrip("]") for line in dynamic.splitlines() if "(NEEDED)" in line]
        # Not libcurl: it is loaded on the first request, so a run that stops at its inputs never
        # maps it, OpenSSL and their ~30 libraries (README: performance).
        allowed = ("libc.so", "libm.so", "libdl.so", "libpthread.so", "librt.so", "libstdc++.so", "libgcc_s.so",
                   "ld-linux")
        self.assertEqual([], [n for n in needed if not n.startswith(allowed)], needed)

    def test_linux_binary_has_no_library_search_path(self):
        # A RUNPATH ($ORIGIN) would load a libcurl.so.4 placed beside the binary before the system's.
        self._linux_binary()
        dynamic = subprocess.run(["readelf", "-d", self.binary], capture_output=True, text=True).stdout
        self.assertEqual([], [line for line in dynamic.splitlines() if "(RUNPATH)" in line or "(RPATH)" in line])

    def test_linux_binary_has_no_foundation_networking_or_icu(self):
        data = self._linux_binary()
        # Swift's mangled names carry the module name with its length: 10Foundation is Foundation
        # itself (FoundationEssentials is 20FoundationEssentials); ICU brings its data and ucol_*.
        for marker in (b"10Foundation", b"FoundationNetworking", b"FoundationInternationalization",
                       b"_FoundationICU", b"icudt", b"ucol_open", b"NSURLSession"):
            self.assertNotIn(marker, data, "the binary contains %s" % marker.decode())

    # -------- the Node handler

    def _env(self):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("INPUT_", "ENDPOINT_", "SECRET_", "SYSTEM_"))}
        env["AGENT_TEMPDIRECTORY"] = self.tmp
        return env

    def _node(self, task_dir):
        if shutil.which("node") is None:
            self.skipTest("node is not installed")
        return subprocess.run(["node", os.path.join(task_dir, "run.js")], env=self._env(),
                              capture_output=True, text=True, timeout=120)

    def test_handler_exits_0_after_the_binary_reported_a_failure(self):
        # The agent runs the handler with requireExitCodeZero: a non-zero exit would add "Exit code 1
        # returned from process" to the task's own failure. The binary keeps its exit code.
        direct = subprocess.run([self.binary], env=self._env(), capture_output=True, text=True, timeout=120)
        self.assertEqual(1, direct.returncode, "the binary fails without INPUT_ACTION")
        via_node = self._node(self.task_dir)
        self.assertEqual(0, via_node.returncode, via_node.stdout + via_node.stderr)
        completes = [line for line in via_node.stdout.splitlines() if line.startswith("##vso[task.complete ")]
        self.assertEqual(1, len(completes), via_node.stdout)
        self.assertTrue(completes[0].startswith("##vso[task.complete result=Failed;]"), completes)

    def _handler_with_fake_binary(self, script):
        """The handler over a shell script that answers --version and then runs `script`."""
        copy = os.path.join(self.tmp, "fake-%d" % len(os.listdir(self.tmp)))
        shutil.copytree(self.task_dir, copy)
        binary = os.path.join(copy, "bin", host_platform(), "rotate-credential")
        with open(binary, "w") as f:
            f.write('#!/bin/sh\n[ "$1" = --version ] && { echo "rotate-credential 0"; exit 0; }\n%s\n' % script)
        os.chmod(binary, 0o755)
        return self._node(copy)

    def test_handler_fails_the_step_when_the_binary_crashes_or_reports_nothing(self):
        crashed = self._handler_with_fake_binary("kill -SEGV $$")
        self.assertEqual(1, crashed.returncode, crashed.stdout)
        self.assertIn("##vso[task.complete result=Failed;]rotate-credential was stopped by SIGSEGV", crashed.stdout)
        silent = self._handler_with_fake_binary("exit 3")
        self.assertEqual(3, silent.returncode, silent.stdout)
        self.assertIn("ended with exit code 3 without reporting a result", silent.stdout)
        # A fake that says it reported (on the handler's status pipe) ends the step with 0.
        reported = self._handler_with_fake_binary(
            'echo "##vso[task.complete result=Failed;]done"; echo "task.complete Failed" >&"$ROTATE_CREDENTIAL_STATUS_FD"; exit 1')
        self.assertEqual(0, reported.returncode, reported.stdout)
        self.assertNotIn("without reporting", reported.stdout)

    def test_handler_restores_the_executable_bit(self):
        copy = os.path.join(self.tmp, "no-x")
        shutil.copytree(self.task_dir, copy)
        binary = os.path.join(copy, "bin", host_platform(), "rotate-credential")
        os.chmod(binary, 0o644)
        via_node = self._node(copy)
        self.assertTrue(os.stat(binary).st_mode & stat.S_IXUSR, "run.js did not chmod +x the binary")
        self.assertNotIn("Could not start", via_node.stdout)
        self.assertIn("input error", via_node.stdout, "the binary ran and reported its input errors")

    def _handler_with_failing_binary(self, stderr):
        copy = os.path.join(self.tmp, "broken-%d" % len(os.listdir(self.tmp)))
        shutil.copytree(self.task_dir, copy)
        binary = os.path.join(copy, "bin", host_platform(), "rotate-credential")
        with open(binary, "w") as f:
            f.write("#!/bin/sh\ncat >&2 <<'EOF'\n%s\nEOF\nexit 127\n" % stderr)
        os.chmod(binary, 0o755)
        return self._node(copy)

    def test_handler_names_a_missing_library_and_the_supported_agents(self):
        loader = ("rotate-credential: error while loading shared libraries: libstdc++.so.6: "
                  "cannot open shared object file: No such file or directory")
        via_node = self._handler_with_failing_binary(loader)
        self.assertEqual(1, via_node.returncode)
        self.assertIn("##vso[task.complete result=Failed;]", via_node.stdout)
        self.assertIn("the library libstdc++.so.6 is missing", via_node.stdout)
        self.assertIn("Supported: Linux x64 agents with glibc 2.34", via_node.stdout)

    def test_handler_names_a_too_old_glibc(self):
        loader = "rotate-credential: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.34' not found"
        via_node = self._handler_with_failing_binary(loader)
        self.assertEqual(1, via_node.returncode)
        self.assertIn("it needs glibc 2.34 or later", via_node.stdout)

    def test_handler_names_a_missing_glibc_loader(self):
        # On Alpine (musl) glibc's loader is missing: exec fails with ENOENT although the binary
        # exists. A copy whose ELF interpreter names a loader that does not exist does the same here.
        self._linux_binary()
        copy = os.path.join(self.tmp, "no-loader")
        shutil.copytree(self.task_dir, copy)
        binary = os.path.join(copy, "bin", host_platform(), "rotate-credential")
        with open(binary, "rb") as f:
            data = f.read()
        loader = next((l for l in (b"/lib64/ld-linux-x86-64.so.2", b"/lib/ld-linux-aarch64.so.1") if l in data), None)
        self.assertIsNotNone(loader, "the binary names no glibc loader")
        missing = (b"/nonexistent/ld" + b"x" * len(loader))[:len(loader)]  # the same length: patched in place
        with open(binary, "wb") as f:
            f.write(data.replace(loader + b"\0", missing + b"\0", 1))
        via_node = self._node(copy)
        self.assertEqual(1, via_node.returncode, via_node.stdout)
        self.assertIn("its dynamic loader %s, which comes with glibc, is missing" % missing.decode(), via_node.stdout)
        self.assertNotIn("ENOENT", via_node.stdout)

    def test_handler_without_binary_fails_the_task(self):
        copy = os.path.join(self.tmp, "no-bin")
        shutil.copytree(self.task_dir, copy)
        shutil.rmtree(os.path.join(copy, "bin"))
        via_node = self._node(copy)
        self.assertEqual(1, via_node.returncode)
        self.assertIn("##vso[task.complete result=Failed;]", via_node.stdout)


if __name__ == "__main__":
    unittest.main()
