"use client";
import { useState } from "react";
import type { PublicUser } from "@dim/shared";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { useErrorText } from "@/hooks/use-error-text";
import { useTranslations } from "@/i18n";
import type { ShownError } from "@/lib/errors";

/** What the contact menu can do (useContacts provides it). Each resolves with the error, or null. */
export interface ContactActionsApi {
  remove(userId: string): Promise<ShownError | null>;
  block(userId: string): Promise<ShownError | null>;
  unblock(userId: string): Promise<ShownError | null>;
}

type Step = "menu" | "remove" | "block";

/**
 * The "⋯" button of a person (a contact row, the chat header) and its dialog: remove the contact,
 * block or unblock them. Removing and blocking ask first, saying what happens; unblocking does not.
 */
export function ContactActions(props: { user: PublicUser; isContact: boolean; blocked: boolean; api: ContactActionsApi; className?: string }) {
  const t = useTranslations("contactActions");
  const errorText = useErrorText();
  const [open, setOpen] = useState(false);
  const [step, setStep] = useState<Step>("menu");
  const [working, setWorking] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const { user } = props;
  const name = user.displayName;

  const close = () => {
    setOpen(false);
    setStep("menu");
    setProblem(null);
  };
  const run = async (action: (userId: string) => Promise<ShownError | null>) => {
    setWorking(true);
    const error = await action(user.id);
    setWorking(false);
    if (error) setProblem(errorText(error));
    else close();
  };

  const title = step === "remove" ? t("confirmRemoveTitle", { name }) : step === "block" ? t("confirmBlockTitle", { name }) : t("title", { name, username: user.username });
  const description = step === "remove" ? t("confirmRemove") : step === "block" ? t("confirmBlock") : t("description");
  return (
    <>
      <Button
        variant="ghost"
        size="sm"
        className={props.className ?? ""}
        aria-haspopup="dialog"
        aria-label={t("optionsFor", { name })}
        title={t("optionsFor", { name })}
        data-testid="contact-actions"
        onClick={() => setOpen(true)}
      >
        <span aria-hidden>⋯</span>
      </Button>
      <Dialog open={open} onClose={close} title={title} description={description} testId="contact-actions-dialog">
        <div className="space-y-3 p-4">
          {problem ? <Alert>{problem}</Alert> : null}
          {step === "menu" ? (
            <div className="flex flex-wrap gap-2">
              {props.isContact ? (
                <Button variant="secondary" onClick={() => setStep("remove")} data-testid="contact-remove">
                  {t("remove")}
                </Button>
              ) : null}
              {props.blocked ? (
                <Button variant="secondary" disabled={working} onClick={() => void run(props.api.unblock)} data-testid="contact-unblock">
                  {working ? t("working") : t("unblock")}
                </Button>
              ) : (
                <Button variant="danger" onClick={() => setStep("block")} data-testid="contact-block">
                  {t("block")}
                </Button>
              )}
            </div>
          ) : (
            <div className="flex flex-wrap justify-end gap-2">
              <ConfirmButtons
                working={working}
                label={step === "remove" ? t("confirmRemoveAction") : t("confirmBlockAction")}
                onCancel={() => setStep("menu")}
                onConfirm={() => void run(step === "remove" ? props.api.remove : props.api.block)}
              />
            </div>
          )}
        </div>
      </Dialog>
    </>
  );
}

function ConfirmButtons(props: { working: boolean; label: string; onCancel: () => void; onConfirm: () => void }) {
  const common = useTranslations("common");
  const t = useTranslations("contactActions");
  return (
    <>
      <Button variant="secondary" onClick={props.onCancel} disabled={props.working}>
        {common("cancel")}
      </Button>
      <Button variant="danger" onClick={props.onConfirm} disabled={props.working} data-testid="contact-confirm">
        {props.working ? t("working") : props.label}
      </Button>
    </>
  );
}
