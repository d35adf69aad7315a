#!/usr/bin/env node
// The `3minapi` command of the npm package. The binary itself comes in the platform package npm
// installed for this machine, `@3minapi/<platform>-<arch>` (an optional dependency whose `os` and
// `cpu` fields make npm skip the others): no install script, no download. This launcher only finds
// that binary and runs it with the terminal's stdin, stdout and stderr, passing the arguments,
// exit status and signals through. `3minapi config install` writes the binary's own path into
// client configs, so an IDE's MCP sessions run the binary with no Node process in between.
'use strict';

const { spawn } = require('child_process');
const os = require('os');
const path = require('path');

const SUPPORTED = ['darwin-arm64', 'darwin-x64', 'linux-arm64', 'linux-x64', 'win32-x64'];
const platform = `${process.platform}-${process.arch}`;
const pkg = `@3minapi/${platform}`;
const exe = process.platform === 'win32' ? '3minapi.exe' : '3minapi';

function fail(message) {
  process.stderr.write(`3minapi: ${message}\n`);
  process.exit(1);
}

let binary;
try {
  binary = path.join(path.dirname(require.resolve(`${pkg}/package.json`)), 'bin', exe);
} catch (err) {
  if (!SUPPORTED.includes(platform)) {
    fail(
      `there is no prebuilt binary for ${platform} (only for ${SUPPORTED.join(', ')}). ` +
        'Build it from source instead: cargo install threeminapi'
    );
  }
  fail(
    `the package ${pkg}, which holds the binary for this machine, is not installed. ` +
      'npm installs it as an optional dependency of 3minapi, and skips it with --omit=optional ' +
      '(or --no-optional) or when it could not fetch it. Reinstall with: npm install -g 3minapi'
  );
}

const child = spawn(binary, process.argv.slice(2), { stdio: 'inherit' });
child.on('error', (err) => fail(`could not run ${binary}: ${err.message}`));

// Signals sent to the launcher (a service manager's SIGTERM, a closed terminal's SIGHUP) go on
// to the binary, whose exit then ends the launcher. On Windows, Ctrl+C reaches every process on
// the console by itself, and child.kill() would only terminate it: the launcher just waits.
const relayed = process.platform === 'win32' ? [] : ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'];
const relays = relayed.map((signal) => {
  const relay = () => {
    try {
      child.kill(signal);
    } catch (_) {
      // Already gone: its exit is on the way.
    }
  };
  process.on(signal, relay);
  return [signal, relay];
});
if (process.platform === 'win32') {
  process.on('SIGINT', () => {});
  process.on('SIGBREAK', () => {});
}

child.on('exit', (code, signal) => {
  if (signal) {
    // End the same way, so that a shell or supervisor sees the signal the binary died of.
    for (const [s, relay] of relays) process.removeListener(s, relay);
    process.kill(process.pid, signal);
    setTimeout(() => process.exit(128 + (os.constants.signals[signal] || 0)), 1000);
    return;
  }
  process.exit(code === null ? 1 : code);
});
