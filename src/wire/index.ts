export * from './types.js';
export { DecodeError, EncodeError } from './errors.js';
export { decode, encode, pack, message, MTU_BUDGET } from './message.js';
export { escapeLabel, nameEq, nameKey, unescapeLabel } from './name.js';
export { compareRecords, rdataBytes } from './order.js';
export { keyChecksum } from './edns.js';
export { txtEncode, txtDecode } from './txt.js';
export type { TxtValue } from './txt.js';
