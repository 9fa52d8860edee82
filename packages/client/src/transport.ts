/**
 * The one thing DimClient needs from a WebSocket implementation. The browser's `WebSocket` and
 * the `ws` package both satisfy it, so the library never imports either: the host injects one.
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** `new WebSocket(url)`: the browser's constructor, or `ws`'s in Node. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export const WS_OPEN = 1;

/** Text of a message event. Binary frames are not part of the protocol and yield undefined. */
export function frameText(data: unknown): string | undefined {
  if (typeof data === "string") return data;
  // `ws` may hand over a Buffer when used through other adapters; decode UTF-8 text.
  if (data instanceof Uint8Array) return new TextDecoder().decode(data);
  return undefined;
}
