import type { Metadata } from "next";
import { serverTranslator } from "@/i18n/server";
import { AuthCard } from "@/components/auth/auth-card";
import { RegisterForm } from "@/components/auth/register-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await serverTranslator("meta"))("register") };
}

export default function RegisterPage() {
  return (
    <AuthCard screen="register">
      <RegisterForm />
    </AuthCard>
  );
}
