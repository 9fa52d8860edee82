/**
 * The node's chat message rates for the registry (the admin page's nodes table): every
 * SAMPLE_MS the difference of two counters the node keeps anyway (metrics' `send` frames in and
 * `message` frames out) over the time between samples. Nothing per message beyond those counters.
 */
import type { MessageRates } from "@dim/infra";
import { monotonicMs } from "@dim/shared/node";
import type { NodeMetrics } from "./node-metrics";

/** How often a node measures and reports its message rates. */
export const MESSAGE_RATE_SAMPLE_MS = 5_000;

export class MessageRateSampler {
  private lastIn: number;
  private lastOut: number;
  private lastAt: number;

  constructor(
    private readonly metrics: Pick<NodeMetrics, "framesIn" | "framesOut">,
    private readonly now: () => number = monotonicMs,
  ) {
    this.lastIn = metrics.framesIn.send.value;
    this.lastOut = metrics.framesOut.message.value;
    this.lastAt = now();
  }

  /** Messages per second since the previous sample (0 when no time passed). */
  sample(): MessageRates {
    const at = this.now();
    const seconds = (at - this.lastAt) / 1000;
    const inNow = this.metrics.framesIn.send.value;
    const outNow = this.metrics.framesOut.message.value;
    const rates = seconds > 0 ? { inPerSec: (inNow - this.lastIn) / seconds, outPerSec: (outNow - this.lastOut) / seconds } : { inPerSec: 0, outPerSec: 0 };
    this.lastIn = inNow;
    this.lastOut = outNow;
    this.lastAt = at;
    return rates;
  }
}
