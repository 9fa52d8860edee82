import { ErrorCode } from "@dim/shared";
import { Alert } from "@/components/ui/alert";
import { friendlyMessage, type ShownError } from "@/lib/errors";

/** The form-level error, with a live "try again in n s" for RATE_LIMITED. */
export function FormError({ error, retryIn }: { error: ShownError | null; retryIn: number }) {
  if (!error || (error.fields && error.code === ErrorCode.BadRequest)) return null;
  return (
    <Alert>
      <span data-error-code={error.code}>{friendlyMessage(error)}</span>
      {error.code === ErrorCode.RateLimited ? (
        <span> {retryIn > 0 ? `Try again in ${retryIn} s.` : "You can try again now."}</span>
      ) : null}
    </Alert>
  );
}
