/** Bumped on any breaking change to the frames below; the handshake refuses a mismatch. */
export const PROTOCOL_VERSION = 1 as const;
