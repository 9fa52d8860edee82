/**
 * IPC channel names shared by the preload (renderer side) and the main process. Plain constants:
 * both bundles import them, and neither side may invent a channel the other does not check.
 */
export const Channel = {
  /** renderer → main, fire-and-forget: the total unread count (integer ≥ 0). */
  SetUnreadCount: "dim:set-unread-count",
  /** renderer → main, invoke: show a native notification; resolves to whether one was shown. */
  Notify: "dim:notify",
  /** main → renderer: the person clicked a notification; payload is its conversationId. */
  NotificationClick: "dim:notification-click",
} as const;
export type Channel = (typeof Channel)[keyof typeof Channel];
