import type { Metadata } from "next";
import { AdminApp } from "@/components/admin/admin-app";

export const metadata: Metadata = { title: "Admin" };

/** The admin page. Who may see its data is decided by the gateway (admin.* refuse non-admins). */
export default function AdminPage() {
  return <AdminApp />;
}
