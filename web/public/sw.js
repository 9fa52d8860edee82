/*
 * DIM's service worker (hand-written, no build step): keeps the app shell so the PWA opens
 * with no network and no server.
 * - Navigations: network first, the cached page when the network fails (else the cached "/").
 * - /_next/static/*: cache first (file names carry a content hash).
 * - Other same-origin GETs (manifest, icons): network first with a cached fallback.
 * - /api/* (the tRPC gateway) and anything cross-origin: never touched, never cached.
 * On install it caches "/", "/login", "/register", the emoji picker's data and every /_next/static asset those pages
 * reference, so the very first visit already leaves a working offline shell.
 * Web Push (docs/protocol.md §20): the server pushes while none of the user's devices is
 * connected; `push` shows what the payload allows (the user's preview setting: nothing, names,
 * or the text), one notification per conversation (tag), and a click opens that conversation.
 * Registered as /sw.js?dev=1 by `next dev` (npm run dev): network first for /_next/static too
 * (dev chunks keep their names across edits), hot-update files never kept, its own cache name
 * (switching between dev and a production build on one origin drops the other's cache).
 */
const DEV = new URL(self.location.href).searchParams.get("dev") === "1";
const VERSION = DEV ? "dim-shell-dev-v2" : "dim-shell-v2";
// The emoji picker's data (served by the app itself, never a CDN), so the picker works offline
// even when it was never opened online.
const EMOJI_DATA = ["en", "zh"].flatMap((locale) => [`/emojibase/${locale}/data.json`, `/emojibase/${locale}/messages.json`]);
const SHELL = ["/", "/login", "/register", "/manifest.webmanifest", "/icons/icon-192.png", "/icons/icon-512.png", "/icons/icon.svg", ...EMOJI_DATA];

function isApi(url) {
  return url.pathname.startsWith("/api/");
}

async function precache() {
  const cache = await caches.open(VERSION);
  const assets = new Set();
  for (const path of SHELL) {
    try {
      const response = await fetch(path, { cache: "no-store", credentials: "same-origin" });
      if (!response.ok) continue;
      if ((response.headers.get("content-type") || "").includes("text/html")) {
        const html = await response.clone().text();
        for (const match of html.matchAll(/\/_next\/static\/[^"'\s)\\]+/g)) assets.add(match[0]);
      }
      await cache.put(path, response);
    } catch {
      // Offline while installing: whatever was cached stays; the next visit fills the rest.
    }
  }
  await Promise.all(
    [...assets].map(async (asset) => {
      if (await cache.match(asset)) return;
      try {
        const response = await fetch(asset);
        if (response.ok) await cache.put(asset, response);
      } catch {
        // Fetched (and cached) on first use instead.
      }
    }),
  );
}

self.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== VERSION) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

async function networkFirst(request, cacheKey, fallbackKey) {
  const cache = await caches.open(VERSION);
  try {
    const response = await fetch(request);
    // Only whole, same-origin, successful answers are worth keeping (not redirects or errors).
    if (response.ok && response.type === "basic") await cache.put(cacheKey, response.clone());
    return response;
  } catch (error) {
    const cached = (await cache.match(cacheKey, { ignoreSearch: true })) || (fallbackKey && (await cache.match(fallbackKey)));
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(VERSION);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || isApi(url)) return;
  // React Server Component payloads of client-side navigations: not cached (Next falls back to
  // a full navigation when they fail, and that one is served from the cache).
  if (url.searchParams.has("_rsc") || request.headers.get("RSC") === "1") return;

  if (request.mode === "navigate") {
    event.respondWith(networkFirst(request, url.pathname, "/"));
  } else if (DEV && url.pathname.startsWith("/_next/")) {
    // Fast refresh's hot updates are of one moment only: not worth a cache entry.
    if (url.pathname.includes(".hot-update.")) return;
    event.respondWith(networkFirst(request, url.pathname + url.search, null));
  } else if (url.pathname.startsWith("/_next/static/")) {
    event.respondWith(cacheFirst(request));
  } else {
    event.respondWith(networkFirst(request, url.pathname + url.search, null));
  }
});

const ZH = /^zh\b/i.test(self.navigator.language || "");
const WORDS = ZH ? { app: "DIM", newMessage: "新消息", from: "来自" } : { app: "DIM", newMessage: "New message", from: "from" };

/** Title and body of a push payload ({ v: 1, type: "message", conversationId, seq, sender, conversation, text }). */
function notificationOf(p) {
  const title = p.conversation || p.sender || WORDS.app;
  let body = WORDS.newMessage;
  if (p.text !== null && p.text !== undefined) body = p.conversation && p.sender ? `${p.sender}: ${p.text}` : p.text;
  else if (p.conversation && p.sender) body = `${WORDS.newMessage} ${WORDS.from} ${p.sender}`;
  return { title, body };
}

self.addEventListener("push", (event) => {
  let payload = null;
  try {
    payload = event.data ? event.data.json() : null;
  } catch {
    payload = null;
  }
  const valid = payload && payload.v === 1 && payload.type === "message" && typeof payload.conversationId === "string";
  // userVisibleOnly: every push shows a notification, even one we cannot read.
  const { title, body } = valid ? notificationOf(payload) : { title: WORDS.app, body: WORDS.newMessage };
  const options = {
    body,
    icon: "/icons/icon-192.png",
    badge: "/icons/icon-192.png",
    tag: valid ? payload.conversationId : "dim",
    renotify: true,
    data: valid ? { conversationId: payload.conversationId, seq: payload.seq } : {},
  };
  event.waitUntil(self.registration.showNotification(title, options));
});

// Clicking a notification (shown by the page, or by `push` above) focuses the app on its conversation.
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const conversationId = event.notification.data && event.notification.data.conversationId;
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const target = windows[0];
      if (target) {
        await target.focus();
        if (conversationId) target.postMessage({ type: "dim:open-conversation", conversationId });
      } else {
        await self.clients.openWindow(conversationId ? `/?c=${encodeURIComponent(conversationId)}` : "/");
      }
    })(),
  );
});
