import type { Metadata } from "next";
import { AuthCard } from "@/components/auth/auth-card";
import { LoginForm } from "@/components/auth/login-form";

export const metadata: Metadata = { title: "Sign in" };

export default function LoginPage() {
  return (
    <AuthCard title="Sign in to DIM" subtitle="Chat with your contacts, on any device." footer={{ text: "New here?", href: "/register", link: "Create an account" }}>
      <LoginForm />
    </AuthCard>
  );
}
