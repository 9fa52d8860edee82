/**
 * Remembered window geometry: validated when read (the file may be stale, hand-edited or from another
 * machine) and clamped to the displays that exist now, so the window always opens visible.
 */
import { z } from "zod";

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const MIN_WIDTH = 360;
export const MIN_HEIGHT = 480;
export const DEFAULT_WIDTH = 1100;
export const DEFAULT_HEIGHT = 760;
const MAX_SIZE = 16_384;
const MAX_COORD = 100_000;

const coord = z.number().int().min(-MAX_COORD).max(MAX_COORD);
const size = z.number().int().min(1).max(MAX_SIZE);

export const windowStateSchema = z.strictObject({
  version: z.literal(1),
  /** The normal (restored) bounds; x/y are absent until the window was placed once. */
  x: coord.optional(),
  y: coord.optional(),
  width: size,
  height: size,
  maximized: z.boolean(),
  fullScreen: z.boolean(),
});
export type WindowState = z.infer<typeof windowStateSchema>;

export const DEFAULT_WINDOW_STATE: WindowState = Object.freeze({
  version: 1,
  width: DEFAULT_WIDTH,
  height: DEFAULT_HEIGHT,
  maximized: false,
  fullScreen: false,
}) as WindowState;

/** The stored state if it is valid (x and y must come together), else null. */
export function parseWindowState(json: unknown): WindowState | null {
  const parsed = windowStateSchema.safeParse(json);
  if (!parsed.success) return null;
  const state = parsed.data;
  if ((state.x === undefined) !== (state.y === undefined)) return null;
  return state;
}

function intersectionArea(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

function clampNumber(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}

function fitSize(state: WindowState, area: Rect): { width: number; height: number } {
  // Never larger than the display's work area; never smaller than the minimum unless the display is.
  const width = clampNumber(state.width, Math.min(MIN_WIDTH, area.width), area.width);
  const height = clampNumber(state.height, Math.min(MIN_HEIGHT, area.height), area.height);
  return { width, height };
}

/**
 * Fits `state` to the current displays' work areas (`primary` is the primary display's). A window
 * that overlaps a display is moved and shrunk to lie fully on the display it overlaps most; one that
 * overlaps none (the display was unplugged) loses its position and is centred on the primary one.
 */
export function clampWindowState(state: WindowState, workAreas: readonly Rect[], primary: Rect | undefined): WindowState {
  const usable = workAreas.filter((a) => a.width > 0 && a.height > 0);
  const fallbackArea = primary && primary.width > 0 && primary.height > 0 ? primary : usable[0];
  if (!fallbackArea) return withoutPosition(state);

  if (state.x !== undefined && state.y !== undefined) {
    const rect: Rect = { x: state.x, y: state.y, width: state.width, height: state.height };
    let best: Rect | undefined;
    let bestArea = 0;
    for (const area of usable) {
      const overlap = intersectionArea(rect, area);
      if (overlap > bestArea) {
        best = area;
        bestArea = overlap;
      }
    }
    if (best) {
      const { width, height } = fitSize(state, best);
      const x = clampNumber(state.x, best.x, best.x + best.width - width);
      const y = clampNumber(state.y, best.y, best.y + best.height - height);
      return { ...state, x, y, width, height };
    }
  }
  return { ...withoutPosition(state), ...fitSize(state, fallbackArea) };
}

function withoutPosition(state: WindowState): WindowState {
  const { x: _x, y: _y, ...rest } = state;
  return rest;
}

/** What to store for a window: its normal bounds plus whether it is maximized / full screen. */
export function windowStateFrom(normalBounds: Rect, maximized: boolean, fullScreen: boolean): WindowState | null {
  return parseWindowState({
    version: 1,
    x: Math.round(normalBounds.x),
    y: Math.round(normalBounds.y),
    width: Math.round(normalBounds.width),
    height: Math.round(normalBounds.height),
    maximized,
    fullScreen,
  });
}
