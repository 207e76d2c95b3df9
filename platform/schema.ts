// The configuration and API input, described once (DESIGN.md §3). The Node
// side checks with these at run time; the QuickJS build generates its checks
// from them at build time.
import { Type } from '@sinclair/typebox';
import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/** One DNS label: 1-63 bytes of UTF-8 (RFC 6763 §4.1.1 allows any UTF-8 in instance names). */
const Label = Type.String({ minLength: 1, maxLength: 63, description: 'a DNS label, 1-63 characters' });

export const Service = Type.Object({
  name: Label,
  type: Type.String({ pattern: '^_[A-Za-z0-9-]{1,15}\\._(tcp|udp)$', description: "service type such as '_http._tcp'" }),
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
  txt: Type.Optional(Type.Record(Type.String({ pattern: '^[\\x20-\\x3c\\x3e-\\x7e]{1,}$' }), Type.Union([Type.String({ maxLength: 255 }), Type.Literal(true)]), { additionalProperties: false })),
  subtypes: Type.Optional(Type.Array(Type.String({ pattern: '^_[A-Za-z0-9-]{1,62}$' }), { maxItems: 100 })),
}, { additionalProperties: false });

export const ResponderOptions = Type.Object({
  hostName: Type.String({ pattern: '^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$', description: 'host label without .local' }),
  interfaces: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
  families: Type.Optional(Type.Array(Type.Union([Type.Literal(4), Type.Literal(6)]), { minItems: 1, maxItems: 2 })),
  ttl: Type.Optional(Type.Object({
    host: Type.Optional(Type.Integer({ minimum: 1, maximum: 86400 })),
    other: Type.Optional(Type.Integer({ minimum: 1, maximum: 86400 })),
  }, { additionalProperties: false })),
  budget: Type.Optional(Type.Integer({ minimum: 512, maximum: 9000 })),
  /** TSR on the wire (draft-tllq-tsr-05; DESIGN.md §5): option code and field order. */
  tsr: Type.Optional(Type.Object({
    code: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
    layout: Type.Optional(Type.Union([Type.Literal('apple'), Type.Literal('draft')])),
  }, { additionalProperties: false })),
  tsrSkew: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000, description: 'ms within which two TSR times are the same' })),
}, { additionalProperties: false });

/** An advertising proxy's registration of a client (Responder.proxy). */
export const Proxy = Type.Object({
  hostName: Type.String({ pattern: '^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$', description: 'client host label without .local' }),
  addresses: Type.Array(Type.String({ minLength: 2, maxLength: 45 }), { minItems: 1, maxItems: 64 }),
  services: Type.Optional(Type.Array(Service, { maxItems: 100 })),
  tsr: Type.Optional(Type.Object({
    received: Type.Number({ description: 'platform time (ms) the registration was received' }),
    key: Type.Optional(Type.Uint8Array()),
    checksum: Type.Optional(Type.Integer({ minimum: 0, maximum: 0xffffffff })),
  }, { additionalProperties: false })),
  secondary: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });

/** `hush run --config FILE`: a host and its services. */
export const Config = Type.Object({
  ...ResponderOptions.properties,
  services: Type.Array(Service, { maxItems: 1000 }),
}, { additionalProperties: false });

/** The device program's JSON config (platform/quickjs/main.ts): a host, its services, unicast upstreams. */
export const DeviceConfig = Type.Object({
  ...ResponderOptions.properties,
  services: Type.Optional(Type.Array(Service, { maxItems: 1000 })),
  upstreams: Type.Optional(Type.Array(Type.Object({
    addr: Type.String({ minLength: 2, maxLength: 45, description: 'IP address of a unicast DNS server' }),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  }, { additionalProperties: false }), { maxItems: 8 })),
  cacheSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
  logLevel: Type.Optional(Type.Union([Type.Literal('debug'), Type.Literal('info'), Type.Literal('warn'), Type.Literal('error')])),
}, { additionalProperties: false });

export type ServiceInput = Static<typeof Service>;
export type DeviceConfigInput = Static<typeof DeviceConfig>;
export type ResponderInput = Static<typeof ResponderOptions>;
export type ProxyInput = Static<typeof Proxy>;
export type ConfigInput = Static<typeof Config>;

/** A rejected configuration or API argument; `field` is the JSON path of the first problem. */
export class ConfigError extends Error {
  constructor(readonly field: string, readonly reason: string, where: string) {
    super(`${where}${field ? ' ' + field : ''}: ${reason}`);
    this.name = 'ConfigError';
  }
}

/** Returns `value` typed when it matches; otherwise throws ConfigError naming the first bad field. */
export function check<S extends TSchema>(schema: S, value: unknown, where: string): Static<S> {
  if (Value.Check(schema, value)) return value as Static<S>;
  const first = Value.Errors(schema, value).First();
  throw new ConfigError(first?.path || '/', first?.message ?? 'invalid', where);
}
