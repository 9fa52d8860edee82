"use client";
import { useEffect, useRef, useState } from "react";
import { formatBytes, type ChatAttachment } from "@dim/client";
import { useObjectUrl } from "@/hooks/use-object-url";
import { useTranslations } from "@/i18n";
import { trapTab } from "@/lib/focus-trap";

/**
 * The full-size photo on a modal <dialog> (showModal: the page behind is inert and focus stays
 * inside, Tab wraps around (trapTab); Escape closes, and focus goes back to the photo that opened it). The original comes
 * from the server; offline, the cached thumbnail stands in.
 */
export function ImageViewer(props: { attachment: ChatAttachment | null; onClose: () => void; fileUrl: (id: string) => string; thumbnail: (id: string) => Promise<Blob> }) {
  const ref = useRef<HTMLDialogElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  const t = useTranslations("viewer");
  const { attachment, onClose } = props;
  const open = attachment !== null;

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (open && !el.open) {
      el.showModal();
      closeRef.current?.focus();
    }
    if (!open && el.open) el.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      aria-label={attachment ? t("label", { name: attachment.name }) : t("photo")}
      data-testid="image-viewer"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
      onKeyDown={(e) => trapTab(e, ref.current)}
      className="m-0 h-full max-h-none w-full max-w-none bg-black/95 p-0 text-white backdrop:bg-black/80"
    >
      {attachment ? <ViewerBody key={attachment.id ?? attachment.name} {...props} attachment={attachment} closeRef={closeRef} /> : null}
    </dialog>
  );
}

function ViewerBody(props: {
  attachment: ChatAttachment;
  onClose: () => void;
  fileUrl: (id: string) => string;
  thumbnail: (id: string) => Promise<Blob>;
  closeRef: React.RefObject<HTMLButtonElement | null>;
}) {
  const { attachment: a } = props;
  const t = useTranslations("viewer");
  const local = useObjectUrl(a.localFile ? () => Promise.resolve(a.localFile!) : null, a.localFile ? "local" : null);
  const [fallback, setFallback] = useState(false);
  const thumb = useObjectUrl(fallback && a.id ? () => props.thumbnail(a.id!) : null, fallback && a.id ? a.id : null);
  const src = local.url ?? (fallback ? thumb.url : a.id ? props.fileUrl(a.id) : null);
  return (
    <div className="flex h-full flex-col">
      <header className="flex items-center gap-3 px-4 py-3">
        <div className="min-w-0 flex-1">
          <h2 className="truncate text-sm font-semibold">{a.name}</h2>
          <p className="text-xs text-white/80">
            {a.width && a.height ? `${a.width} × ${a.height} · ` : ""}
            {formatBytes(a.size)}
          </p>
        </div>
        {a.id ? (
          <a href={props.fileUrl(a.id)} download={a.name} className="rounded-md border border-white/40 px-3 py-1.5 text-xs font-medium hover:bg-white/10">
            {t("download")}
          </a>
        ) : null}
        <button
          ref={props.closeRef}
          type="button"
          onClick={props.onClose}
          aria-label={t("close")}
          className="inline-flex h-9 w-9 items-center justify-center rounded-md text-xl hover:bg-white/10"
        >
          <span aria-hidden>×</span>
        </button>
      </header>
      <div className="flex min-h-0 flex-1 items-center justify-center p-2 sm:p-6">
        {src ? (
          // eslint-disable-next-line @next/next/no-img-element -- our own authenticated route, not an optimisable asset
          <img src={src} alt={a.name} data-testid="full-image" onError={() => setFallback(true)} className="max-h-full max-w-full object-contain" />
        ) : (
          <p className="text-sm text-white/80">{fallback ? t("offline") : t("loading")}</p>
        )}
      </div>
    </div>
  );
}
