"use client";
import Link from "next/link";
import { useState } from "react";
import { ThemeToggle } from "@/components/theme-toggle";
import { Alert } from "@/components/ui/alert";
import { useSession } from "@/hooks/use-session";
import { useTranslations } from "@/i18n";
import { AuditList } from "./audit-list";
import { NodesTable } from "./nodes-table";
import { UserLookup } from "./user-lookup";

/**
 * The admin page: nodes (message rates, drain), user lookup (disable / enable) and the audit. Shown only to an admin;
 * the gateway refuses the data to anyone else whatever this page does.
 */
export function AdminApp() {
  const session = useSession();
  const t = useTranslations("admin");
  // Bumped after each lookup or change, so the audit shows it without a manual refresh.
  const [auditVersion, setAuditVersion] = useState(0);
  return (
    <div className="min-h-full bg-slate-50">
      <header className="flex items-center gap-3 border-b border-slate-200 bg-surface px-4 py-3">
        <h1 className="flex-1 text-lg font-semibold text-slate-900">{t("title")}</h1>
        <ThemeToggle />
        <Link href="/" className="rounded-md px-2.5 py-1 text-sm font-medium text-brand-700 underline-offset-2 dark:text-sky-300 hover:underline">
          {t("back")}
        </Link>
      </header>
      <main className="mx-auto flex max-w-5xl flex-col gap-6 p-4">
        {session.status === "loading" ? <p className="text-sm text-slate-600">{t("loading")}</p> : null}
        {session.status === "error" ? <Alert>{session.message}</Alert> : null}
        {session.status === "anonymous" ? (
          <Alert tone="info">
            {t.rich("signedOut", { link: (chunks) => <Link href="/login" className="font-medium underline">{chunks}</Link> })}
          </Alert>
        ) : null}
        {session.status === "signed-in" && !session.user.isAdmin ? (
          <Alert tone="info">{t("onlyAdmins")}</Alert>
        ) : null}
        {session.status === "signed-in" && session.user.isAdmin ? (
          <>
            <NodesTable onAudited={() => setAuditVersion((v) => v + 1)} />
            <UserLookup selfId={session.user.id} onAudited={() => setAuditVersion((v) => v + 1)} />
            <AuditList version={auditVersion} />
          </>
        ) : null}
      </main>
    </div>
  );
}
