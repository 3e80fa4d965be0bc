// `npm run demo`: installs what is needed (code-server, as the e2e tests use it), builds and packages
// the extension, then serves a real VS Code in the browser on 127.0.0.1 with the samples/ workspace.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CACHE, setup } from './e2e-setup.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const port = Number(process.env.PORT ?? 8123);
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

setup();
run('npm', ['run', 'package']);
const vsix = readdirSync(root).filter((f) => /^kl-lens-.*\.vsix$/.test(f)).sort().pop();
const entry = join(CACHE, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const dir = mkdtempSync(join(tmpdir(), 'kl-lens-demo-'));
const userData = join(dir, 'user');
const extensions = join(dir, 'extensions');
mkdirSync(join(userData, 'User'), { recursive: true });
writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({ 'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false }));
run(process.execPath, [entry, '--user-data-dir', userData, '--extensions-dir', extensions, '--install-extension', join(root, vsix)]);
const workspace = join(root, 'samples');
// The sample Jupyter notebook imports the Python helper from its folder, as a user's would after
// "KL Lens: Copy Python Helper"; its stored outputs render without a kernel.
copyFileSync(join(root, 'python', 'kl_lens.py'), join(workspace, 'kl_lens.py'));
const server = spawn(
  process.execPath,
  [entry, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--user-data-dir', userData, '--extensions-dir', extensions, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', workspace],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
console.log(`\nKL Lens demo: open http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}\n(Ctrl+C to stop)`);
process.on('SIGINT', () => server.kill());
server.on('exit', (code) => process.exit(code ?? 0));
