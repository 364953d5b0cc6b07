// Node handler of the RotateCredential task: starts the native rotate-credential
// binary that matches the agent's OS and CPU and hands it the whole task environment.
// It deliberately does not load azure-pipelines-task-lib: that library moves INPUT_*,
// ENDPOINT_AUTH_* and SECRET_* variables out of process.env, so the child would not
// see them. No npm packages, no arguments: secrets never appear on a command line.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawn, spawnSync } = require('child_process');

// Fail the step with a readable message (logging commands go to stdout).
function fail(message) {
  process.stdout.write(`##vso[task.logissue type=error;]${message}\n`);
  process.stdout.write(`##vso[task.complete result=Failed;]${message}\n`);
  process.exitCode = 1;
}

// The agents the packaged binary runs on (keep in step with README.md and task.json).
const SUPPORTED_AGENTS = 'Linux x64 agents with glibc 2.34 or later, libstdc++ of GCC 11 or later and libcurl 4 ' +
  '(Ubuntu 22.04 and 24.04, Debian 12, RHEL/Alma/Rocky 9, Amazon Linux 2023, the Microsoft-hosted ubuntu-22.04 ' +
  'and ubuntu-24.04 images); not Windows or macOS agents';
const platform = `${process.platform}-${process.arch}`;
const binary = path.join(__dirname, 'bin', platform, 'rotate-credential');

// The ELF interpreter (dynamic loader) a binary names, e.g. /lib64/ld-linux-x86-64.so.2; null when
// the file is not a 64-bit little-endian ELF file or names none.
function elfInterpreter(file) {
  try {
    const data = fs.readFileSync(file);
    if (data.readUInt32BE(0) !== 0x7f454c46 || data[4] !== 2 || data[5] !== 1) return null;
    const phoff = Number(data.readBigUInt64LE(0x20));
    const size = data.readUInt16LE(0x36);
    for (let i = 0; i < data.readUInt16LE(0x38); i++) {
      const header = phoff + i * size;
      if (data.readUInt32LE(header) !== 3) continue; // PT_INTERP
      const offset = Number(data.readBigUInt64LE(header + 8));
      const length = Number(data.readBigUInt64LE(header + 32));
      return data.toString('latin1', offset, offset + length).replace(/\0+$/, '');
    }
  } catch (_) { /* not readable as ELF */ }
  return null;
}

// Why the binary cannot start, in words, from the dynamic loader's message; null if it can.
// (libcurl is not among them: the binary loads it on its first request and, when it is missing,
// fails that request naming libcurl.so.4 and the package to install.)
function preflight() {
  const probe = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 30000, env: { PATH: process.env.PATH || '' } });
  if (!probe.error && probe.status === 0) return null;
  const said = `${probe.stderr || ''}${probe.error ? probe.error.message : ''}`;
  const library = /error while loading shared libraries: ([^:\s]+)/.exec(said);
  const version = /version `([A-Z_]+)_([0-9.]+)' not found/.exec(said);
  const header = process.report && process.report.getReport ? process.report.getReport().header : {};
  const glibc = header.glibcVersionRuntime ? ` (this agent has glibc ${header.glibcVersionRuntime})` : '';
  // The binary exists, so ENOENT from exec means its loader is missing: an agent without glibc.
  const loader = probe.error && probe.error.code === 'ENOENT' ? elfInterpreter(binary) : null;
  let why;
  if (loader && !fs.existsSync(loader)) {
    const libc = header.glibcVersionRuntime ? '' : ' (this agent has no glibc: musl, as on Alpine Linux)';
    why = `its dynamic loader ${loader}, which comes with glibc, is missing${libc}`;
  } else if (version && version[1] === 'GLIBC') why = `it needs glibc ${version[2]} or later${glibc}`;
  else if (version && version[1] === 'GLIBCXX') why = `it needs the C++ runtime of GCC 11 or later (libstdc++ lacks GLIBCXX_${version[2]})`;
  else if (version) why = `a library it needs lacks the symbol version ${version[1]}_${version[2]}`;
  else if (library) why = `the library ${library[1]} is missing`;
  else why = `'${path.basename(binary)} --version' failed (${probe.error ? probe.error.message : `exit code ${probe.status}`}): ${said.trim().split('\n')[0] || 'no message'}`;
  return `rotate-credential cannot run on this agent: ${why}. Supported: ${SUPPORTED_AGENTS}.`;
}

if (!fs.existsSync(binary)) {
  fail(`rotate-credential does not support agents on ${platform} (this task package has no binary for it). Supported: ${SUPPORTED_AGENTS}.`);
} else {
  // A task zip may lose the executable bit: restore it when needed.
  try {
    fs.accessSync(binary, fs.constants.X_OK);
  } catch (_) {
    try { fs.chmodSync(binary, 0o755); } catch (e) { /* the preflight will report it */ }
  }
  const problem = preflight();
  if (problem) {
    fail(problem);
    process.exit(1);
  }

  // Same stdio (logging commands flow straight to the agent) and the full environment; file
  // descriptor 3 is a status pipe on which the binary says that it reported the step's result.
  const child = spawn(binary, [], {
    stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
    env: { ...process.env, ROTATE_CREDENTIAL_STATUS_FD: '3' },
  });
  let status = '';
  child.stdio[3].on('data', (chunk) => { status += chunk; });
  child.stdio[3].on('error', () => { /* a status pipe that breaks says nothing */ });

  // On cancel the agent signals only this node process: pass the signal on.
  const forward = (signal) => { if (child.exitCode === null) child.kill(signal); };
  process.on('SIGINT', () => forward('SIGINT'));
  process.on('SIGTERM', () => forward('SIGTERM'));

  child.on('error', (err) => {
    fail(`Could not start ${binary}: ${err.message}`);
    process.exit(1);
  });
  // The agent runs this handler with requireExitCodeZero: a non-zero exit adds "Exit code N
  // returned from process" to the step's own task.complete. So a result the binary reported
  // (a failure, a cancel) ends with 0 here; its own exit code (0, 1) stays for cron and scripts.
  // Non-zero only when the binary crashed or ended without reporting.
  child.on('close', (code, signal) => {
    const reported = /^task\.complete /m.test(status);
    if (signal) {
      fail(`rotate-credential was stopped by ${signal}${reported ? ' after it reported its result' : ' before it reported a result'}.`);
      process.exit(1);
    }
    if (reported) process.exit(0);
    fail(`rotate-credential ended with exit code ${code} without reporting a result.`);
    process.exit(code === 0 || code === null ? 1 : code);
  });
}
