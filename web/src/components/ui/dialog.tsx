"use client";
import { useEffect, useId, useRef, type ReactNode } from "react";
import { useTranslations } from "@/i18n";

/**
 * A modal dialog on the native <dialog> (showModal): focus moves in and is kept there, Escape
 * closes it, the page behind is inert, and focus returns to what opened it. Full screen on a
 * phone, a centred card from `sm` up.
 */
export function Dialog(props: { open: boolean; onClose: () => void; title: string; description?: string; children: ReactNode; testId?: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  const { open, onClose } = props;
  const t = useTranslations("common");

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (open && !el.open) el.showModal();
    if (!open && el.open) el.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-describedby={props.description ? descriptionId : undefined}
      data-testid={props.testId}
      // Escape and the close button both come through here, so React's state follows.
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        if (e.target === e.currentTarget) onClose(); // a click on the backdrop
      }}
      className="m-0 h-full max-h-none w-full max-w-none bg-surface p-0 text-slate-900 backdrop:bg-slate-900/50 sm:m-auto sm:h-auto sm:max-h-[85vh] sm:w-[28rem] sm:rounded-xl sm:border sm:border-slate-200 sm:shadow-xl"
    >
      {open ? (
        <div className="flex h-full max-h-[inherit] flex-col">
          <header className="flex items-start gap-3 border-b border-slate-200 px-4 py-3">
            <div className="min-w-0 flex-1">
              <h2 id={titleId} className="truncate text-base font-semibold text-slate-900">
                {props.title}
              </h2>
              {props.description ? (
                <p id={descriptionId} className="text-xs text-slate-500">
                  {props.description}
                </p>
              ) : null}
            </div>
            <button
              type="button"
              onClick={onClose}
              aria-label={t("close")}
              className="inline-flex h-8 w-8 shrink-0 items-center justify-center rounded-md text-lg text-slate-600 hover:bg-slate-100 hover:text-slate-900"
            >
              <span aria-hidden>×</span>
            </button>
          </header>
          <div className="min-h-0 flex-1 overflow-y-auto">{props.children}</div>
        </div>
      ) : null}
    </dialog>
  );
}
