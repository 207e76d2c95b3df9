// Runs every uvu suite under test/ (except test/lab) through ts-node and ends
// with the single line "N passed, N failed" that CI reads.
import { spawn } from 'node:child_process';

const args = ['--no-warnings', '--loader', 'ts-node/esm', 'node_modules/uvu/bin.js', 'test', '\\.test\\.ts$', '-i', 'lab'];
const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
let out = '';
child.stdout.on('data', (chunk) => { out += chunk; process.stdout.write(chunk); });
child.on('close', (code) => {
  const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
  const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  const failed = total - passed + (code !== 0 && total === passed ? 1 : 0);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(code === 0 && failed === 0 && total > 0 ? 0 : 1);
});
