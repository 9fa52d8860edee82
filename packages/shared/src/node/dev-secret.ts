import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (packages/shared/src/node → ../../../..). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");

/** Where embedded-mode state lives (PostgreSQL data, the dev token secret). Ignored by git. */
export const DATA_DIR = process.env.DIM_DATA_DIR ?? join(REPO_ROOT, ".data");

/**
 * Embedded mode only: the gateway and the core nodes must share the token secret. When
 * DIM_TOKEN_SECRET is not set we keep a random one in .data/token-secret, created once.
 */
export function embeddedTokenSecret(): string {
  return embeddedSecretFile("token-secret", () => randomBytes(32).toString("base64url"));
}

/**
 * The content of `DATA_DIR/<name>`, created once with `make()` (mode 0600) when missing; every
 * process of the embedded setup reads the same one (a process that loses the race to create it
 * reads the winner's).
 */
export function embeddedSecretFile(name: string, make: () => string): string {
  const file = join(DATA_DIR, name);
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    mkdirSync(dirname(file), { recursive: true });
    const secret = make();
    try {
      writeFileSync(file, secret, { flag: "wx", mode: 0o600 });
      return secret;
    } catch {
      // another process created it first
      return readFileSync(file, "utf8").trim();
    }
  }
}
