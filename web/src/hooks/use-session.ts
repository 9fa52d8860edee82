"use client";
import { useEffect, useState } from "react";
import type { MeOutput, PublicUser } from "@dim/shared";
import { ErrorCode } from "@dim/shared";
import { toAppError } from "@dim/client";
import { useErrorText } from "./use-error-text";
import { gateway } from "@/lib/gateway";
import { clearAll, readCache, writeCache } from "@/lib/idb-store";

export type SessionState =
  | { status: "loading" }
  | { status: "anonymous" }
  /** `offline`: the server could not be asked; this is who was signed in last time on this device. */
  /** `isAdmin` is absent in a cache written before the admin role existed. */
  | { status: "signed-in"; user: PublicUser & Partial<Pick<MeOutput, "isAdmin">>; offline: boolean }
  | { status: "error"; message: string };

/**
 * Who is signed in, from auth.me (the session is the httpOnly cookie). When the server cannot be
 * reached, the person signed in last on this device (kept in IndexedDB) — so the app opens
 * offline with their history. Another person signing in first wipes the previous one's data.
 */
export function useSession(): SessionState {
  const errorText = useErrorText();
  const [state, setState] = useState<SessionState>({ status: "loading" });
  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const user = await gateway().auth.me.query();
        const cached = await readCache<PublicUser & Partial<MeOutput>>("me");
        if (cached && cached.id !== user.id) await clearAll();
        await writeCache("me", user);
        if (live) setState({ status: "signed-in", user, offline: false });
      } catch (error) {
        const app = toAppError(error);
        if (app.code === ErrorCode.Unauthorized) {
          if (live) setState({ status: "anonymous" });
          return;
        }
        const cached = await readCache<PublicUser & Partial<MeOutput>>("me");
        if (!live) return;
        setState(cached ? { status: "signed-in", user: cached, offline: true } : { status: "error", message: errorText(app) });
      }
    })();
    return () => {
      live = false;
    };
  }, []);
  return state;
}
