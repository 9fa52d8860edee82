import { copyFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { REPO, SCREENSHOT_DIR } from "./paths";

/** Saved with the test results and, as the project's pictures of its screens, in docs/screenshots (as web-<name>.png). */
export async function docScreenshot(page: Page, name: string): Promise<void> {
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, animations: "disabled" });
  copyFileSync(path, join(REPO, "docs", "screenshots", `web-${name}.png`));
}
