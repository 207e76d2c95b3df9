// Runs the uvu suites through ts-node and ends with the single line
// "N passed, N failed" that CI reads. Arguments choose the sets:
//   unit  every test/**/*.test.ts except test/lab (the default)
//   lab   test/lab/*.test.ts: real peers in network namespaces (needs root)
import { spawnSync } from 'node:child_process';

const sets = { unit: ['test', '\\.test\\.ts$', '-i', 'lab'], lab: ['test/lab', '\\.test\\.ts$'] };
const chosen = process.argv.slice(2).length ? process.argv.slice(2) : ['unit'];
let passed = 0, failed = 0;
for (const name of chosen) {
  if (!sets[name]) { console.error(`unknown test set ${name}; use ${Object.keys(sets).join(', ')}`); process.exit(2); }
  const args = ['--no-warnings', '--loader', 'ts-node/esm', 'node_modules/uvu/bin.js', ...sets[name]];
  const run = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 1 << 28 });
  process.stdout.write(run.stdout);
  const plain = run.stdout.replace(/\x1b\[[0-9;]*m/g, '');
  const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  const ok = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  passed += ok;
  // A suite that crashes before uvu can count it still counts as a failure.
  failed += total - ok + (run.status !== 0 && total === ok ? 1 : 0) + (total === 0 ? 1 : 0);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
