#!/usr/bin/env node
// A stand-in for the VS Code executable, for @vscode/test-electron's `runTests({vscodeExecutablePath})`
// on a machine that cannot download VS Code. It accepts the flags runTests passes, serves the real
// VS Code 1.100.3 workbench with code-server 4.100.3, opens it in headless Chromium (playwright-core),
// lets the workbench run the extension tests in its real Node extension host, relays their output
// and exits with the code the workbench reports. Recipe and pitfalls: test/e2e/REAL-VSCODE.md.
//
//   vscode-shim [workspace] --extensionDevelopmentPath=DIR… --extensionTestsPath=FILE
//               [--user-data-dir=DIR] [--extensions-dir=DIR] [other VS Code flags, ignored]
//
// Environment:
//   FOURFOLD_CACHE             where scripts/e2e-setup.sh installed code-server (~/.cache/fourfold)
//   FOURFOLD_CODE_SERVER       the code-server executable, overriding the cache
//   FOURFOLD_CHROMIUM          the browser (/usr/bin/chromium)
//   FOURFOLD_E2E_TIMEOUT_MS    overall limit, start to finish (240000)
//   FOURFOLD_E2E_VERBOSE=1     also relay code-server's own log and the page's console errors
//   FOURFOLD_E2E_KEEP=1        keep the run directory (logs, profile) for a post-mortem
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';

const CODE_SERVER_VERSION = '4.100.3';
const started = Date.now();
const env = process.env;
const verbose = env.FOURFOLD_E2E_VERBOSE === '1';
const timeoutMs = Number(env.FOURFOLD_E2E_TIMEOUT_MS || 240_000);

function say(message) {
  process.stdout.write(`[vscode-shim +${((Date.now() - started) / 1000).toFixed(1)}s] ${message}\n`);
}

/** VS Code's flags come as `--name=value` from runTests; `--name value` is accepted too. */
export function parseArgs(argv) {
  const parsed = { extensionDevelopmentPath: [], extensionTestsPath: undefined, workspace: undefined, userDataDir: undefined, extensionsDir: undefined, ignored: [] };
  const valued = { '--extensionDevelopmentPath': 'extensionDevelopmentPath', '--extensionTestsPath': 'extensionTestsPath', '--user-data-dir': 'userDataDir', '--extensions-dir': 'extensionsDir' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      if (parsed.workspace === undefined) parsed.workspace = arg;
      else parsed.ignored.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    const key = valued[name];
    if (!key) {
      parsed.ignored.push(arg);
      continue;
    }
    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new Error(`${name} needs a value`);
    if (key === 'extensionDevelopmentPath') parsed.extensionDevelopmentPath.push(path.resolve(value));
    else parsed[key] = path.resolve(value);
  }
  return parsed;
}

function codeServerPath() {
  if (env.FOURFOLD_CODE_SERVER) return env.FOURFOLD_CODE_SERVER;
  const cache = env.FOURFOLD_CACHE || path.join(os.homedir(), '.cache', 'fourfold');
  return path.join(cache, `cs-${CODE_SERVER_VERSION}`, 'node_modules', '.bin', 'code-server');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function healthy(port) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

/** Every descendant of `pid`, deepest first, read from /proc (code-server forks several). */
function descendants(pid) {
  const children = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …  — comm may contain spaces and parentheses, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  const out = [];
  const walk = (p) => {
    for (const child of children.get(p) ?? []) {
      walk(child);
      out.push(child);
    }
  };
  walk(pid);
  return out;
}

function killTree(pid) {
  const tree = [...descendants(pid), pid];
  for (const p of tree) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  return tree.length;
}

function writeSettings(userDataDir) {
  const settingsFile = path.join(userDataDir, 'User', 'settings.json');
  fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
  const settings = {
    'workbench.startupEditor': 'none',
    'telemetry.telemetryLevel': 'off',
    'workbench.editor.enablePreview': false,
    'workbench.editor.enablePreviewFromQuickOpen': false,
    'window.title': '<<${activeEditorMedium}>>',
    'security.workspace.trust.enabled': false,
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'update.mode': 'none',
    'git.enabled': false,
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
  };
  fs.writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
}

function serverEnv(dirs) {
  const out = { ...env, XDG_CONFIG_HOME: dirs.config, XDG_DATA_HOME: dirs.data, XDG_CACHE_HOME: dirs.cache, TMPDIR: dirs.tmp };
  // No marketplace is reachable offline; without one configured the workbench does not query it.
  out.EXTENSIONS_GALLERY = '{}';
  // Tells the tests in the extension host that this shim answers their probes (answerProbe).
  out.FOURFOLD_E2E_PROBES = '1';
  // Set when the shim runs under `node --test` or `node --import tsx`: not meant for code-server's Node.
  delete out.NODE_TEST_CONTEXT;
  delete out.NODE_OPTIONS;
  return out;
}

/** Console output of the extension host (mocha's reporter) and the workbench arrives as (type, args). */
function formatLogArgs(args) {
  return Array.isArray(args) ? format(...args) : format(args);
}

/**
 * A test inside the extension host can ask what the workbench shows, which no extension API
 * reveals: it logs `[fourfold-e2e probe] {"probe":"problems","reply":"/abs/file.json"}` and waits
 * for the reply file. "problems": the Problems panel's own count (the badge on its tab, "Total N
 * Problems": errors, warnings and information, as the panel lists them), read from the page.
 */
const PROBE = /\[fourfold-e2e probe\] (\{.*\})/;

async function answerProbe(page, request) {
  let reply;
  try {
    const { probe, reply: file } = JSON.parse(request);
    reply = file;
    if (probe !== 'problems') throw new Error(`unknown probe ${probe}`);
    const labels = await page.evaluate(() =>
      [...document.querySelectorAll('.part.panel .composite-bar [aria-label], .part.panel .panel-switcher-container [aria-label]')]
        .map((e) => e.getAttribute('aria-label'))
        .filter((l) => /^Problems\b/.test(l ?? '')),
    );
    const label = labels[0];
    if (label === undefined) throw new Error('no Problems tab in the panel (run workbench.actions.view.problems first)');
    const total = /Total (\d+) Problems?/.exec(label);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify({ label, total: total ? Number(total[1]) : 0 }));
  } catch (error) {
    if (!reply) return say(`bad probe ${request}: ${error.message}`);
    fs.writeFileSync(`${reply}.tmp`, JSON.stringify({ error: error.message }));
  }
  fs.renameSync(`${reply}.tmp`, reply);
}

/** The workbench's own start-up chatter, hidden unless FOURFOLD_E2E_VERBOSE=1. */
const WORKBENCH_NOISE = [
  /^Resolv(ing|ed) connection token/,
  /^Creating a socket/,
  /^\[Service Worker\]/,
  /additional builtin extensions/,
  /^ChatSessionStore:/,
  /^Creation of workbench contribution/,
  /^\[Extension Host\] (?:Started local extension host|Extension host .* started)/,
];

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.extensionDevelopmentPath.length === 0 || !args.extensionTestsPath) {
    say('usage: vscode-shim [workspace] --extensionDevelopmentPath=DIR --extensionTestsPath=FILE [--user-data-dir=DIR] [--extensions-dir=DIR]');
    return 2;
  }
  const codeServer = codeServerPath();
  const chromiumPath = env.FOURFOLD_CHROMIUM || '/usr/bin/chromium';
  const missing = [];
  if (!fs.existsSync(codeServer)) missing.push(`code-server ${CODE_SERVER_VERSION} (${codeServer})`);
  if (!fs.existsSync(chromiumPath)) missing.push(`chromium (${chromiumPath})`);
  if (missing.length) {
    say(`not installed: ${missing.join(', ')}. Run scripts/e2e-setup.sh first.`);
    return 2;
  }
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (error) {
    say(`playwright-core is not installed (npm ci): ${error.message}`);
    return 2;
  }

  // Everything code-server, the extension host and Chromium write goes into one run directory.
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fourfold-vscode-'));
  const dirs = {
    config: path.join(runDir, 'xdg-config'),
    data: path.join(runDir, 'xdg-data'),
    cache: path.join(runDir, 'xdg-cache'),
    tmp: path.join(runDir, 'tmp'),
    browser: path.join(runDir, 'browser'),
    userData: args.userDataDir ?? path.join(runDir, 'user-data'),
    extensions: args.extensionsDir ?? path.join(runDir, 'extensions'),
  };
  for (const dir of Object.values(dirs)) fs.mkdirSync(dir, { recursive: true });
  writeSettings(dirs.userData);

  let codeServerProcess;
  /** Chromium, once launching has begun (a timeout may strike while it starts). */
  let launching;
  let cleanedUp = false;
  const cleanup = async () => {
    if (cleanedUp) return;
    cleanedUp = true;
    const context = await launching?.catch(() => undefined);
    if (context) await context.close().catch(() => {});
    if (codeServerProcess?.pid) {
      const killed = killTree(codeServerProcess.pid);
      if (verbose) say(`stopped code-server (${killed} processes)`);
    }
    if (env.FOURFOLD_E2E_KEEP === '1') say(`run directory kept: ${runDir}`);
    else {
      try {
        fs.rmSync(runDir, { recursive: true, force: true, maxRetries: 3 });
      } catch (error) {
        say(`could not remove ${runDir}: ${error.message}`);
      }
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => {
      say(`${signal}: stopping`);
      void cleanup().finally(() => process.exit(130));
    });
  }

  let phase = 'starting code-server';
  const work = async () => {
    const port = await freePort();
    const configFile = path.join(runDir, 'config.yaml');
    fs.writeFileSync(configFile, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\ndisable-telemetry: true\ndisable-update-check: true\n`);
    const serverLog = fs.openSync(path.join(runDir, 'code-server.log'), 'a');
    const csArgs = [
      '--config', configFile,
      '--user-data-dir', dirs.userData,
      '--extensions-dir', dirs.extensions,
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
    ];
    if (args.workspace) csArgs.push(args.workspace);
    codeServerProcess = spawn(codeServer, csArgs, {
      env: serverEnv(dirs),
      stdio: ['ignore', verbose ? 'inherit' : serverLog, verbose ? 'inherit' : serverLog],
    });
    const serverExit = new Promise((resolve) => codeServerProcess.once('exit', (code, signal) => resolve(code ?? signal)));

    // code-server answers /healthz within a second or two.
    let ready = false;
    while (!ready) {
      const exited = await Promise.race([serverExit.then((c) => ({ exited: c })), new Promise((r) => setTimeout(() => r(null), 200))]);
      if (exited) {
        say(`code-server exited early (${exited.exited}); its log:\n${fs.readFileSync(path.join(runDir, 'code-server.log'), 'utf8')}`);
        return 1;
      }
      ready = await healthy(port);
    }
    say(`code-server ${CODE_SERVER_VERSION} ready on 127.0.0.1:${port}`);
    phase = 'launching Chromium';

    launching = chromium.launchPersistentContext(dirs.browser, {
      executablePath: chromiumPath,
      headless: true,
      env: { ...env, XDG_CONFIG_HOME: dirs.config, XDG_CACHE_HOME: dirs.cache, TMPDIR: dirs.tmp, HOME: runDir },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    });
    const context = await launching;
    const page = context.pages()[0] ?? (await context.newPage());
    let reportExit;
    const exitCode = new Promise((resolve) => (reportExit = resolve));
    // Both hooks must exist before the workbench loads: it looks for them when the tests end.
    await page.exposeFunction('codeAutomationLog', (type, logArgs) => {
      if (env.FOURFOLD_E2E_RAWLOG) fs.appendFileSync(env.FOURFOLD_E2E_RAWLOG, `${Date.now() - started} ${JSON.stringify([type, logArgs])}\n`);
      const line = formatLogArgs(logArgs);
      const probe = PROBE.exec(line);
      if (probe) return void answerProbe(page, probe[1]);
      if (!verbose && WORKBENCH_NOISE.some((re) => re.test(line))) return;
      if (type === 'error') process.stderr.write(`${line}\n`);
      else process.stdout.write(`${line}\n`);
    });
    await page.exposeFunction('codeAutomationExit', (code) => reportExit(Number(code)));
    page.on('pageerror', (error) => verbose && say(`page error: ${error.message}`));
    page.on('console', (message) => verbose && message.type() === 'error' && say(`console: ${message.text()}`));
    page.on('crash', () => reportExit(1));

    const authority = `127.0.0.1:${port}`;
    const remote = (p) => `vscode-remote://${authority}${p.split(path.sep).map(encodeURIComponent).join('/')}`;
    const payload = [
      ...args.extensionDevelopmentPath.map((p) => ['extensionDevelopmentPath', remote(p)]),
      ['extensionTestsPath', remote(args.extensionTestsPath)],
    ];
    const url = new URL(`http://${authority}/`);
    if (args.workspace) url.searchParams.set('folder', args.workspace);
    url.searchParams.set('payload', JSON.stringify(payload));
    say(`opening the workbench${args.workspace ? ` on ${args.workspace}` : ''}`);
    phase = 'loading the workbench';
    await page.goto(url.href, { waitUntil: 'domcontentloaded', timeout: 0 });
    phase = 'running the extension tests (the workbench has not reported their end)';

    const outcome = await Promise.race([exitCode.then((code) => ({ code })), serverExit.then((code) => ({ serverExited: code }))]);
    if ('serverExited' in outcome) {
      say(`FAILED: code-server exited (${outcome.serverExited}) before the tests finished`);
      return 1;
    }
    say(`extension tests finished with exit code ${outcome.code}`);
    return outcome.code;
  };

  let timer;
  const overall = new Promise((resolve) => {
    timer = setTimeout(() => resolve('timeout'), Math.max(0, started + timeoutMs - Date.now()));
  });
  const running = work();
  running.catch(() => {}); // after a timeout, cleanup makes pending browser calls reject
  try {
    const result = await Promise.race([running, overall]);
    if (result === 'timeout') {
      say(`FAILED: timed out after ${timeoutMs / 1000} s while ${phase}. FOURFOLD_E2E_VERBOSE=1 shows code-server's log; FOURFOLD_E2E_KEEP=1 keeps the run directory.`);
      return 1;
    }
    return result;
  } finally {
    clearTimeout(timer);
    await cleanup();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      say(`FAILED: ${error?.stack ?? error}`);
      process.exit(1);
    },
  );
}
