"use client";
import { useId, useState } from "react";
import type { PublicUser } from "@dim/shared";
import { PersonCheckbox } from "@/components/ui/checkbox-row";
import { useTranslations } from "@/i18n";
import { matchesFilter } from "@/lib/people-filter";

/** Checkboxes of people (contacts) with a filter above them; the picked ones stay picked when filtered out. */
export function PeoplePicker(props: { legend: string; people: PublicUser[]; picked: ReadonlySet<string>; onChange: (picked: Set<string>) => void; empty: string }) {
  const t = useTranslations("peoplePicker");
  const [filter, setFilter] = useState("");
  const filterId = useId();
  const shown = props.people.filter((u) => matchesFilter(u, filter));
  const toggle = (id: string, on: boolean) => {
    const next = new Set(props.picked);
    if (on) next.add(id);
    else next.delete(id);
    props.onChange(next);
  };
  return (
    <fieldset className="space-y-2">
      <legend className="mb-1 text-sm font-medium text-slate-700">
        {props.legend}
        {props.picked.size > 0 ? <span className="ml-1 font-normal text-slate-500">{t("picked", { count: props.picked.size })}</span> : null}
      </legend>
      {props.people.length === 0 ? (
        <p className="text-sm text-slate-500">{props.empty}</p>
      ) : (
        <>
          <label htmlFor={filterId} className="sr-only">
            {t("filterLabel")}
          </label>
          <input
            id={filterId}
            type="search"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            placeholder={t("filterPlaceholder")}
            autoComplete="off"
            className="block w-full rounded-md border border-slate-300 bg-surface px-3 py-1.5 text-sm placeholder:text-slate-400 focus:border-brand-500 focus:outline-2 focus:outline-offset-0 focus:outline-brand-500/30"
          />
          <div className="max-h-64 overflow-y-auto">
            {shown.length === 0 ? <p className="px-2 py-1 text-sm text-slate-500">{t("noMatch", { filter: filter.trim() })}</p> : null}
            {shown.map((u) => (
              <PersonCheckbox key={u.id} user={u} checked={props.picked.has(u.id)} onChange={(on) => toggle(u.id, on)} />
            ))}
          </div>
        </>
      )}
    </fieldset>
  );
}
