/** The only error `decode` ever throws: where in the packet, and why. */
export class DecodeError extends Error {
  constructor(readonly offset: number, readonly reason: string) {
    super(`${reason} at offset ${offset}`);
    this.name = 'DecodeError';
  }
}

/** Thrown by `encode` for a message that cannot be put on the wire; names the field. */
export class EncodeError extends Error {
  constructor(readonly field: string, readonly reason: string) {
    super(`${field}: ${reason}`);
    this.name = 'EncodeError';
  }
}
