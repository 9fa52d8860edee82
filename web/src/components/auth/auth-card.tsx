"use client";
import Link from "next/link";
import type { ReactNode } from "react";
import { useTranslations } from "@/i18n";

const SCREENS = {
  signIn: { title: "signInTitle", subtitle: "signInSubtitle", footer: "newHere", href: "/register", link: "createAccountLink" },
  register: { title: "registerTitle", subtitle: "registerSubtitle", footer: "haveAccount", href: "/login", link: "signInLink" },
} as const;

export function AuthCard(props: { screen: keyof typeof SCREENS; children: ReactNode }) {
  const t = useTranslations("auth");
  const screen = SCREENS[props.screen];
  return (
    <main className="flex min-h-full items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm">
        <div className="mb-6 text-center">
          <div aria-hidden className="mx-auto mb-3 flex h-12 w-12 items-center justify-center rounded-xl bg-brand-600 text-lg font-bold text-white shadow-sm">
            D
          </div>
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{t(screen.title)}</h1>
          <p className="mt-1 text-sm text-slate-500">{t(screen.subtitle)}</p>
        </div>
        <div className="rounded-xl border border-slate-200 bg-surface p-6 shadow-sm">{props.children}</div>
        <p className="mt-4 text-center text-sm text-slate-600">
          {t(screen.footer)}{" "}
          <Link href={screen.href} className="font-medium text-brand-600 underline-offset-2 hover:underline">
            {t(screen.link)}
          </Link>
        </p>
      </div>
    </main>
  );
}
