/**
 * Socket tokens are single-use: the `jti` of every token a socket authenticated with is kept
 * until the token expires, and a second `auth` with it is refused. A token is bound to one node
 * (its `node` claim, checked first), so a set local to that node is enough: no other node would
 * accept it anyway. Memory is bounded: tokens live 60 s (DIM_SOCKET_TOKEN_TTL_MS), entries are
 * dropped as they expire (oldest first: tokens are issued with one TTL, so insertion order is
 * close to expiry order), and beyond MAX_USED_TOKENS unexpired ones a new token is refused until
 * some expire (the client gets another token, possibly for another node).
 */

/** Unexpired used tokens kept at most (~150 bytes each). At 60 s per token: 1,600 connects/s sustained. */
export const MAX_USED_TOKENS = 100_000;

export type ClaimResult = "ok" | "reused" | "full";

export class UsedTokens {
  /** jti → expiry (ms since epoch), in insertion order. */
  private readonly used = new Map<string, number>();

  constructor(private readonly max = MAX_USED_TOKENS) {}

  get size(): number {
    return this.used.size;
  }

  /** Records `jti` as used; "reused" when it already was, "full" when the bound is reached. */
  claim(jti: string, exp: number, now = Date.now()): ClaimResult {
    this.prune(now);
    if (this.used.has(jti)) return "reused";
    if (this.used.size >= this.max) return "full";
    this.used.set(jti, exp);
    return "ok";
  }

  /** Drops expired entries from the front; an out-of-order later one goes when it reaches the front. */
  private prune(now: number): void {
    for (const [jti, exp] of this.used) {
      if (exp > now) return;
      this.used.delete(jti);
    }
  }
}
