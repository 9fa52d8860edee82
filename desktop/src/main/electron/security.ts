/**
 * Session- and app-wide hardening: the CSP added to every response, the permission handlers, and the
 * navigation / new-window / webview rules for every webContents the app ever creates.
 */
import { app, shell, type Session, type WebContents } from "electron";
import type { DesktopConfig } from "../config";
import { buildCsp, withCspHeader } from "../csp";
import { decideNavigation, decideWindowOpen, isPermissionAllowed, isRedirectAllowed, validateExternalUrl } from "../url-policy";
import { log } from "./logger";

/** Opens a URL in the system browser, only after validation (http/https, no credentials, bounded). */
export function openExternalSafely(raw: string): void {
  const url = validateExternalUrl(raw);
  if (!url) {
    log.warn({ url: raw.slice(0, 200) }, "refused to open an external URL");
    return;
  }
  shell.openExternal(url).catch((err: unknown) => log.warn({ err, url }, "could not open an external URL"));
}

export function hardenSession(ses: Session, config: DesktopConfig): void {
  const csp = buildCsp({ serverOrigin: config.serverOrigin, coreNodeOrigins: config.coreNodeOrigins, dev: config.dev });
  // Added to every response (an extra policy: the server's own still applies). Only documents and
  // workers read it; everything the window shows comes from the server's origin anyway.
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withCspHeader(details.responseHeaders, csp) });
  });

  ses.setPermissionRequestHandler((_webContents, permission, callback, details) => {
    const allowed = isPermissionAllowed(permission, details.requestingUrl, config.serverOrigin);
    if (!allowed) log.info({ permission, url: details.requestingUrl.slice(0, 200) }, "permission denied");
    callback(allowed);
  });
  ses.setPermissionCheckHandler((_webContents, permission, requestingOrigin) =>
    isPermissionAllowed(permission, requestingOrigin, config.serverOrigin),
  );
  // No USB / HID / serial / Bluetooth device access, no screen capture.
  ses.setDevicePermissionHandler(() => false);
  ses.setDisplayMediaRequestHandler((_request, callback) => callback({}));
}

/** Navigation rules for one webContents (the app window, and any other the app might create). */
export function lockNavigation(contents: WebContents, serverOrigin: string): void {
  contents.on("will-navigate", (event) => {
    const decision = decideNavigation(event.url, serverOrigin);
    if (decision.action === "allow") return;
    event.preventDefault();
    if (decision.action === "open-external") openExternalSafely(decision.url);
    else log.warn({ url: event.url.slice(0, 200) }, "navigation blocked");
  });
  contents.on("will-frame-navigate", (event) => {
    // Sub-frames (the CSP already forbids them) may not leave the origin either, nor open anything.
    if (!event.isMainFrame && !isRedirectAllowed(event.url, serverOrigin)) event.preventDefault();
  });
  contents.on("will-redirect", (event) => {
    if (!isRedirectAllowed(event.url, serverOrigin)) {
      event.preventDefault();
      log.warn({ url: event.url.slice(0, 200) }, "cross-origin redirect blocked");
    }
  });
  contents.setWindowOpenHandler(({ url }) => {
    const decision = decideWindowOpen(url);
    if (decision.action === "open-external") openExternalSafely(decision.url);
    return { action: "deny" };
  });
  contents.on("will-attach-webview", (event) => event.preventDefault());
}

/** Applies lockNavigation to every webContents the app creates, including any we did not expect. */
export function lockAllWebContents(serverOrigin: string): void {
  app.on("web-contents-created", (_event, contents) => lockNavigation(contents, serverOrigin));
}
