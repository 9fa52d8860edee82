/**
 * The TCP peer address of the request being served, for servers whose request handler cannot
 * pass it along. Next.js route handlers get a fetch Request without the socket, and `next start`
 * only sets X-Forwarded-For when the client sent none (`??=` in its base server), so that header
 * is the client's word. web/scripts/serve-web.ts wraps Next's handler in `withPeerAddress`, and
 * the route reads `currentPeerAddress()`.
 *
 * The storage lives on globalThis: the server script and the route's webpack bundle each load
 * their own copy of this module, and they must share one AsyncLocalStorage.
 */
import { AsyncLocalStorage } from "node:async_hooks";

const KEY = Symbol.for("dim.peerAddress");

function storage(): AsyncLocalStorage<string | null> {
  const holder = globalThis as typeof globalThis & { [KEY]?: AsyncLocalStorage<string | null> };
  holder[KEY] ??= new AsyncLocalStorage<string | null>();
  return holder[KEY];
}

/** Runs `fn` (and everything it awaits) with `address` as the current peer address. */
export function withPeerAddress<T>(address: string | null, fn: () => T): T {
  return storage().run(address, fn);
}

/**
 * The peer address set by `withPeerAddress` around this request; `undefined` when no server set
 * one (plain `next start`), `null` when the server had no address (a closed socket).
 */
export function currentPeerAddress(): string | null | undefined {
  return storage().getStore();
}
