// DNS over TCP for one message (RFC 1035 §4.2.2, RFC 7766 §8): the query and
// the reply each go with a two-byte length in front. Used after a truncated
// UDP reply (RFC 1123 §6.1.3.2).
import type { Cancel, Platform, Stream } from '../platform.js';

/** Why a TCP exchange gave no reply. */
export type TcpFailure = 'error' | 'closed' | 'timeout';

/**
 * Sends `query` to `to` over a new connection and calls `done` once: with
 * the first framed message that comes back, or with why none did within
 * `wait` ms. The returned function closes the connection without calling `done`.
 */
export function tcpExchange(
  platform: Platform & Required<Pick<Platform, 'connect'>>, to: { addr: string; port: number }, query: Uint8Array, wait: number,
  done: (r: { reply: Uint8Array } | { failure: TcpFailure; detail?: string }) => void,
): Cancel {
  let stream: Stream;
  try {
    stream = platform.connect(to);
  } catch (e) {
    // A backend that refuses at once is a failed connection like any other, told from the event loop.
    let live = true;
    platform.timer(0, () => { if (live) done({ failure: 'error', detail: String(e) }); });
    return () => { live = false; };
  }
  let finished = false;
  const finish = (r: Parameters<typeof done>[0]): void => {
    if (finished) return;
    finished = true;
    stopTimer();
    stream.close();
    done(r);
  };
  const stopTimer = platform.timer(wait, () => finish({ failure: 'timeout' }));
  let buf = new Uint8Array(0);
  stream.onData((chunk) => {
    if (finished) return;
    const joined = new Uint8Array(buf.length + chunk.length);
    joined.set(buf);
    joined.set(chunk, buf.length);
    buf = joined;
    if (buf.length < 2) return;
    const len = (buf[0] << 8) | buf[1];
    if (buf.length >= 2 + len) finish({ reply: buf.slice(2, 2 + len) });
  });
  stream.onEnd((error) => finish(error === undefined ? { failure: 'closed' } : { failure: 'error', detail: error }));
  const framed = new Uint8Array(2 + query.length);
  framed[0] = query.length >> 8;
  framed[1] = query.length & 0xff;
  framed.set(query, 2);
  stream.write(framed);
  return () => {
    if (finished) return;
    finished = true;
    stopTimer();
    stream.close();
  };
}
