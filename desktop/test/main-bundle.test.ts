/**
 * The Electron-importing code, exercised through its real bundle (dist/main.cjs as esbuild builds it)
 * under plain Node with a fake "electron" module (test/fixtures/fake-electron-harness.cjs): the real
 * Electron binary cannot be fetched on this machine, but the wiring of the security rules, the bridge
 * and the window state can be checked end to end.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDesktop } from "../scripts/build";

const run = promisify(execFile);
const harness = join(import.meta.dirname, "fixtures", "fake-electron-harness.cjs");

type Call = [string, ...unknown[]];
interface Report {
  calls: Call[];
  error?: string;
  windowCount?: number;
  [key: string]: unknown;
}

let dir: string;
let main: string;
let preload: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "dim-desktop-bundle-"));
  ({ main, preload } = await buildDesktop(join(dir, "dist")));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runMain(opts: { scenario?: string; args?: string[]; env?: Record<string, string>; userData?: string } = {}): Promise<Report> {
  const userData = opts.userData ?? mkdtempSync(join(dir, "userdata-"));
  const reportFile = join(mkdtempSync(join(dir, "report-")), "report.json");
  await run(process.execPath, [harness, main, ...(opts.args ?? [])], {
    env: {
      PATH: process.env.PATH ?? "",
      NODE_ENV: "test",
      DIM_FAKE_SCENARIO: opts.scenario ?? "full",
      DIM_FAKE_USERDATA: userData,
      DIM_FAKE_REPORT: reportFile,
      ...opts.env,
    },
    timeout: 20_000,
  });
  const report = JSON.parse(readFileSync(reportFile, "utf8")) as Report;
  expect(report.error).toBeUndefined();
  return report;
}

const names = (report: Report, name: string) => report.calls.filter((c) => c[0] === name).map((c) => c.slice(1));

describe("bundles", () => {
  it("the preload requires nothing but electron (a sandboxed preload can load nothing else)", () => {
    const requires = [...readFileSync(preload, "utf8").matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(new Set(requires)).toEqual(new Set(["electron"]));
    expect(readFileSync(preload, "utf8")).toContain('"dimDesktop"');
  });

  it("the main bundle keeps electron external and inlines everything else", () => {
    const requires = new Set([...readFileSync(main, "utf8").matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]!));
    expect(requires.has("electron")).toBe(true);
    for (const r of requires) expect(r === "electron" || r.startsWith("node:") || !r.includes("/")).toBe(true);
    expect([...requires].filter((r) => ["zod", "pino", "@dim/shared"].includes(r))).toEqual([]);
  });
});

describe("main process (bundled, with a fake Electron)", () => {
  let report: Report;
  beforeAll(async () => {
    report = await runMain({ args: ["--server-url=http://127.0.0.1:4100"] });
  });

  it("sandboxes every renderer and takes the single-instance lock", () => {
    expect(names(report, "app.enableSandbox")).toHaveLength(1);
    expect(names(report, "app.requestSingleInstanceLock")).toHaveLength(1);
    expect(report.registered).toEqual({ on: ["dim:set-unread-count"], handle: ["dim:notify"] });
  });

  it("opens one hardened window on the configured server", () => {
    expect(report.windowCount).toBe(1);
    const [options] = names(report, "new BrowserWindow")[0] as [{ webPreferences: Record<string, unknown> }];
    expect(options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(report.preloadExists).toBe(true);
    expect(names(report, "win.loadURL")[0]).toEqual(["http://127.0.0.1:4100/"]);
  });

  it("keeps navigation on the server's origin and opens only validated web links externally", () => {
    expect(report.navigation).toEqual({
      "http://127.0.0.1:4100/login": "allowed",
      "https://example.com/page": "prevented",
      "javascript:alert(1)": "prevented",
      "file:///etc/passwd": "prevented",
      "http://127.0.0.1:9/x": "prevented",
    });
    expect(report.crossOriginRedirectPrevented).toBe(true);
    expect(report.webviewPrevented).toBe(true);
    expect(report.windowOpen).toEqual([{ action: "deny" }, { action: "deny" }, { action: "deny" }]);
    expect(names(report, "shell.openExternal").map(([u]) => u)).toEqual([
      "https://example.com/page",
      "http://127.0.0.1:9/x",
      "https://example.org/x",
      "http://127.0.0.1:4100/",
    ]);
  });

  it("grants notifications to its own origin only, and no other permission", () => {
    expect(report.permissions).toEqual({
      notificationsOwn: true,
      notificationsOther: false,
      mediaOwn: false,
      geolocationOwn: false,
      checkNotificationsOwn: true,
      checkClipboardOwn: false,
      device: false,
    });
  });

  it("adds its CSP to responses, keeping the server's", () => {
    const { responseHeaders } = report.headers as { responseHeaders: Record<string, string[]> };
    const policies = responseHeaders["content-security-policy"]!;
    expect(policies[0]).toBe("default-src 'self'");
    expect(policies[1]).toContain("default-src 'none'");
    expect(policies[1]).toContain("connect-src 'self' http://127.0.0.1:4100 ws://127.0.0.1:4100 ws: wss:");
  });

  it("shows the unread count only for valid counts from the trusted page", () => {
    expect(names(report, "app.setBadgeCount")).toEqual([[3]]);
  });

  it("shows validated, cleaned, rate-limited notifications and routes their clicks back to the page", () => {
    expect(report.notify).toEqual({
      valid: true,
      invalid: false,
      extraKey: false,
      untrusted: false,
      // burst of 5 per window: 1 used by "valid", 4 left, then refused
      burst: [true, true, true, true, false, false, false, false],
    });
    expect(names(report, "new Notification")[0]).toEqual([{ title: "Alice", body: "hello", silent: false }]);
    expect(names(report, "webContents.send")).toEqual([["dim:notification-click", "0b6f1a2e-4c1d-4f5e-9a7b-3c2d1e0f9a8b"]]);
    expect(names(report, "win.focus").length).toBeGreaterThanOrEqual(1);
  });

  it("shows the offline page when the server cannot be reached (but not for an aborted load)", () => {
    const loads = names(report, "win.loadURL").map(([u]) => u as string);
    expect(loads).toHaveLength(2);
    expect(loads[1]!.startsWith("data:text/html;charset=utf-8,")).toBe(true);
    expect(decodeURIComponent(loads[1]!)).toContain("Cannot reach the DIM server");
  });

  it("saves the window state on close", () => {
    expect(report.savedState).toEqual({ version: 1, x: 200, y: 150, width: 1000, height: 700, maximized: true, fullScreen: false });
  });
});

describe("main process start-up", () => {
  it("restores a saved window state, clamped to the displays", async () => {
    const userData = mkdtempSync(join(dir, "userdata-"));
    writeFileSync(join(userData, "window-state.json"), JSON.stringify({ version: 1, x: 1700, y: 900, width: 800, height: 600, maximized: true, fullScreen: false }));
    const report = await runMain({ scenario: "start", userData });
    const [options] = names(report, "new BrowserWindow")[0] as [Record<string, unknown>];
    expect(options).toMatchObject({ x: 1120, y: 440, width: 800, height: 600 });
    expect(names(report, "win.maximize")).toHaveLength(1);
  });

  it("ignores a corrupt window state", async () => {
    const userData = mkdtempSync(join(dir, "userdata-"));
    writeFileSync(join(userData, "window-state.json"), "{garbage");
    const report = await runMain({ scenario: "start", userData });
    const [options] = names(report, "new BrowserWindow")[0] as [Record<string, unknown>];
    expect(options).toMatchObject({ center: true, width: 1100, height: 760 });
  });

  it("takes the server URL from the environment, then the settings file, defaulting to the local gateway", async () => {
    const fromEnv = await runMain({ scenario: "start", env: { DIM_DESKTOP_SERVER_URL: "https://dim.example/app" } });
    expect(names(fromEnv, "win.loadURL")[0]).toEqual(["https://dim.example/app"]);
    const userData = mkdtempSync(join(dir, "userdata-"));
    writeFileSync(join(userData, "settings.json"), JSON.stringify({ serverUrl: "http://10.1.2.3:3000" }));
    expect(names(await runMain({ scenario: "start", userData }), "win.loadURL")[0]).toEqual(["http://10.1.2.3:3000/"]);
    expect(names(await runMain({ scenario: "start" }), "win.loadURL")[0]).toEqual(["http://127.0.0.1:3000/"]);
  });

  it("refuses to start with an invalid server URL, saying why", async () => {
    const report = await runMain({ scenario: "start", args: ["--server-url", "file:///etc/passwd"] });
    expect(report.windowCount).toBe(0);
    const [[title, message]] = names(report, "dialog.showErrorBox") as [[string, string]];
    expect(title).toBe("DIM cannot start");
    expect(message).toContain("--server-url: must be an http: or https: URL");
    expect(names(report, "app.exit")).toEqual([[1]]);
  });

  it("quits when another instance already runs", async () => {
    const report = await runMain({ scenario: "start", env: { DIM_FAKE_LOCK: "0" } });
    expect(names(report, "app.quit")).toHaveLength(1);
    expect(report.windowCount).toBe(0);
  });
});
