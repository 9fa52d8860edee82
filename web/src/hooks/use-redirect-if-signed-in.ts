"use client";
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { gateway } from "@/lib/gateway";

/** Login and register pages: someone already signed in goes straight to the main page. */
export function useRedirectIfSignedIn(): void {
  const router = useRouter();
  useEffect(() => {
    let live = true;
    gateway()
      .auth.me.query()
      .then(() => live && router.replace("/"))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [router]);
}
