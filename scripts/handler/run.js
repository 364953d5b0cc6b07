// Node handler of the RotateCredential task: starts the native rotate-credential
// binary that matches the agent's OS and CPU and hands it the whole task environment.
// It deliberately does not load azure-pipelines-task-lib: that library moves INPUT_*,
// ENDPOINT_AUTH_* and SECRET_* variables out of process.env, so the child would not
// see them. No npm packages, no arguments: secrets never appear on a command line.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');

// Fail the step with a readable message (logging commands go to stdout).
function fail(message) {
  process.stdout.write(`##vso[task.logissue type=error;]${message}\n`);
  process.stdout.write(`##vso[task.complete result=Failed;]${message}\n`);
  process.exitCode = 1;
}

const supported = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64'];
const platform = `${process.platform}-${process.arch}`;
const binary = path.join(__dirname, 'bin', platform, 'rotate-credential');

if (!supported.includes(platform)) {
  fail(`rotate-credential does not support agents on ${platform}; supported: ${supported.join(', ')}.`);
} else if (!fs.existsSync(binary)) {
  fail(`rotate-credential has no binary for ${platform} in this task package (expected ${binary}).`);
} else {
  // A task zip may lose the executable bit: restore it when needed.
  try {
    fs.accessSync(binary, fs.constants.X_OK);
  } catch (_) {
    try { fs.chmodSync(binary, 0o755); } catch (e) { /* spawn will report it */ }
  }

  // Same stdio (logging commands flow straight to the agent) and the full environment.
  const child = spawn(binary, [], { stdio: 'inherit', env: process.env });

  // On cancel the agent signals only this node process: pass the signal on.
  const forward = (signal) => { if (child.exitCode === null) child.kill(signal); };
  process.on('SIGINT', () => forward('SIGINT'));
  process.on('SIGTERM', () => forward('SIGTERM'));

  child.on('error', (err) => {
    fail(`Could not start ${binary}: ${err.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal) {
      process.stdout.write(`rotate-credential was stopped by ${signal}.\n`);
      process.exit(1);
    }
    process.exit(code === null ? 1 : code);
  });
}
