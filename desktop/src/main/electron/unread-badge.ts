/** Shows the unread count where the platform can: dock text (macOS), launcher count (Linux), taskbar overlay (Windows). */
import { app, nativeImage, type BrowserWindow } from "electron";
import { badgeDescription, badgeText, renderOverlayBitmap } from "../badge";
import { log } from "./logger";

let lastCount = -1;

export function showUnreadCount(win: BrowserWindow | null, count: number): void {
  if (count === lastCount) return;
  lastCount = count;
  try {
    if (process.platform === "darwin") {
      app.dock?.setBadge(badgeText(count));
    } else if (process.platform === "win32") {
      if (!win || win.isDestroyed()) return;
      const bitmap = renderOverlayBitmap(count);
      const image = bitmap
        ? nativeImage.createFromBitmap(Buffer.from(bitmap.data.buffer, bitmap.data.byteOffset, bitmap.data.byteLength), {
            width: bitmap.width,
            height: bitmap.height,
          })
        : null;
      win.setOverlayIcon(image, badgeDescription(count));
    } else {
      // Unity-compatible launchers (GNOME docks, KDE) read this; others ignore it.
      app.setBadgeCount(count);
    }
  } catch (err) {
    log.warn({ err }, "could not show the unread badge");
  }
}
