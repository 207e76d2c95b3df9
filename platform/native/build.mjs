// Builds the native addon platform/native/build/Release/hush_native.node
// (the package's install script, and `make native`). Never fails the
// install: off Linux, or when the build fails, it prints one warning and
// exits 0, and hush runs on the dgram backend instead of the raw one.
//
// node-gyp is npm's own: npm_config_node_gyp in lifecycle scripts, else the
// one of the npm installed beside this Node (`make native`), else the one on
// PATH. Headers come from npm's nodedir setting, else from the
// running Node's own installation (<prefix>/include/node), so nothing is
// downloaded when Node was installed with its headers.
//
// HUSH_NATIVE_WERROR=1 (`make native`, so the lab and CI) builds with
// -Werror (binding.gyp's hush_werror) and fails, exit 1, when the build
// does: there a warning is a defect to fix, not a reason to fall back.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const WARN = 'hush: the native addon (raw sockets) was not built; hush will use the dgram backend.';

const strict = process.env.HUSH_NATIVE_WERROR === '1';

function warn(why) {
  console.warn(`${WARN}\n  ${why}`);
  process.exit(strict ? 1 : 0);
}

if (process.platform !== 'linux') warn(`it is Linux only (this is ${process.platform})`);

const prefix = resolve(dirname(process.execPath), '..');
const nodedir = process.env.npm_config_nodedir
  || (existsSync(join(prefix, 'include/node/node_api.h')) ? prefix : undefined);
const bundled = join(prefix, 'lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
const gyp = process.env.npm_config_node_gyp || (existsSync(bundled) ? bundled : undefined);
const [cmd, pre] = gyp ? [process.execPath, [gyp]] : ['node-gyp', []];
const args = [...pre, 'rebuild', '--directory', HERE, ...(nodedir ? [`--nodedir=${nodedir}`] : []),
  ...(strict ? ['--', '-Dhush_werror=1'] : [])];

const run = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
if (run.error) warn(`${cmd}: ${run.error.message}`);
if (run.status !== 0) warn(`node-gyp ${args.slice(pre.length).join(' ')} failed (${run.status ?? run.signal})`);
if (!existsSync(join(HERE, 'build/Release/hush_native.node'))) warn('node-gyp succeeded but left no hush_native.node');
