import { useId, type ReactNode } from "react";

/** `action`: a control at the end of the heading's row (e.g. "New group"). */
export function SidebarSection({ title, count, action, children }: { title: string; count?: number; action?: ReactNode; children: ReactNode }) {
  // Not derived from the title: a Chinese title has no \w characters at all.
  const id = useId();
  return (
    <section aria-labelledby={id} className="border-t border-slate-200 py-2">
      <div className="flex items-center gap-2 pr-2">
        <h2 id={id} className="flex flex-1 items-center gap-2 px-4 py-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">
          {title}
          {count !== undefined && count > 0 ? <span className="rounded-full bg-slate-200 px-1.5 text-[10px] font-bold text-slate-700">{count}</span> : null}
        </h2>
        {action}
      </div>
      {children}
    </section>
  );
}
