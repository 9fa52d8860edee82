import type { Metadata } from "next";
import { serverTranslator } from "@/i18n/server";
import { AuthCard } from "@/components/auth/auth-card";
import { LoginForm } from "@/components/auth/login-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await serverTranslator("meta"))("signIn") };
}

export default function LoginPage() {
  return (
    <AuthCard screen="signIn">
      <LoginForm />
    </AuthCard>
  );
}
