/**
 * The admin page in a real browser against the production build (gateway in Next.js, two real
 * core nodes, PostgreSQL): the first account is the admin and gets the Admin entry; the page
 * shows both nodes, looks a user up with its device, disables it behind a confirmation (its
 * session ends at once), enables it again by keyboard, and lists both actions in the audit.
 * Each node row shows its message rates in and out; a drain button per node asks first (Escape
 * cancels), then drains that node by keyboard: the node leaves the table and the audit lists it.
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
    const root = await registerOverHttp("root", "Root Admin"); // the first account: the admin
    const bob = await registerOverHttp("bob", "Bob Brown");
    const cyd = await registerOverHttp("cyd", "Cy Young");

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

    // Message rates per node, as the nodes reported them (nothing is being sent: 0/s).
    for (const testId of ["rate-in", "rate-out"]) {
      expect(await nodeRows.getByTestId(testId).allInnerTexts()).toEqual(["0/s", "0/s"]);
    }
    expect(await page.getByTestId("admin-nodes").locator("thead").innerText()).toMatch(/Messages in\s+Messages out/);

    // Phone width, dark theme: still axe-clean.
    await page.setViewportSize({ width: 390, height: 800 });
    await switchTheme(page, "dark");
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Drain the first node: a confirmation first (Escape keeps it running), then by keyboard.
    const [victim, survivor] = suite.stack.nodeIds;
    const drainButton = page.getByRole("button", { name: `Drain ${victim}` });
    await drainButton.click();
    const drainDialog = page.getByTestId("admin-confirm-drain");
    await drainDialog.getByRole("heading", { name: `Drain ${victim}?` }).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.keyboard.press("Escape");
    await expect.poll(() => drainDialog.isVisible(), WAIT).toBe(false);
    const rootGateway = createGatewayClient({ baseUrl: suite.stack.baseUrl, sessionToken: root.sessionToken });
    expect((await rootGateway.admin.nodes.query()).nodes.map((n) => [n.nodeId, n.draining])).toEqual([
      [victim, false],
      [survivor, false],
    ]);
    await drainButton.focus();
    await page.keyboard.press("Enter");
    await drainDialog.getByRole("button", { name: "Drain node" }).focus();
    await page.keyboard.press("Enter");
    await page.getByText(`${victim} is draining: its clients move to the other nodes, then it stops.`).waitFor(WAIT);
    // It drains (DIM_DRAIN_MS is 500 here), stops and leaves the live set; the other stays.
    await expect.poll(async () => (await rootGateway.admin.nodes.query()).nodes.map((n) => n.nodeId), { timeout: 60_000, interval: 500 }).toEqual([survivor]);
    await expect.poll(() => nodeRows.count(), { timeout: 30_000, interval: 500 }).toBe(1);
    await expect.poll(async () => (await audit.allInnerTexts()).map((t) => t.split("\n")[0])[0], WAIT).toBe(`root drained node ${victim}`);
    expect(await seriousAxeViolations(page)).toEqual([]);
    // A normal user's session cannot drain the survivor.
    const cydSession = createGatewayClient({ baseUrl: suite.stack.baseUrl, sessionToken: cyd.sessionToken });
    const forbidden = await cydSession.admin.drainNode.mutate({ nodeId: survivor!, epoch: 1 }).then(() => null, (e: unknown) => toAppError(e).code);
    expect(forbidden).toBe("FORBIDDEN");

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
