import type { Metadata } from "next";
import { AuthCard } from "@/components/auth/auth-card";
import { RegisterForm } from "@/components/auth/register-form";

export const metadata: Metadata = { title: "Create account" };

export default function RegisterPage() {
  return (
    <AuthCard title="Create your DIM account" subtitle="It takes a few seconds." footer={{ text: "Already have an account?", href: "/login", link: "Sign in" }}>
      <RegisterForm />
    </AuthCard>
  );
}
