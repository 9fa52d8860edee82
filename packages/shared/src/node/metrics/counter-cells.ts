/**
 * Counters for hot paths (every frame of every socket): a plain number per label value, added to
 * in place, that prom-client reads only when scraped. A prom-client child's `inc` hashes its
 * labels and returns a fresh object on every call; a cell's `inc` allocates nothing.
 */
import { Counter, type Registry } from "prom-client";

export class CounterCell {
  value = 0;
  inc(n = 1): void {
    this.value += n;
  }
}

interface CellCounterOptions<V extends string> {
  name: string;
  help: string;
  registry: Registry;
  /** The one label and its closed set of values (one series each, present from the first scrape). */
  label: { name: string; values: readonly V[] };
}

/** One cell per label value of a counter. */
export function cellCounter<V extends string>(opts: CellCounterOptions<V>): Record<V, CounterCell> {
  const cells = Object.fromEntries(opts.label.values.map((v) => [v, new CounterCell()])) as Record<V, CounterCell>;
  const entries = Object.entries(cells) as Array<[V, CounterCell]>;
  const labelName = opts.label.name;
  new Counter({
    name: opts.name,
    help: opts.help,
    labelNames: [labelName],
    registers: [opts.registry],
    collect() {
      this.reset();
      for (const [value, cell] of entries) this.inc({ [labelName]: value }, cell.value);
    },
  });
  return cells;
}

/** A counter without labels, as one cell. */
export function singleCellCounter(opts: Omit<CellCounterOptions<never>, "label">): CounterCell {
  const cell = new CounterCell();
  new Counter({
    name: opts.name,
    help: opts.help,
    registers: [opts.registry],
    collect() {
      this.reset();
      this.inc(cell.value);
    },
  });
  return cell;
}
