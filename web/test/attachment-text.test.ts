/** The app's sentences about images and files, and the list's previews of them. */
import { describe, expect, it } from "vitest";
import { ClientErrorCode } from "@dim/client";
import { ErrorCode } from "@dim/shared";
import { attachmentFailureText, attachmentPreview, fileTypeLabel, longPasteText, tooBigText, uploadStatusText } from "../src/lib/attachment-text";
import { EN } from "./helpers/i18n";
import { lengthAfterPaste, pastedLength, pastedTextFile } from "../src/lib/long-paste";

const file = { kind: "file" as const, id: null, name: "report.pdf", size: 30 * 1024 * 1024, mime: "application/pdf", localFile: null };

describe("attachment wording", () => {
  it("previews a photo as 'Photo' and a file by its name, with the caption", () => {
    expect(attachmentPreview("image", { name: "IMG_0001.jpg" }, "", EN)).toBe("Photo");
    expect(attachmentPreview("image", { name: "IMG_0001.jpg" }, "Our beach", EN)).toBe("Photo: Our beach");
    expect(attachmentPreview("file", { name: "report.pdf" }, "", EN)).toBe("report.pdf");
    expect(attachmentPreview("text", null, "hello", EN)).toBe("hello");
  });

  it("explains each refusal in words", () => {
    expect(attachmentFailureText({ code: ErrorCode.PayloadTooLarge, message: "x", details: { maxBytes: 25 * 1024 * 1024 } }, file, EN)).toBe("“report.pdf” is 30 MB: files can be at most 25 MB.");
    expect(attachmentFailureText({ code: ErrorCode.PayloadTooLarge, message: "x" }, file, EN)).toBe("The file is too large to be sent.");
    expect(attachmentFailureText({ code: ErrorCode.InvalidAttachment, message: "x", details: { reason: "type_mismatch" } }, file, EN)).toMatch(/not what its name says/);
    expect(attachmentFailureText({ code: ErrorCode.InvalidAttachment, message: "x", details: { reason: "too_many_pixels" } }, file, EN)).toMatch(/too many pixels/);
    expect(attachmentFailureText({ code: ErrorCode.InvalidAttachment, message: "server words" }, file, EN)).toBe("That file cannot be sent.");
    expect(attachmentFailureText({ code: ErrorCode.RateLimited, message: "x" }, file, EN)).toMatch(/Wait a little/);
    expect(attachmentFailureText({ code: ClientErrorCode.AckTimeout, message: "x" }, file, EN)).toMatch(/did not confirm/);
    expect(tooBigText("a.mov", 3 * 1024 * 1024, 2 * 1024 * 1024, EN)).toBe("“a.mov” is 3 MB: files can be at most 2 MB.");
  });

  it("says where an upload is, and what kind of file a card holds", () => {
    expect(uploadStatusText("waiting", 0, 10, false, EN)).toMatch(/back online/);
    expect(uploadStatusText("uploading", 512 * 1024, 1024 * 1024, true, EN)).toBe("Uploading… 512 KB of 1 MB");
    expect(fileTypeLabel("application/pdf", "x.pdf", EN)).toBe("PDF document");
    expect(fileTypeLabel("application/x-7z-compressed", "backup.7z", EN)).toBe("7Z file");
    expect(fileTypeLabel("application/x-unknown", "README", EN)).toBe("File");
  });

  it("a paste too long for a message: its length as the textarea counts it, the sentence, the file it becomes", async () => {
    expect(lengthAfterPaste("hello world", 6, 11, "there")).toBe(11); // replaces the selection
    expect(lengthAfterPaste("ab", 2, 2, "c\r\nd\re")).toBe(7); // line breaks count once, as "\n"
    expect(pastedLength("a\r\nb")).toBe(3);
    expect(longPasteText(12345, 4000, EN)).toBe("The pasted text has 12,345 characters; a message can hold 4,000. It was not pasted. Send it as a text file instead?");
    const file = pastedTextFile("x".repeat(5000));
    expect({ name: file.name, type: file.type, size: file.size }).toEqual({ name: "pasted-text.txt", type: "text/plain", size: 5000 });
    expect(await file.text()).toBe("x".repeat(5000));
  });
});
