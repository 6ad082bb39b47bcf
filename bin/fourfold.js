#!/usr/bin/env node
// The `fourfold` command: runs the bundled CLI (dist/cli.js, built by `node esbuild.mjs`).
'use strict';
const { main } = require('../dist/cli.js');

process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
});
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
