/**
 * The preload (sandboxed, context-isolated): exposes `window.dimDesktop` and nothing else. It only
 * forwards to the main process, which validates every call; the page never sees ipcRenderer.
 * Bundled to CommonJS (sandboxed preloads cannot load ES modules or anything but "electron").
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from "electron";
import type { DesktopNotification, DimDesktopApi } from "../bridge-types";
import { Channel } from "../channels";

declare const __DIM_DESKTOP_VERSION__: string;

const api: DimDesktopApi = {
  setUnreadCount(count: number): void {
    ipcRenderer.send(Channel.SetUnreadCount, count);
  },
  notify(notification: DesktopNotification): Promise<boolean> {
    // Only plain fields cross the bridge (no getters, prototypes or extra keys).
    const n = (notification ?? {}) as Partial<DesktopNotification>;
    return ipcRenderer
      .invoke(Channel.Notify, { title: n.title, body: n.body, conversationId: n.conversationId })
      .then((shown: unknown) => shown === true)
      .catch(() => false);
  },
  onNotificationClick(callback: (conversationId: string) => void): () => void {
    if (typeof callback !== "function") throw new TypeError("onNotificationClick expects a function");
    const listener = (_event: IpcRendererEvent, conversationId: unknown) => {
      if (typeof conversationId === "string") callback(conversationId);
    };
    ipcRenderer.on(Channel.NotificationClick, listener);
    return () => {
      ipcRenderer.removeListener(Channel.NotificationClick, listener);
    };
  },
  version: __DIM_DESKTOP_VERSION__,
};

contextBridge.exposeInMainWorld("dimDesktop", api);
