import type { ReactNode } from "react";

/** One part of the admin page: a titled card. */
export function AdminSection(props: { title: string; id: string; actions?: ReactNode; children: ReactNode }) {
  return (
    <section aria-labelledby={props.id} className="rounded-lg border border-slate-200 bg-surface p-4 shadow-sm">
      <div className="mb-3 flex items-center gap-2">
        <h2 id={props.id} className="flex-1 text-base font-semibold text-slate-900">
          {props.title}
        </h2>
        {props.actions}
      </div>
      {props.children}
    </section>
  );
}
