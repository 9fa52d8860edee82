/**
 * `X-DIM-Refusal-Status: 200` (docs/protocol.md §3.2): a caller that reads DIM's error body
 * anyway (the PWA) may ask for refusals — a 4xx: signed out, not found, conflict, bad input —
 * to come back as HTTP 200 with the same tRPC error body. A browser logs every 4xx response as a
 * red console error, though a signed-out probe or a refused input is an expected answer, not a
 * fault. Server faults (5xx) keep their status; the body's `error.data.httpStatus` always
 * carries the real one.
 */
export const REFUSAL_STATUS_HEADER = "x-dim-refusal-status";

export function withRefusalStatus(req: Request, response: Response): Response {
  if (req.headers.get(REFUSAL_STATUS_HEADER) !== "200") return response;
  if (response.status < 400 || response.status >= 500) return response;
  return new Response(response.body, { status: 200, headers: response.headers });
}
