"use client";
import { useCallback, useState, type FormEvent } from "react";
import { Limits } from "@dim/shared";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/text-field";
import { useAuthSubmit } from "@/hooks/use-auth-submit";
import { useHydrated } from "@/hooks/use-hydrated";
import { useRedirectIfSignedIn } from "@/hooks/use-redirect-if-signed-in";
import { gateway } from "@/lib/gateway";
import { FormError } from "./form-error";

export function LoginForm() {
  useRedirectIfSignedIn();
  const hydrated = useHydrated();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const call = useCallback(() => gateway().auth.login.mutate({ username: username.trim().toLowerCase(), password }), [username, password]);
  const { submit, pending, error, retryIn, blocked } = useAuthSubmit(call);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (!blocked) void submit();
  };

  return (
    <form method="post" onSubmit={onSubmit} noValidate className="space-y-4" aria-label="Sign in">
      <FormError error={error} retryIn={retryIn} />
      <TextField
        label="Username"
        name="username"
        autoComplete="username"
        autoCapitalize="none"
        spellCheck={false}
        required
        maxLength={Limits.usernameMax}
        value={username}
        onChange={(e) => setUsername(e.target.value)}
        error={error?.fields?.username}
      />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        maxLength={Limits.passwordMax}
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={error?.fields?.password}
      />
      <Button type="submit" className="w-full" disabled={!hydrated || blocked || !username.trim() || !password}>
        {pending ? "Signing in…" : "Sign in"}
      </Button>
    </form>
  );
}
