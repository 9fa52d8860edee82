/**
 * The page-side contract of the desktop app: the preload exposes `window.dimDesktop` (only inside
 * the Electron wrapper). The PWA feature-detects it and otherwise uses the browser's APIs.
 *
 * Framework-free and type-only, so the web app can `import type` it:
 *   import type { DimDesktopApi } from "@dim/desktop/bridge-types";
 */

/** What a native notification shows. The main process validates and bounds every field. */
export interface DesktopNotification {
  /** 1–120 characters (trimmed). Usually the sender's display name. */
  title: string;
  /** 0–500 characters. A preview of the message, plain text. */
  body: string;
  /** The conversation to open when the notification is clicked (a UUID). */
  conversationId: string;
}

export interface DimDesktopApi {
  /** Total unread messages across conversations; shown as the dock/taskbar/launcher badge. 0 clears it. */
  setUnreadCount(count: number): void;
  /** Shows a native notification. Resolves false when it was refused (invalid, rate-limited, unsupported). */
  notify(notification: DesktopNotification): Promise<boolean>;
  /** Called with the conversationId of a clicked notification. Returns an unsubscribe function. */
  onNotificationClick(callback: (conversationId: string) => void): () => void;
  /** The desktop app's version (e.g. "0.1.0"). */
  readonly version: string;
}

/** Limits the main process enforces on the bridge's inputs (the page may pre-truncate to them). */
export const DesktopBridgeLimits = {
  titleMax: 120,
  bodyMax: 500,
  unreadMax: 1_000_000,
} as const;

declare global {
  interface Window {
    /** Present only inside the DIM desktop app. */
    dimDesktop?: DimDesktopApi;
  }
}
