/**
 * A new clientMsgId: 22 characters of [A-Za-z0-9_-] from 128 random bits. Uses
 * crypto.getRandomValues, which (unlike randomUUID) also exists on plain-http origins.
 */
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

export function newClientMsgId(): string {
  const bytes = new Uint8Array(22);
  globalThis.crypto.getRandomValues(bytes);
  let id = "";
  for (const b of bytes) id += ALPHABET[b & 63];
  return id;
}
