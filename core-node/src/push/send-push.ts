/**
 * One HTTP request to a push service, as RFC 8030 describes it: POST the encrypted payload
 * (web-push's generateRequestDetails: aes128gcm, VAPID) to the subscription's endpoint. Our own
 * request rather than web-push's sendNotification, so that every address the endpoint's host
 * resolves to is checked when we connect (no SSRF by DNS, see push-endpoint.ts), a deadline
 * covers the whole exchange, and the loopback test endpoint may speak plain http.
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { request as httpRequest, type RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { AppError, ErrorCode } from "@dim/shared";
import { pushAddressAllowed, pushEndpointProblem } from "@dim/shared/node";

export interface PushRequest {
  endpoint: string;
  headers: Record<string, string | number>;
  body: Buffer | null;
}

export interface PushResponse {
  status: number;
  /** Retry-After in milliseconds, when the service sent one (429, 503). */
  retryAfterMs: number | undefined;
}

/** A `lookup` that fails for hosts resolving to an address a push may not go to. */
function guardedLookup(allowLoopback: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, "", 0);
      const list = addresses as unknown as LookupAddress[];
      const refused = list.find((a) => !pushAddressAllowed(a.address, allowLoopback));
      if (refused || list.length === 0) {
        return callback(Object.assign(new Error(`push endpoint host ${hostname} resolves to a non-public address`), { code: "EPUSHADDRESS" }), "", 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      const first = list[0]!;
      callback(null, first.address, first.family);
    });
  };
}

function retryAfterOf(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined) return undefined;
  const seconds = Number(v);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

/** Sends one push request; rejects on a refused endpoint, a network error or the deadline. */
export function sendPushRequest(req: PushRequest, opts: { timeoutMs: number; allowLoopback: boolean }): Promise<PushResponse> {
  const problem = pushEndpointProblem(req.endpoint, opts.allowLoopback);
  if (problem) return Promise.reject(new AppError(ErrorCode.BadRequest, problem));
  const url = new URL(req.endpoint);
  const options: RequestOptions = {
    method: "POST",
    headers: req.headers,
    lookup: guardedLookup(opts.allowLoopback),
    timeout: opts.timeoutMs,
    signal: AbortSignal.timeout(opts.timeoutMs),
  };
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const r = send(url, options, (res) => {
      res.resume(); // the body says nothing we act on
      res.on("end", () => resolve({ status: res.statusCode ?? 0, retryAfterMs: retryAfterOf(res.headers["retry-after"]) }));
      res.on("error", reject);
    });
    r.on("timeout", () => r.destroy(new Error("push request timed out")));
    r.on("error", reject);
    r.end(req.body ?? undefined);
  });
}
