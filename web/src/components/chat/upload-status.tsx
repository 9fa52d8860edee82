"use client";
import type { UploadProgress } from "@dim/client";
import { Button } from "@/components/ui/button";
import { useTranslations } from "@/i18n";
import { uploadStatusText } from "@/lib/attachment-text";
import { useAttachmentActions } from "./attachment-context";

/** An own attachment on its way: a progress bar (indeterminate while waiting) and Cancel. */
export function UploadStatus({ upload, name, clientMsgId }: { upload: UploadProgress; name: string; clientMsgId: string }) {
  const actions = useAttachmentActions();
  const t = useTranslations();
  const uploading = upload.status === "uploading";
  return (
    <div data-testid="upload-status" data-status={upload.status} className="mt-1.5 flex items-center gap-2 px-1">
      <div className="min-w-0 flex-1">
        {uploading ? (
          <progress value={upload.loaded} max={Math.max(1, upload.total)} aria-label={t("upload.of", { name })} className="h-1.5 w-full accent-brand-600" />
        ) : (
          <progress aria-label={t("upload.of", { name })} className="h-1.5 w-full accent-brand-600" />
        )}
        <p className="text-[11px] text-slate-600">
          {uploadStatusText(upload.status, upload.loaded, upload.total, actions.online, t)}
        </p>
      </div>
      <Button variant="secondary" size="sm" onClick={() => actions.discard(clientMsgId)} aria-label={t("upload.cancelLabel", { name })}>
        {t("upload.cancel")}
      </Button>
    </div>
  );
}
