/**
 * The main side of the preload bridge. Every message is checked: the sender must be the app window's
 * top frame on the server's origin, and the payload must pass its zod schema; anything else is
 * dropped (logged, never thrown back into the page).
 */
import { BrowserWindow, ipcMain, Notification, type IpcMainEvent, type IpcMainInvokeEvent } from "electron";
import { Channel } from "../../channels";
import { isTrustedSender, parseNotifyPayload, parseUnreadCount, type NotifyPayload } from "../ipc-payloads";
import { TokenBucket } from "@dim/shared/async";
import { log } from "./logger";
import { showUnreadCount } from "./unread-badge";

/** At most 5 notifications at once, then one every 2 s: a runaway page cannot flood the desktop. */
const NOTIFY_BURST = 5;
const NOTIFY_REFILL_PER_SECOND = 0.5;

export interface BridgeOptions {
  serverOrigin: string;
  /** The app window (it may be recreated); null while there is none. */
  getWindow: () => BrowserWindow | null;
  /** Shows and focuses the app window. */
  showWindow: () => void;
}

function trusted(event: IpcMainEvent | IpcMainInvokeEvent, opts: BridgeOptions): boolean {
  const win = opts.getWindow();
  const frame = event.senderFrame;
  const ok = isTrustedSender(
    {
      frameUrl: frame?.url,
      isTopFrame: frame !== null && frame.parent === null,
      isAppWindow: win !== null && !win.isDestroyed() && event.sender === win.webContents,
    },
    opts.serverOrigin,
  );
  if (!ok) log.warn({ frameUrl: frame?.url?.slice(0, 200) }, "bridge call from an untrusted sender dropped");
  return ok;
}

export function registerBridge(opts: BridgeOptions): void {
  const bucket = new TokenBucket(NOTIFY_REFILL_PER_SECOND, NOTIFY_BURST);
  // Live notifications are kept referenced: a garbage-collected Notification loses its click handler.
  const live = new Set<Notification>();

  ipcMain.on(Channel.SetUnreadCount, (event, count: unknown) => {
    if (!trusted(event, opts)) return;
    const parsed = parseUnreadCount(count);
    if (!parsed.ok) {
      log.warn({ error: parsed.error }, "invalid unread count dropped");
      return;
    }
    showUnreadCount(opts.getWindow(), parsed.value);
  });

  ipcMain.handle(Channel.Notify, (event, payload: unknown): boolean => {
    if (!trusted(event, opts)) return false;
    const parsed = parseNotifyPayload(payload);
    if (!parsed.ok) {
      log.warn({ error: parsed.error }, "invalid notification dropped");
      return false;
    }
    if (!Notification.isSupported()) return false;
    if (!bucket.take()) {
      log.info("notification rate-limited");
      return false;
    }
    show(parsed.value);
    return true;
  });

  function show({ title, body, conversationId }: NotifyPayload): void {
    const notification = new Notification({ title, body, silent: false });
    live.add(notification);
    const forget = () => live.delete(notification);
    notification.on("click", () => {
      forget();
      opts.showWindow();
      const win = opts.getWindow();
      if (win && !win.isDestroyed()) win.webContents.send(Channel.NotificationClick, conversationId);
    });
    notification.on("close", forget);
    notification.on("failed", (_e, error) => {
      forget();
      log.warn({ error }, "notification failed");
    });
    notification.show();
  }
}
