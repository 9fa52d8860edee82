import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  clampWindowState,
  DEFAULT_WINDOW_STATE,
  MIN_HEIGHT,
  MIN_WIDTH,
  parseWindowState,
  windowStateFrom,
  type Rect,
  type WindowState,
} from "../src/main/window-state";
import { loadWindowStateFile, saveWindowStateFile } from "../src/main/window-state-file";

const primary: Rect = { x: 0, y: 0, width: 1920, height: 1040 };
const right: Rect = { x: 1920, y: 0, width: 1280, height: 984 };

function state(partial: Partial<WindowState>): WindowState {
  return { ...DEFAULT_WINDOW_STATE, ...partial };
}

describe("parseWindowState", () => {
  it("accepts what windowStateFrom produces", () => {
    const s = windowStateFrom({ x: 10.4, y: 20.6, width: 800.2, height: 600 }, true, false);
    expect(s).toEqual({ version: 1, x: 10, y: 21, width: 800, height: 600, maximized: true, fullScreen: false });
    expect(parseWindowState(s)).toEqual(s);
  });

  it.each([
    ["not an object", "x"],
    ["null", null],
    ["wrong version", { ...DEFAULT_WINDOW_STATE, version: 2 }],
    ["x without y", { ...DEFAULT_WINDOW_STATE, x: 5 }],
    ["negative size", { ...DEFAULT_WINDOW_STATE, width: -5 }],
    ["huge size", { ...DEFAULT_WINDOW_STATE, width: 1e9 }],
    ["fractional", { ...DEFAULT_WINDOW_STATE, height: 10.5 }],
    ["NaN-ish", { ...DEFAULT_WINDOW_STATE, x: "1", y: 2 }],
    ["extra keys", { ...DEFAULT_WINDOW_STATE, evil: true }],
    ["missing flag", { version: 1, width: 800, height: 600, maximized: false }],
  ])("rejects %s", (_name, value) => {
    expect(parseWindowState(value)).toBeNull();
  });
});

describe("clampWindowState", () => {
  it("keeps a window that fits on its display", () => {
    const s = state({ x: 100, y: 80, width: 1000, height: 700 });
    expect(clampWindowState(s, [primary, right], primary)).toEqual(s);
  });

  it("moves a window that hangs off a display's edge back onto it", () => {
    const s = state({ x: 1300, y: 600, width: 1000, height: 700 }); // 620 px on primary, 380 on right
    expect(clampWindowState(s, [primary, right], primary)).toMatchObject({ x: 920, y: 340, width: 1000, height: 700 });
  });

  it("picks the display the window overlaps most", () => {
    const s = state({ x: 1800, y: 100, width: 1000, height: 700 }); // 120 px on primary, 880 on right
    expect(clampWindowState(s, [primary, right], primary)).toMatchObject({ x: 1920, y: 100 });
  });

  it("shrinks a window larger than its display", () => {
    const s = state({ x: 2000, y: 0, width: 3000, height: 2000 });
    expect(clampWindowState(s, [primary, right], primary)).toMatchObject({ x: 1920, y: 0, width: 1280, height: 984 });
  });

  it("centres (drops the position of) a window whose display is gone, sized to the primary display", () => {
    const s = state({ x: 5000, y: 3000, width: 2500, height: 700, maximized: true });
    const out = clampWindowState(s, [primary], primary);
    expect(out.x).toBeUndefined();
    expect(out.y).toBeUndefined();
    expect(out).toMatchObject({ width: 1920, height: 700, maximized: true });
  });

  it("enforces the minimum size, unless the display itself is smaller", () => {
    expect(clampWindowState(state({ width: 10, height: 10 }), [primary], primary)).toMatchObject({ width: MIN_WIDTH, height: MIN_HEIGHT });
    const tiny: Rect = { x: 0, y: 0, width: 320, height: 400 };
    expect(clampWindowState(state({ width: 10, height: 10 }), [tiny], tiny)).toMatchObject({ width: 320, height: 400 });
  });

  it("handles displays with negative coordinates (a monitor left of the primary)", () => {
    const left: Rect = { x: -1280, y: 0, width: 1280, height: 1024 };
    const s = state({ x: -1300, y: -50, width: 800, height: 600 });
    expect(clampWindowState(s, [primary, left], primary)).toMatchObject({ x: -1280, y: 0 });
  });

  it("survives having no display information", () => {
    const out = clampWindowState(state({ x: 1, y: 2 }), [], undefined);
    expect(out.x).toBeUndefined();
    expect(out.width).toBe(DEFAULT_WINDOW_STATE.width);
  });
});

describe("window state file", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const fresh = () => (dir = mkdtempSync(join(tmpdir(), "dim-desktop-ws-")));

  it("round-trips through an atomic write, leaving no temporary file", () => {
    const file = join(fresh(), "nested", "window-state.json");
    expect(loadWindowStateFile(file)).toEqual({ state: null, reason: "missing" });
    const s = state({ x: 10, y: 20, width: 900, height: 650, maximized: true });
    saveWindowStateFile(file, s);
    expect(loadWindowStateFile(file)).toEqual({ state: s });
    expect(readdirSync(join(dir, "nested"))).toEqual(["window-state.json"]);
    saveWindowStateFile(file, { ...s, maximized: false });
    expect(loadWindowStateFile(file).state?.maximized).toBe(false);
  });

  it("reads a corrupt, foreign or oversized file as invalid (the caller falls back to defaults)", () => {
    const file = join(fresh(), "window-state.json");
    writeFileSync(file, "{ truncated");
    expect(loadWindowStateFile(file)).toEqual({ state: null, reason: "invalid" });
    writeFileSync(file, JSON.stringify({ width: "wide" }));
    expect(loadWindowStateFile(file)).toEqual({ state: null, reason: "invalid" });
    writeFileSync(file, JSON.stringify({ ...DEFAULT_WINDOW_STATE, pad: "x".repeat(10_000) }));
    expect(loadWindowStateFile(file)).toEqual({ state: null, reason: "invalid" });
  });

  it("reports a path it cannot read as unreadable", () => {
    expect(loadWindowStateFile(fresh())).toEqual({ state: null, reason: "unreadable" }); // a directory
  });

  it("refuses to write an invalid state and leaves the old file intact", () => {
    const file = join(fresh(), "window-state.json");
    saveWindowStateFile(file, DEFAULT_WINDOW_STATE);
    const before = readFileSync(file, "utf8");
    expect(() => saveWindowStateFile(file, { ...DEFAULT_WINDOW_STATE, width: -1 })).toThrow(TypeError);
    expect(readFileSync(file, "utf8")).toBe(before);
    expect(existsSync(`${file}.${process.pid}.tmp`)).toBe(false);
  });
});
