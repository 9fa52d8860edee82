import type { Metadata, Viewport } from "next";
import { headers } from "next/headers";
import { I18nProvider } from "@/i18n/provider";
import { requestLocale, serverTranslator } from "@/i18n/server";
import type { ReactNode } from "react";
import { ServiceWorkerRegistration } from "@/components/service-worker";
import { THEME_SCRIPT } from "@/lib/theme";
import "./globals.css";

export async function generateMetadata(): Promise<Metadata> {
  const t = await serverTranslator("meta");
  return {
    title: { default: "DIM", template: "%s · DIM" },
    description: t("description"),
    applicationName: "DIM",
    appleWebApp: { capable: true, title: "DIM", statusBarStyle: "default" },
    icons: { icon: "/icons/icon.svg", apple: "/icons/icon-192.png" },
  };
}

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  viewportFit: "cover",
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#1f63d8" },
    { media: "(prefers-color-scheme: dark)", color: "#0a101e" },
  ],
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The request's CSP nonce (src/middleware.ts): without it the inline theme script is blocked.
  const nonce = (await headers()).get("x-nonce") ?? undefined;
  // The language of the first render (a cookie of the person's choice, else Accept-Language);
  // I18nProvider re-checks navigator.languages and localStorage once mounted.
  const locale = await requestLocale();
  return (
    // The theme script sets class="dark" before React hydrates.
    <html lang={locale} suppressHydrationWarning>
      <head>
        {/* Browsers hide a nonce from the DOM (it reads ""), so hydration would see a mismatch. */}
        <script nonce={nonce} suppressHydrationWarning dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body className="font-sans">
        <I18nProvider initialLocale={locale}>
          {children}
          <ServiceWorkerRegistration />
        </I18nProvider>
      </body>
    </html>
  );
}
