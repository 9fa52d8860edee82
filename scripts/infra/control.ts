/**
 * Client of the owner's control endpoint (state.json → controlUrl): the failure tests restart
 * Redis and Kafka, or kill -9 a service, without owning the processes themselves.
 */
import type { ControlAction } from "./infra";
import type { ServiceName } from "./services";
import type { InfraState } from "./state";

export interface InfraControl {
  state(): Promise<InfraState>;
  /** Graceful stop, then start again on the same ports with the same data. */
  restart(name: ServiceName): Promise<InfraState>;
  stop(name: ServiceName): Promise<InfraState>;
  start(name: ServiceName): Promise<InfraState>;
  /** kill -9 (the data stays; `start` recovers from it). Not for postgres. */
  kill9(name: ServiceName): Promise<InfraState>;
}

export function infraControl(controlUrl: string): InfraControl {
  const call = async (method: string, path: string): Promise<InfraState> => {
    const res = await fetch(`${controlUrl}${path}`, { method, signal: AbortSignal.timeout(300_000) });
    const body = (await res.json()) as InfraState | { error: string };
    if (!res.ok || "error" in body) throw new Error(`infra control ${path}: ${"error" in body ? body.error : res.status}`);
    return body;
  };
  const act = (action: ControlAction) => (name: ServiceName) => call("POST", `/services/${name}/${action}`);
  return {
    state: () => call("GET", "/state"),
    restart: act("restart"),
    stop: act("stop"),
    start: act("start"),
    kill9: act("kill9"),
  };
}
