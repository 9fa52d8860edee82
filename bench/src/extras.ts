/** DIM-only figures beyond message throughput (filled in below). */
import type { Services } from "./services";
import type { BenchOptions } from "./run";

export interface DimExtras {
  notes: string[];
}

export async function measureDimExtras(_services: Services, _opts: BenchOptions): Promise<DimExtras> {
  return { notes: ["not measured"] };
}
