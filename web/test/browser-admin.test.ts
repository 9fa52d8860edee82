/**
 * The admin page in a real browser against the production build (gateway in Next.js, two real
 * core nodes, PostgreSQL): the first account is the admin and gets the Admin entry; the page
 * shows both nodes, looks a user up with its device, disables it behind a confirmation (its
 * session ends at once), enables it again by keyboard, and lists both actions in the audit.
 * A normal user gets no entry and no data. axe-clean on desktop/light and phone/dark.
 */
import { describe, expect, it } from "vitest";
import { createGatewayClient, toAppError } from "@dim/client";
import { seriousAxeViolations, switchTheme, WAIT } from "./helpers/pwa";
import { usePwaSuite } from "./helpers/pwa-suite";

const suite = usePwaSuite({ nodes: 2 });
const { newPage, registerOverHttp, login } = suite;

describe("admin page", () => {
  it("nodes, user lookup, disable and enable with confirmation, audit; refused to a normal user", async () => {
    await registerOverHttp("root", "Root Admin"); // the first account: the admin
    const bob = await registerOverHttp("bob", "Bob Brown");
    await registerOverHttp("cyd", "Cy Young");

    const page = await newPage();
    await login(page, "root");
    await page.getByTestId("admin-link").click();
    await page.waitForURL(`${suite.stack.baseUrl}/admin`);
    await page.getByRole("heading", { name: "Admin", level: 1 }).waitFor();
    const nodeRows = page.getByTestId("admin-nodes").locator("tbody tr");
    await expect.poll(() => nodeRows.count(), WAIT).toBe(2);
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Look bob up by keyboard: the field, then Enter.
    await page.getByLabel("Username").focus();
    await page.keyboard.type("bob");
    await page.keyboard.press("Enter");
    const found = page.getByTestId("admin-user");
    await expect.poll(() => found.getByTestId("admin-user-state").innerText(), WAIT).toBe("active");
    expect(await found.getByTestId("admin-sessions").locator("tbody tr").count()).toBe(1);

    // Disable, after a confirmation; cancelling first changes nothing.
    await found.getByRole("button", { name: "Disable account" }).click();
    const confirm = page.getByTestId("admin-confirm");
    await confirm.getByRole("heading", { name: "Disable bob?" }).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.keyboard.press("Escape");
    await expect.poll(() => confirm.isVisible(), WAIT).toBe(false);
    const bobGateway = createGatewayClient({ baseUrl: suite.stack.baseUrl, sessionToken: bob.sessionToken });
    expect((await bobGateway.auth.me.query()).username).toBe("bob");

    await found.getByRole("button", { name: "Disable account" }).click();
    await confirm.getByRole("button", { name: "Disable account" }).click();
    await page.getByText("bob is disabled; 1 session ended.").waitFor(WAIT);
    await expect.poll(() => found.getByTestId("admin-user-state").innerText(), WAIT).toMatch(/^disabled since /);
    expect(await found.getByText("No one is signed in to this account.").count()).toBe(1);
    const refused = await bobGateway.auth.me.query().then(() => null, (e: unknown) => toAppError(e).code);
    expect(refused).toBe("UNAUTHORIZED");

    // Enable by keyboard: focus the button, Enter, then Enter on the dialog's confirm button.
    await found.getByRole("button", { name: "Enable account" }).focus();
    await page.keyboard.press("Enter");
    await confirm.getByRole("heading", { name: "Enable bob?" }).waitFor();
    await confirm.getByRole("button", { name: "Enable account" }).focus();
    await page.keyboard.press("Enter");
    await page.getByText("bob is enabled and can sign in again.").waitFor(WAIT);

    const audit = page.getByTestId("admin-audit").locator("li");
    await expect.poll(async () => (await audit.allInnerTexts()).map((t) => t.split("\n")[0]), WAIT).toEqual([
      "root looked up bob",
      "root enabled bob",
      "root looked up bob",
      "root disabled bob",
      "root looked up bob",
    ]);

    // Phone width, dark theme: still axe-clean.
    await page.setViewportSize({ width: 390, height: 800 });
    await switchTheme(page, "dark");
    expect(await seriousAxeViolations(page)).toEqual([]);

    // A normal user: no Admin entry, and the page says so (the gateway refuses the data).
    const normal = await newPage({ width: 390, colorScheme: "dark" });
    await login(normal, "cyd");
    await normal.getByTestId("me").waitFor();
    expect(await normal.getByTestId("admin-link").count()).toBe(0);
    await normal.goto(`${suite.stack.baseUrl}/admin`);
    await normal.getByText("Only administrators can use this page.").waitFor(WAIT);
    expect(await normal.getByTestId("admin-nodes").count()).toBe(0);
    expect(await seriousAxeViolations(normal)).toEqual([]);
  }, 180_000);
});
