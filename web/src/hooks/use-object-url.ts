"use client";
import { useEffect, useState } from "react";

/**
 * An object URL for a Blob that comes from somewhere asynchronous (the thumbnail cache, the
 * network) or is already at hand (a picked file), revoked when it changes or on unmount.
 * `error` is true when the load failed (offline and not cached).
 */
export function useObjectUrl(load: (() => Promise<Blob>) | null, key: string | null): { url: string | null; error: boolean } {
  const [state, setState] = useState<{ key: string | null; url: string | null; error: boolean }>({ key: null, url: null, error: false });
  useEffect(() => {
    if (!load || key === null) return;
    let live = true;
    let url: string | null = null;
    load()
      .then((blob) => {
        if (!live) return;
        url = URL.createObjectURL(blob);
        setState({ key, url, error: false });
      })
      .catch(() => live && setState({ key, url: null, error: true }));
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
    // `load` is a new function every render; the key says when it loads something else.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return state.key === key ? { url: state.url, error: state.error } : { url: null, error: false };
}
