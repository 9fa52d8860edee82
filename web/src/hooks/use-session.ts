"use client";
import { useEffect, useState } from "react";
import type { PublicUser } from "@dim/shared";
import { ErrorCode } from "@dim/shared";
import { toAppError } from "@dim/client";
import { gateway } from "@/lib/gateway";

export type SessionState =
  | { status: "loading" }
  | { status: "anonymous" }
  | { status: "signed-in"; user: PublicUser }
  | { status: "error"; message: string };

/** Who is signed in, from auth.me (the session is the httpOnly cookie). */
export function useSession(): SessionState {
  const [state, setState] = useState<SessionState>({ status: "loading" });
  useEffect(() => {
    let live = true;
    gateway()
      .auth.me.query()
      .then((user) => live && setState({ status: "signed-in", user }))
      .catch((error: unknown) => {
        if (!live) return;
        const app = toAppError(error);
        setState(app.code === ErrorCode.Unauthorized ? { status: "anonymous" } : { status: "error", message: app.message });
      });
    return () => {
      live = false;
    };
  }, []);
  return state;
}
