import type { ContactRequest } from "@dim/shared";
import { Avatar } from "@/components/ui/avatar";
import { Button } from "@/components/ui/button";
import { useTranslations } from "@/i18n";
import { SidebarSection } from "./section";

export function ContactRequests(props: {
  incoming: ContactRequest[];
  outgoing: ContactRequest[];
  busy: Set<string>;
  onAccept: (id: string) => void;
  onDecline: (id: string) => void;
}) {
  const t = useTranslations("requests");
  if (props.incoming.length === 0 && props.outgoing.length === 0) return null;
  return (
    <SidebarSection title={t("title")} count={props.incoming.length}>
      <ul className="space-y-1 px-2">
        {props.incoming.map((r) => (
          <li key={r.id} className="flex items-center gap-2 rounded-md bg-brand-50 px-2 py-2" data-testid="incoming-request">
            <Avatar name={r.from.displayName} seed={r.from.id} size="sm" src={r.from.avatarUrl} />
            <div className="min-w-0 flex-1">
              <p className="truncate text-sm font-medium">{r.from.displayName}</p>
              <p className="truncate text-xs text-slate-500">{t("wantsToConnect", { username: r.from.username })}</p>
            </div>
            <Button size="sm" onClick={() => props.onAccept(r.id)} disabled={props.busy.has(r.id)} aria-label={t("acceptLabel", { username: r.from.username })}>
              {t("accept")}
            </Button>
            <Button size="sm" variant="ghost" onClick={() => props.onDecline(r.id)} disabled={props.busy.has(r.id)} aria-label={t("declineLabel", { username: r.from.username })}>
              {t("decline")}
            </Button>
          </li>
        ))}
        {props.outgoing.map((r) => (
          <li key={r.id} className="flex items-center gap-2 px-2 py-1.5" data-testid="outgoing-request">
            <Avatar name={r.to.displayName} seed={r.to.id} size="sm" src={r.to.avatarUrl} />
            <div className="min-w-0 flex-1">
              <p className="truncate text-sm">{r.to.displayName}</p>
              <p className="truncate text-xs text-slate-500">{t("pending", { username: r.to.username })}</p>
            </div>
          </li>
        ))}
      </ul>
    </SidebarSection>
  );
}
