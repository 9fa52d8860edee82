"use client";
import { useCallback, useState } from "react";
import { useAuthSubmit } from "@/hooks/use-auth-submit";
import { useHydrated } from "@/hooks/use-hydrated";
import { useRedirectIfSignedIn } from "@/hooks/use-redirect-if-signed-in";
import { gateway } from "@/lib/gateway";
import { AuthField, AuthForm } from "./auth-form";

export function LoginForm() {
  useRedirectIfSignedIn();
  const hydrated = useHydrated();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const call = useCallback(() => gateway().auth.login.mutate({ username: username.trim().toLowerCase(), password }), [username, password]);
  const { submit, pending, error, retryIn, blocked } = useAuthSubmit(call);

  return (
    <AuthForm
      label="Sign in"
      onSubmit={() => {
        if (!blocked) void submit();
      }}
      error={error}
      retryIn={retryIn}
      submit={{ label: "Sign in", pendingLabel: "Signing in…", pending, disabled: !hydrated || blocked || !username.trim() || !password }}
    >
      <AuthField field="username" value={username} onChange={(e) => setUsername(e.target.value)} error={error?.fields?.username} />
      <AuthField field="currentPassword" value={password} onChange={(e) => setPassword(e.target.value)} error={error?.fields?.password} />
    </AuthForm>
  );
}
