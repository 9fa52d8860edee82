import Link from "next/link";
import type { ReactNode } from "react";

export function AuthCard(props: { title: string; subtitle: string; children: ReactNode; footer: { text: string; href: string; link: string } }) {
  return (
    <main className="flex min-h-full items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm">
        <div className="mb-6 text-center">
          <div aria-hidden className="mx-auto mb-3 flex h-12 w-12 items-center justify-center rounded-xl bg-brand-600 text-lg font-bold text-white shadow-sm">
            D
          </div>
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{props.title}</h1>
          <p className="mt-1 text-sm text-slate-500">{props.subtitle}</p>
        </div>
        <div className="rounded-xl border border-slate-200 bg-surface p-6 shadow-sm">{props.children}</div>
        <p className="mt-4 text-center text-sm text-slate-600">
          {props.footer.text}{" "}
          <Link href={props.footer.href} className="font-medium text-brand-600 underline-offset-2 hover:underline">
            {props.footer.link}
          </Link>
        </p>
      </div>
    </main>
  );
}
