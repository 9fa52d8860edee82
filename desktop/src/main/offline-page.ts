/**
 * What the window shows when the DIM server cannot be reached and no service worker answered for it:
 * a static page (no script, its own strict CSP) while the main process retries with backoff.
 */

export const RETRY_BASE_MS = 1_000;
export const RETRY_MAX_MS = 30_000;

/** 1 s, 2 s, 4 s … capped at 30 s. */
export function retryDelayMs(attempt: number): number {
  const n = Number.isFinite(attempt) && attempt > 0 ? Math.floor(attempt) : 0;
  return Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(n, 20));
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);
}

export function offlinePageHtml(opts: { serverUrl: string; retryInMs: number; error?: string }): string {
  const seconds = Math.max(1, Math.round(opts.retryInMs / 1000));
  const detail = opts.error ? `<p class="detail">${escapeHtml(opts.error)}</p>` : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="color-scheme" content="light dark">
<title>DIM — cannot reach the server</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; display: grid; place-items: center; min-height: 100vh; margin: 0; }
  main { max-width: 28rem; padding: 2rem; text-align: center; }
  h1 { font-size: 1.25rem; margin: 0 0 .5rem; }
  code { word-break: break-all; }
  .detail { opacity: .7; font-size: .875rem; }
</style>
</head>
<body>
<main role="alert">
  <h1>Cannot reach the DIM server</h1>
  <p>The app will try <code>${escapeHtml(opts.serverUrl)}</code> again in ${seconds} s.</p>
  ${detail}
  <p class="detail">Change the server with <code>--server-url</code>, <code>DIM_DESKTOP_SERVER_URL</code> or settings.json.</p>
</main>
</body>
</html>
`;
}

export function offlinePageDataUrl(opts: { serverUrl: string; retryInMs: number; error?: string }): string {
  return `data:text/html;charset=utf-8,${encodeURIComponent(offlinePageHtml(opts))}`;
}
