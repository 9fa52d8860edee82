import type { Metadata } from "next";
import { serverTranslator } from "@/i18n/server";
import { AdminApp } from "@/components/admin/admin-app";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await serverTranslator("meta"))("admin") };
}

/** The admin page. Who may see its data is decided by the gateway (admin.* refuse non-admins). */
export default function AdminPage() {
  return <AdminApp />;
}
