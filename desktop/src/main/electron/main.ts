/**
 * DIM desktop — the Electron main process. It wraps the PWA served by the DIM gateway (web/) in a
 * hardened window; see desktop/README.md for what it enforces.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { app, BrowserWindow, dialog, session } from "electron";
import { isAppError } from "@dim/shared";
import { resolveDesktopConfig, SETTINGS_FILE_NAME, type DesktopConfig } from "../config";
import { WINDOW_STATE_FILE_NAME } from "../window-state-file";
import { createAppWindow, defaultPreloadPath } from "./app-window";
import { registerBridge } from "./ipc";
import { log } from "./logger";
import { hardenSession, lockAllWebContents } from "./security";

function readSettingsText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

function loadConfigOrExit(): DesktopConfig | null {
  const settingsPath = join(app.getPath("userData"), SETTINGS_FILE_NAME);
  try {
    return resolveDesktopConfig({ argv: process.argv, env: process.env, settingsText: readSettingsText(settingsPath), settingsPath });
  } catch (err) {
    const message = isAppError(err) || err instanceof Error ? err.message : String(err);
    log.fatal({ err }, "invalid configuration");
    dialog.showErrorBox("DIM cannot start", message);
    app.exit(1);
    return null;
  }
}

function main(): void {
  // Every renderer sandboxed, whatever a future window's options say.
  app.enableSandbox();

  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }

  const config = loadConfigOrExit();
  if (!config) return;
  log.info({ serverUrl: config.serverUrl, source: config.serverUrlSource, dev: config.dev }, "starting");

  let win: BrowserWindow | null = null;
  const showWindow = () => {
    if (!win || win.isDestroyed()) return;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  };

  lockAllWebContents(config.serverOrigin);
  registerBridge({ serverOrigin: config.serverOrigin, getWindow: () => win, showWindow });

  app.on("second-instance", showWindow);

  const open = () => {
    win = createAppWindow({
      config,
      windowStateFile: join(app.getPath("userData"), WINDOW_STATE_FILE_NAME),
      preloadPath: defaultPreloadPath(),
    });
    win.on("closed", () => {
      win = null;
    });
  };

  app
    .whenReady()
    .then(() => {
      if (process.platform === "win32") app.setAppUserModelId("im.dim.desktop");
      hardenSession(session.defaultSession, config);
      open();
      // macOS: clicking the dock icon with no window open reopens it.
      app.on("activate", () => {
        if (BrowserWindow.getAllWindows().length === 0) open();
        else showWindow();
      });
    })
    .catch((err: unknown) => {
      log.fatal({ err }, "could not start");
      app.exit(1);
    });

  app.on("window-all-closed", () => {
    if (process.platform !== "darwin") app.quit();
  });
}

main();
