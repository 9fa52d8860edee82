"use client";
import { useCallback, useState } from "react";
import { useAuthSubmit } from "@/hooks/use-auth-submit";
import { useHydrated } from "@/hooks/use-hydrated";
import { useRedirectIfSignedIn } from "@/hooks/use-redirect-if-signed-in";
import { useTranslations } from "@/i18n";
import { fieldError } from "@/lib/errors";
import { gateway } from "@/lib/gateway";
import { AuthField, AuthForm } from "./auth-form";

export function LoginForm() {
  useRedirectIfSignedIn();
  const t = useTranslations("auth");
  const tErrors = useTranslations("errors");
  const hydrated = useHydrated();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const call = useCallback(() => gateway().auth.login.mutate({ username: username.trim().toLowerCase(), password }), [username, password]);
  const { submit, pending, error, retryIn, blocked } = useAuthSubmit(call);

  return (
    <AuthForm
      label={t("signIn")}
      onSubmit={() => {
        if (!blocked) void submit();
      }}
      error={error}
      retryIn={retryIn}
      submit={{ label: t("signIn"), pendingLabel: t("signingIn"), pending, disabled: !hydrated || blocked || !username.trim() || !password }}
    >
      <AuthField field="username" value={username} onChange={(e) => setUsername(e.target.value)} error={fieldError(error, "username", tErrors)} />
      <AuthField field="currentPassword" value={password} onChange={(e) => setPassword(e.target.value)} error={fieldError(error, "password", tErrors)} />
    </AuthForm>
  );
}
