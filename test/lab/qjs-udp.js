// One end of the hush_udp lab test (test/lab/qjs-udp.test.ts), run by
// build/qjs/qjs inside a network namespace:
//   qjs --module qjs-udp.js recv|send <family 4|6> <ifname> <timeoutMs>
// Both ends list the interfaces, open the mDNS group socket, check that a
// bad argument throws and that the script goes on, and join on <ifname>.
// 'recv' waits for one multicast 'query', prints its metadata and answers
// 'reply' by unicast to its source; 'send' multicasts the query out of
// <ifname> and waits for that reply. Every line is '<tag> <JSON>'; the
// script exits 2 if its part is not done within <timeoutMs>.
import * as os from 'os';
import * as std from 'std';
import * as udp from '../../build/qjs/hush_udp.so';

const GROUP = { 4: '224.0.0.251', 6: 'ff02::fb' };
const PORT = 5353;

const [role, familyArg, ifname, timeoutArg] = scriptArgs.slice(1);
const family = Number(familyArg);
// stdout is a pipe: flushed per line so the test sees 'ready' at once.
const say = (tag, value) => {
  std.out.puts(`${tag} ${JSON.stringify(value)}\n`);
  std.out.flush();
};
const text = (buf) => String.fromCharCode(...new Uint8Array(buf));
const bytes = (s) => new Uint8Array([...s].map((c) => c.charCodeAt(0))).buffer;
const meta = (m) => ({ data: text(m.data), src: m.src, srcPort: m.srcPort, dst: m.dst, ifindex: m.ifindex, ttl: m.ttl });

const list = udp.interfaces();
say('interfaces', list);
const link = list.find((i) => i.name === ifname);
if (!link) {
  say('error', `no interface ${ifname}`);
  std.exit(1);
}

const fd = udp.open(family, PORT, GROUP[family]);
try {
  udp.join(fd, family, GROUP[family], ifname);
  say('badarg', 'no error');
} catch (e) {
  say('badarg', { name: e.name, message: e.message });
}
udp.join(fd, family, GROUP[family], link.index);

const timer = os.setTimeout(() => {
  say('timeout', { role, family });
  std.exit(2);
}, Number(timeoutArg));

let done = false;
function finish() {
  done = true;
  os.setReadHandler(fd, null);
  os.clearTimeout(timer);
  udp.close(fd);
}

function received(m) {
  const got = meta(m);
  if (role === 'recv' && got.data === 'query') {
    say('got', got);
    say('replied', udp.send(fd, family, bytes('reply'), m.src, m.srcPort, m.ifindex));
    finish();
  } else if (role === 'send' && got.data === 'query') {
    say('own', got);
  } else if (role === 'send' && got.data === 'reply') {
    say('reply', got);
    finish();
  }
}

os.setReadHandler(fd, () => {
  for (let m; !done && (m = udp.recv(fd, family)) !== undefined;) received(m);
});

if (role === 'send') say('sent', udp.send(fd, family, bytes('query'), GROUP[family], PORT, link.index));
say('ready', { role, family, ifindex: link.index });
