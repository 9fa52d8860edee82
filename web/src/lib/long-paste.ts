/**
 * A paste longer than a text message may be (Limits.maxBodyChars) is not cut by the composer's
 * maxLength without a word: it is held back, said, and can go as a text file attachment instead.
 */

/** The name a held-back paste gets when it is sent as a file. */
export const PASTED_TEXT_NAME = "pasted-text.txt";

/**
 * The composer's length after pasting `pasted` over its selection, counted as the textarea counts
 * (line breaks normalised to "\n", UTF-16 units, like the server's limit).
 */
export function lengthAfterPaste(value: string, selectionStart: number, selectionEnd: number, pasted: string): number {
  return value.length - (selectionEnd - selectionStart) + pastedLength(pasted);
}

/** A pasted text's length once in the textarea (which turns "\r\n" and "\r" into "\n"). */
export function pastedLength(pasted: string): number {
  return pasted.replace(/\r\n?/g, "\n").length;
}

export function pastedTextFile(text: string): File {
  return new File([text], PASTED_TEXT_NAME, { type: "text/plain" });
}
