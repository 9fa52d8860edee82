import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const WEB_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const REPO = join(WEB_DIR, "..");
export const NEXT_BIN = createRequire(join(WEB_DIR, "package.json")).resolve("next/dist/bin/next");
/** Where tests leave screenshots (ignored by git); the chosen ones are copied to docs/screenshots. */
export const SCREENSHOT_DIR = join(REPO, "test-results", "web");
