"use client";
import { useMemo, useState } from "react";
import { fitImage, placeholderDataUrl, type ChatAttachment } from "@dim/client";
import { useObjectUrl } from "@/hooks/use-object-url";
import { useTranslations } from "@/i18n";
import { useAttachmentActions } from "./attachment-context";

/** Largest box of an image in the log (CSS px); narrower screens shrink it to the bubble. */
const MAX_W = 280;
const MAX_H = 320;

/**
 * A photo at its own aspect ratio: the ThumbHash blur first, then the thumbnail (or, for an own
 * message still on its way, the picked file itself). A button: it opens the full-size viewer.
 */
export function ImageAttachment({ attachment, clientMsgId }: { attachment: ChatAttachment; clientMsgId: string }) {
  const actions = useAttachmentActions();
  const t = useTranslations("viewer");
  const box = fitImage(attachment, MAX_W, MAX_H);
  const blur = useMemo(() => placeholderDataUrl(attachment.placeholder), [attachment.placeholder]);
  const local = attachment.localFile;
  const id = attachment.id;
  const source = useObjectUrl(local ? () => Promise.resolve(local) : id ? () => actions.thumbnail(id) : null, local ? `local:${clientMsgId}` : id ? `thumb:${id}` : null);
  const [loaded, setLoaded] = useState<string | null>(null);

  return (
    <button
      type="button"
      onClick={() => actions.view(attachment)}
      aria-label={t("open", { name: attachment.name })}
      data-testid="image-attachment"
      data-loaded={loaded !== null && loaded === source.url ? "true" : "false"}
      data-placeholder={blur ? "true" : "false"}
      className="relative block max-w-full overflow-hidden rounded-xl bg-slate-200"
      style={{ width: box.width, aspectRatio: `${box.width} / ${box.height}`, backgroundImage: blur ? `url("${blur}")` : undefined, backgroundSize: "cover" }}
    >
      {source.url ? (
        // eslint-disable-next-line @next/next/no-img-element -- a blob: URL of our own cache, not an optimisable asset
        <img
          src={source.url}
          alt=""
          width={box.width}
          height={box.height}
          onLoad={() => setLoaded(source.url)}
          className={`h-full w-full object-cover transition-opacity duration-200 ${loaded === source.url ? "opacity-100" : "opacity-0"}`}
        />
      ) : null}
      {source.error && !blur ? <span className="absolute inset-0 flex items-center justify-center text-xs text-slate-600">{t("thumbOffline")}</span> : null}
    </button>
  );
}
