"use client";
import type { AdminSession } from "@dim/shared";
import { whenText } from "@/lib/admin-format";
import { useFormatter, useTranslations } from "@/i18n";

/** A user's live sessions: one per signed-in browser or device. */
export function SessionsTable({ sessions }: { sessions: AdminSession[] }) {
  const t = useTranslations();
  const format = useFormatter();
  if (sessions.length === 0) return <p className="mt-2 text-sm text-slate-600">{t("admin.sessions.none")}</p>;
  // Scrolls sideways on a phone: focusable (and named) so a keyboard can scroll it too.
  return (
    <div className="mt-2 overflow-x-auto" tabIndex={0} role="region" aria-label={t("admin.sessions.scroll")}>
      <table className="w-full text-left text-sm" data-testid="admin-sessions">
        <caption className="py-1 text-left text-xs text-slate-600">{t("admin.sessions.caption", { count: sessions.length })}</caption>
        <thead className="text-xs text-slate-600">
          <tr>
            <th scope="col" className="py-1 pr-3 font-medium">{t("admin.sessions.device")}</th>
            <th scope="col" className="py-1 pr-3 font-medium">{t("admin.sessions.address")}</th>
            <th scope="col" className="py-1 pr-3 font-medium">{t("admin.sessions.signedIn")}</th>
            <th scope="col" className="py-1 pr-3 font-medium">{t("admin.sessions.lastUsed")}</th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => (
            <tr key={s.id} className="border-t border-slate-200 align-top text-slate-800">
              <td className="max-w-[16rem] break-words py-1.5 pr-3">{s.userAgent ?? t("admin.unknown")}</td>
              <td className="py-1.5 pr-3">{s.ip ?? t("admin.unknown")}</td>
              <td className="py-1.5 pr-3">{whenText(s.createdAt, t, format)}</td>
              <td className="py-1.5 pr-3">{whenText(s.lastUsedAt, t, format)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
