/**
 * The one app window: hardened webPreferences, remembered geometry, and loading the server with a
 * static "cannot reach the server" page and backoff retries when it is down.
 */
import { join } from "node:path";
import { BrowserWindow, screen } from "electron";
import type { DesktopConfig } from "../config";
import { offlinePageDataUrl, retryDelayMs } from "../offline-page";
import { isSameOrigin } from "../url-policy";
import { clampWindowState, DEFAULT_WINDOW_STATE, MIN_HEIGHT, MIN_WIDTH, windowStateFrom, type WindowState } from "../window-state";
import { loadWindowStateFile, saveWindowStateFile } from "../window-state-file";
import { log } from "./logger";

/** Chromium's "request aborted" (a navigation replaced by another): not a failure to show. */
const ERR_ABORTED = -3;
const SAVE_DEBOUNCE_MS = 500;

export interface AppWindowOptions {
  config: DesktopConfig;
  /** Absolute path of the window-state JSON file. */
  windowStateFile: string;
  /** Absolute path of the bundled preload script. */
  preloadPath: string;
}

function restoredState(file: string): WindowState {
  const loaded = loadWindowStateFile(file);
  if (!loaded.state && loaded.reason !== "missing") log.warn({ file, reason: loaded.reason }, "ignoring the saved window state");
  const displays = screen.getAllDisplays().map((d) => d.workArea);
  return clampWindowState(loaded.state ?? DEFAULT_WINDOW_STATE, displays, screen.getPrimaryDisplay().workArea);
}

export function createAppWindow({ config, windowStateFile, preloadPath }: AppWindowOptions): BrowserWindow {
  const state = restoredState(windowStateFile);
  const win = new BrowserWindow({
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : { center: true }),
    width: state.width,
    height: state.height,
    minWidth: MIN_WIDTH,
    minHeight: MIN_HEIGHT,
    title: "DIM",
    show: false,
    backgroundColor: "#0f172a",
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: true,
    },
  });
  if (state.maximized) win.maximize();
  if (state.fullScreen) win.setFullScreen(true);
  win.once("ready-to-show", () => win.show());

  // Geometry: saved (debounced) on every move/resize and synchronously on close.
  let saveTimer: NodeJS.Timeout | undefined;
  const save = () => {
    clearTimeout(saveTimer);
    if (win.isDestroyed()) return;
    const next = windowStateFrom(win.getNormalBounds(), win.isMaximized(), win.isFullScreen());
    if (!next) return;
    try {
      saveWindowStateFile(windowStateFile, next);
    } catch (err) {
      log.warn({ err, file: windowStateFile }, "could not save the window state");
    }
  };
  const saveSoon = () => {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(save, SAVE_DEBOUNCE_MS);
  };
  win.on("resize", saveSoon);
  win.on("move", saveSoon);
  win.on("maximize", saveSoon);
  win.on("unmaximize", saveSoon);
  win.on("enter-full-screen", saveSoon);
  win.on("leave-full-screen", saveSoon);
  win.on("close", save);
  win.on("closed", () => clearTimeout(saveTimer));

  // Loading: the server, or the offline page and a retry with backoff. A cached PWA shell (service
  // worker) loads even when the server is down, so the offline page only shows on a first run.
  let attempt = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  const load = () => {
    clearTimeout(retryTimer);
    if (win.isDestroyed()) return;
    win.loadURL(config.serverUrl).catch(() => {
      /* reported through did-fail-load */
    });
  };
  win.webContents.on("did-fail-load", (_event, errorCode, errorDescription, validatedURL, isMainFrame) => {
    if (!isMainFrame || errorCode === ERR_ABORTED || !isSameOrigin(validatedURL, config.serverOrigin)) return;
    const delay = retryDelayMs(attempt++);
    log.warn({ errorCode, errorDescription, url: validatedURL, retryInMs: delay }, "could not load the server");
    win.loadURL(offlinePageDataUrl({ serverUrl: config.serverUrl, retryInMs: delay, error: errorDescription })).catch(() => {});
    retryTimer = setTimeout(load, delay);
  });
  win.webContents.on("did-finish-load", () => {
    if (isSameOrigin(win.webContents.getURL(), config.serverOrigin)) attempt = 0;
  });
  win.on("closed", () => clearTimeout(retryTimer));

  load();
  return win;
}

/** The preload bundle next to the main bundle (dist/preload.cjs). */
export function defaultPreloadPath(): string {
  return join(__dirname, "preload.cjs");
}
