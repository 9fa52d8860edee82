import type { LinkPreview } from "@dim/shared";

/**
 * A link's preview under its bubble: site, title, description (plain text from the gateway) and
 * the host. The whole card is the link, opening in a new tab with no opener and no referrer, like
 * the link in the text. No image: the gateway fetches none (docs/security.md § link previews).
 */
export function LinkPreviewCard({ preview }: { preview: LinkPreview }) {
  let host = preview.url;
  try {
    host = new URL(preview.url).host;
  } catch {
    // The gateway sends parsed URLs; keep the text if not.
  }
  return (
    <a
      href={preview.url}
      target="_blank"
      rel="noopener noreferrer"
      data-testid="link-preview"
      className="mt-1 block w-72 max-w-full rounded-xl border border-l-4 border-slate-200 border-l-brand-500 bg-surface px-3 py-2 text-left shadow-sm hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-brand-500"
    >
      {preview.siteName ? <span className="block truncate text-[11px] font-medium text-slate-600">{preview.siteName}</span> : null}
      {preview.title ? <span className="line-clamp-2 block text-sm font-semibold break-words text-slate-900">{preview.title}</span> : null}
      {preview.description ? <span className="line-clamp-3 block text-xs break-words text-slate-700">{preview.description}</span> : null}
      <span className="block truncate text-[11px] text-slate-600">{host}</span>
    </a>
  );
}
