"use client";
import { useCallback, useEffect, useState } from "react";
import type { DimClient } from "@dim/client";
import { DEFAULT_NOTIFICATION_SETTINGS, type NotificationSettings } from "@dim/shared";
import { gateway } from "@/lib/gateway";
import { useErrorText } from "./use-error-text";
import { useClientEvent } from "./use-client-event";

/**
 * The user's notification settings (preview level, do not disturb), stored on the server: read
 * once, changed through notifications.update, and kept in step with the user's other devices by
 * the `notify.settings` frame (the client's `notifySettings` event).
 */
export function useNotificationSettings(client: DimClient | null) {
  const [settings, setSettings] = useState<NotificationSettings | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const errorText = useErrorText();
  useEffect(() => {
    let live = true;
    gateway()
      .notifications.settings.query()
      .then((s) => live && setSettings(s))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, []);
  useClientEvent(client, "notifySettings", (frame) => setSettings(frame.settings));
  // A reconnect may have missed a change made meanwhile on another device.
  useClientEvent(client, "state", (state) => {
    if (state.status === "connected") void gateway().notifications.settings.query().then(setSettings, () => {});
  });

  const update = useCallback(async (change: Partial<NotificationSettings>) => {
    setSaving(true);
    setError(null);
    try {
      setSettings(await gateway().notifications.update.mutate(change));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setSaving(false);
    }
  }, [errorText]);

  return { settings: settings ?? DEFAULT_NOTIFICATION_SETTINGS, loaded: settings !== null, saving, error, update };
}

export type NotificationSettingsState = ReturnType<typeof useNotificationSettings>;
