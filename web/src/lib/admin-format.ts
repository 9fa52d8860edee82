/** Figures and sentences for the admin page, in the UI's language. */
import type { Formatter, Translator } from "@/i18n";

/** "3 d 4 h", "2 h 5 min", "42 s". */
export function uptimeText(seconds: number, t: Translator): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d > 0) return t("admin.uptime.days", { d, h });
  if (h > 0) return t("admin.uptime.hours", { h, m });
  if (m > 0) return t("admin.uptime.minutes", { m });
  return t("admin.uptime.seconds", { s: seconds });
}

/** A date and time in the UI's locale, or "never". */
export function whenText(iso: string | null, t: Translator, format: Formatter): string {
  return iso ? format.dateTime(new Date(iso), { dateStyle: "medium", timeStyle: "medium" }) : t("admin.never");
}

const ACTIONS = new Set(["grant", "revoke", "disable", "enable", "lookup", "drain"]);

/** "root disabled bob", "The command line made ann an administrator". */
export function auditText(e: { actor: string; action: string; target: string | null }, t: Translator): string {
  const actor = e.actor === "cli" ? t("admin.audit.cli") : e.actor;
  const target = e.target ?? t("admin.audit.someone");
  const action = ACTIONS.has(e.action) ? (e.action as "grant" | "revoke" | "disable" | "enable" | "lookup" | "drain") : "other";
  return t("admin.audit.entry", { actor, action, target, raw: e.action });
}
