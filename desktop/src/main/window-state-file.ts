/**
 * Reading and writing the window-state JSON file (in app.getPath("userData")). Node's fs only, no
 * Electron. Writes are atomic (temporary file + rename), so a crash never leaves half a file; a
 * missing, unreadable or invalid file reads as null and the caller uses the defaults.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseWindowState, type WindowState } from "./window-state";

export const WINDOW_STATE_FILE_NAME = "window-state.json";
/** A window state file is tiny; anything larger is not ours. */
const MAX_FILE_BYTES = 4096;

export type LoadResult = { state: WindowState } | { state: null; reason: "missing" | "unreadable" | "invalid" };

export function loadWindowStateFile(file: string): LoadResult {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    return { state: null, reason: (err as NodeJS.ErrnoException).code === "ENOENT" ? "missing" : "unreadable" };
  }
  if (text.length > MAX_FILE_BYTES) return { state: null, reason: "invalid" };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { state: null, reason: "invalid" };
  }
  const state = parseWindowState(json);
  return state ? { state } : { state: null, reason: "invalid" };
}

/** Atomically replaces the file. Throws on I/O errors (the caller logs them; the app carries on). */
export function saveWindowStateFile(file: string, state: WindowState): void {
  const valid = parseWindowState(state);
  if (!valid) throw new TypeError("refusing to save an invalid window state");
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify(valid, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
