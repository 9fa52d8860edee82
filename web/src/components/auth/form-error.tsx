import { ErrorCode } from "@dim/shared";
import { Alert } from "@/components/ui/alert";
import { useTranslations } from "@/i18n";
import { friendlyMessage, type ShownError } from "@/lib/errors";

/** The form-level error, with a live "try again in n s" for RATE_LIMITED. */
export function FormError({ error, retryIn }: { error: ShownError | null; retryIn: number }) {
  const t = useTranslations("errors");
  if (!error || (error.fields && error.code === ErrorCode.BadRequest)) return null;
  return (
    <Alert>
      <span data-error-code={error.code}>{friendlyMessage(error, t)}</span>
      {error.code === ErrorCode.RateLimited ? (
        <span> {retryIn > 0 ? t("retryIn", { seconds: retryIn }) : t("retryNow")}</span>
      ) : null}
    </Alert>
  );
}
