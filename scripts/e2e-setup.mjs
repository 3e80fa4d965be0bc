#!/usr/bin/env node
// Installs what the end-to-end tests need into the git-ignored .cache/e2e: code-server (a real
// VS Code 1.100.3 served to a browser) and playwright-core, following ../shared/recipes/vscode-e2e.md.
// The usual runners download a VS Code build at test time; these machines reach only the npm registry
// and Debian's apt, so code-server comes from npm and its native modules are rebuilt locally.
// Idempotent: a marker file naming the version skips everything once an install has completed.
// Runs as root, non-interactively (CI=true, no stdin). Any failing step stops with a non-zero status.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, chmodSync, lstatSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CACHE = join(ROOT, '.cache', 'e2e');
const MARKER = join(CACHE, '.installed');
const CODE_SERVER = join(CACHE, 'node_modules', 'code-server');
const VSCODE = join(CODE_SERVER, 'lib', 'vscode');
// Bumping this string re-runs the install on machines that hold an older cache.
const STAMP = `code-server@${CODE_SERVER_VERSION} playwright-core@1 recipe-1`;

// The machine's npm config has yes=false; node-pty's build runs `npx node-gyp` and needs yes.
const ENV = { ...process.env, npm_config_yes: 'true', npm_config_audit: 'false', npm_config_fund: 'false', DEBIAN_FRONTEND: 'noninteractive' };

function log(message) {
  console.log(`[e2e-setup] ${message}`);
}

function run(command, args, cwd = CACHE) {
  log(`$ ${[command, ...args].join(' ')}${cwd === CACHE ? '' : `   (in ${cwd})`}`);
  const result = spawnSync(command, args, { cwd, env: ENV, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.error) throw new Error(`${command} could not start: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed with status ${result.status ?? result.signal}`);
}

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function dpkgInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

function ensureAptPackages() {
  const wanted = [];
  if (!existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium')) wanted.push('chromium');
  if (!has('rg')) wanted.push('ripgrep');
  // The `kerberos` native module needs the gssapi headers.
  if (!dpkgInstalled('libkrb5-dev')) wanted.push('libkrb5-dev');
  // The native rebuilds need a compiler, make and python (node-gyp).
  if (!has('g++') || !has('make')) wanted.push('build-essential');
  if (!has('python3')) wanted.push('python3');
  if (wanted.length === 0) {
    log('apt packages: chromium, ripgrep, libkrb5-dev already present');
    return;
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(`missing apt packages ${wanted.join(' ')}; run as root or install them: apt-get install -y ${wanted.join(' ')}`);
  }
  run('apt-get', ['update', '-q'], ROOT);
  run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...wanted], ROOT);
}

function symlink(target, path) {
  try {
    lstatSync(path);
    rmSync(path, { recursive: false, force: true });
  } catch {
    // absent: nothing to replace
  }
  symlinkSync(target, path);
}

function install() {
  ensureAptPackages();

  mkdirSync(CACHE, { recursive: true });
  // A folder of its own, outside the package: `npm ci` of the extension never sees code-server.
  if (!existsSync(join(CACHE, 'package.json'))) {
    writeFileSync(join(CACHE, 'package.json'), JSON.stringify({ name: 'kl-lens-e2e-tools', private: true }, null, 2) + '\n');
  }
  // --ignore-scripts: code-server's postinstall refuses root, and the nested @vscode/ripgrep
  // postinstall downloads a binary from the internet. Both are done by hand below.
  run('npm', ['install', '--ignore-scripts', `code-server@${CODE_SERVER_VERSION}`, 'playwright-core@1']);

  run('npm', ['install', '--omit=dev', '--ignore-scripts'], VSCODE);
  const rgDir = join(VSCODE, 'node_modules', '@vscode', 'ripgrep', 'bin');
  mkdirSync(rgDir, { recursive: true });
  const rg = spawnSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' }).stdout.trim();
  if (!rg) throw new Error('ripgrep (rg) not found after the apt install');
  log(`copy ${rg} -> ${rgDir}/rg`);
  copyFileSync(rg, join(rgDir, 'rg'));
  chmodSync(join(rgDir, 'rg'), 0o755);
  run('npm', ['rebuild', 'node-pty', '@vscode/spdlog', 'kerberos', 'native-watchdog', '@parcel/watcher', '@vscode/deviceid'], VSCODE);
  log('symlinks: node_modules.asar, bin/remote-cli/code-server, bin/helpers/browser.sh');
  symlink('node_modules', join(VSCODE, 'node_modules.asar'));
  symlink('code-linux.sh', join(VSCODE, 'bin', 'remote-cli', 'code-server'));
  symlink('browser-linux.sh', join(VSCODE, 'bin', 'helpers', 'browser.sh'));

  run('npm', ['install', '--omit=dev', '--ignore-scripts'], CODE_SERVER);
  run('npm', ['rebuild', 'argon2'], CODE_SERVER);

  // A quick proof that the install runs at all, before the marker says it does.
  // code-server writes a default config and logs under XDG dirs on any start: keep them in the cache.
  ENV.XDG_CONFIG_HOME = join(CACHE, 'xdg', 'config');
  ENV.XDG_DATA_HOME = join(CACHE, 'xdg', 'data');
  run(process.execPath, [join(CODE_SERVER, 'out', 'node', 'entry.js'), '--version'], CACHE);
  writeFileSync(MARKER, STAMP + '\n');
}

export function setup() {
  const started = Date.now();
  if (existsSync(MARKER) && readFileSync(MARKER, 'utf8').trim() === STAMP) {
    log(`cached: ${STAMP} in ${CACHE}`);
    return;
  }
  log(`installing ${STAMP} into ${CACHE}`);
  // A stale or half-finished install is never trusted: the marker is written last.
  rmSync(MARKER, { force: true });
  install();
  log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    setup();
  } catch (error) {
    console.error(`[e2e-setup] FAILED: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
