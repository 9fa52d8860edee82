// The one normal form of a node's reported message rates (Registration.setMessageRates).
import type { MessageRates } from "./types";

/** Finite, non-negative, one decimal: what every registry stores and a reader compares. */
export function normalRates(rates: MessageRates): MessageRates {
  const one = (n: number) => (Number.isFinite(n) && n > 0 ? Math.round(n * 10) / 10 : 0);
  return { inPerSec: one(rates.inPerSec), outPerSec: one(rates.outPerSec) };
}
