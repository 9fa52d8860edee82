/**
 * An upload's file name, as given by the client: kept for display and downloads, never used as a
 * path. Refused (bad_filename) when it could be one or could mislead: path separators, `.`/`..`,
 * control or bidi-override characters, or too long.
 */
import { Limits } from "@dim/shared";
import { rejectUpload } from "./reject";

// C0 and C1 controls, DEL, and the bidirectional overrides that can disguise an extension.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

export function checkFileName(raw: string | null): string {
  if (raw === null) throw rejectUpload("bad_filename", "give the file's name as ?name=");
  const name = raw.normalize("NFC");
  if (name.length === 0 || name.trim().length === 0) throw rejectUpload("bad_filename", "the file name is empty");
  if ([...name].length > Limits.attachmentNameMax) throw rejectUpload("bad_filename", `the file name is longer than ${Limits.attachmentNameMax} characters`);
  if (name.includes("/") || name.includes("\\")) throw rejectUpload("bad_filename", "the file name must not hold path parts");
  if (name === "." || name === "..") throw rejectUpload("bad_filename", "the file name must not be '.' or '..'");
  if (FORBIDDEN.test(name)) throw rejectUpload("bad_filename", "the file name must not hold control characters");
  return name;
}

/** The lower-cased extension after the last dot, or "" when there is none. */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
}
