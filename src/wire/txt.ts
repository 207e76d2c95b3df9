// RFC 6763 §6 DNS-SD TXT key/value pairs. A value is bytes (binary allowed,
// §6.5), or `true` for a key present without '=' (a boolean attribute, §6.4).
import { EncodeError } from './errors.js';
import { putUtf8 } from './label.js';

export type TxtValue = Uint8Array | true;

function utf8(s: string): Uint8Array {
  // One UTF-16 unit takes at most 3 bytes (a surrogate pair, two units, takes 4).
  const out = new Uint8Array(3 * s.length);
  let p = 0;
  for (const ch of s) p = putUtf8(ch.codePointAt(0)!, out, p);
  return out.slice(0, p);
}

/**
 * Builds TXT strings from key/value pairs; string values are UTF-8 encoded.
 * §6.1: an empty set is "a single zero byte", one empty string.
 * §6.4: keys are printable US-ASCII (0x20-0x7E) without '=', at least one
 * character; §6.1: each string at most 255 bytes.
 */
export function txtEncode(pairs: Record<string, string | TxtValue>): Uint8Array[] {
  const list: Uint8Array[] = [];
  for (const key of Object.keys(pairs)) {
    if (!/^[\x20-\x3c\x3e-\x7e]+$/.test(key)) throw new EncodeError(`TXT key ${JSON.stringify(key)}`, 'must be printable ASCII without "="');
    const v = pairs[key];
    if (v === true) { list.push(utf8(key)); continue; }
    const val = typeof v === 'string' ? utf8(v) : v;
    const field = `TXT key ${key}`;
    if (!(val instanceof Uint8Array)) throw new EncodeError(field, 'value must be a string, bytes or true');
    // The key is ASCII: one byte per character.
    const s = new Uint8Array(key.length + 1 + val.length);
    if (s.length > 255) throw new EncodeError(field, 'pair longer than 255 bytes');
    s.set(utf8(key + '='));
    s.set(val, key.length + 1);
    list.push(s);
  }
  return list.length ? list : [new Uint8Array(0)];
}

/**
 * Reads TXT strings as key/value pairs. §6.4: keys compare
 * case-insensitively and only the first occurrence of a key counts; a
 * string that starts with '=' or is empty is ignored.
 */
export function txtDecode(strings: Uint8Array[]): Map<string, TxtValue> {
  const map = new Map<string, TxtValue>();
  for (const s of strings) {
    let eq = s.indexOf(0x3d);
    if (eq === 0 || s.length === 0) continue;
    if (eq < 0) eq = s.length;
    let key = '';
    for (let i = 0; i < eq; i++) key += String.fromCharCode(s[i]);
    key = key.toLowerCase();
    if (!map.has(key)) map.set(key, eq === s.length ? true : s.slice(eq + 1));
  }
  return map;
}
