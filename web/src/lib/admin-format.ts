/** Plain-English figures for the admin page. */

/** "3 d 4 h", "2 h 5 min", "42 s". */
export function uptimeText(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min`;
  return `${seconds} s`;
}

/** A date and time in the reader's locale, or "never". */
export function whenText(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : "never";
}

const ACTION_TEXT: Record<string, (target: string) => string> = {
  grant: (t) => `made ${t} an administrator`,
  revoke: (t) => `removed ${t} as administrator`,
  disable: (t) => `disabled ${t}`,
  enable: (t) => `enabled ${t}`,
  lookup: (t) => `looked up ${t}`,
};

/** "root disabled bob", "The command line made ann an administrator". */
export function auditText(e: { actor: string; action: string; target: string | null }): string {
  const actor = e.actor === "cli" ? "The command line" : e.actor;
  const target = e.target ?? "someone";
  return `${actor} ${ACTION_TEXT[e.action]?.(target) ?? `${e.action} ${target}`}`;
}
