import { AppError, ErrorCode } from "@dim/shared";

/** What a refused safeParse carries (zod's error, typed by shape: this package does not import zod). */
interface SchemaIssues {
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>;
}

/** A `send` the shared schema refuses, as the BAD_REQUEST the server would answer (texts and attachments alike). */
export function invalidMessage(error: SchemaIssues): AppError {
  return new AppError(ErrorCode.BadRequest, `invalid message: ${error.issues.map((i) => `${i.path.map(String).join(".")}: ${i.message}`).join("; ")}`);
}
