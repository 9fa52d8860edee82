"use client";
import { useCallback, useState } from "react";
import { ErrorCode, Limits, displayName as displayNameSchema, password as passwordSchema, username as usernameSchema } from "@dim/shared";
import { useAuthSubmit } from "@/hooks/use-auth-submit";
import { useHydrated } from "@/hooks/use-hydrated";
import { useRedirectIfSignedIn } from "@/hooks/use-redirect-if-signed-in";
import { gateway } from "@/lib/gateway";
import { AuthField, AuthForm } from "./auth-form";

type Field = "username" | "displayName" | "password" | "confirm";

/** Checks the fields with the gateway's own schemas, so most mistakes never leave the page. */
function validate(values: Record<Field, string>): Partial<Record<Field, string>> {
  const errors: Partial<Record<Field, string>> = {};
  const u = usernameSchema.safeParse(values.username);
  if (!u.success) {
    errors.username =
      values.username.length < Limits.usernameMin
        ? `At least ${Limits.usernameMin} characters.`
        : "Use only lowercase letters a–z, digits and '_'.";
  }
  if (values.displayName.trim() && !displayNameSchema.safeParse(values.displayName).success) {
    errors.displayName = `At most ${Limits.displayNameMax} characters.`;
  }
  if (!passwordSchema.safeParse(values.password).success) errors.password = `At least ${Limits.passwordMin} characters.`;
  if (values.confirm !== values.password) errors.confirm = "The passwords do not match.";
  return errors;
}

export function RegisterForm() {
  useRedirectIfSignedIn();
  const hydrated = useHydrated();
  const [values, setValues] = useState<Record<Field, string>>({ username: "", displayName: "", password: "", confirm: "" });
  const [touched, setTouched] = useState(false);
  const call = useCallback(
    () =>
      gateway().auth.register.mutate({
        username: values.username,
        password: values.password,
        ...(values.displayName.trim() ? { displayName: values.displayName.trim() } : {}),
      }),
    [values],
  );
  const { submit, pending, error, setError, retryIn, blocked } = useAuthSubmit(call);
  const local = touched ? validate(values) : {};
  const set = (field: Field) => (e: { target: { value: string } }) => {
    setValues((v) => ({ ...v, [field]: e.target.value }));
    if (field === "username" && error?.code === ErrorCode.UsernameTaken) setError(null);
  };

  const onSubmit = () => {
    setTouched(true);
    if (blocked || Object.keys(validate(values)).length > 0) return;
    void submit();
  };

  const serverField = (field: Field) => (field === "username" && error?.code === ErrorCode.UsernameTaken ? "This username is taken." : error?.fields?.[field]);

  return (
    <AuthForm
      label="Create account"
      onSubmit={onSubmit}
      error={error?.code === ErrorCode.UsernameTaken ? null : error}
      retryIn={retryIn}
      submit={{ label: "Create account", pendingLabel: "Creating account…", pending, disabled: !hydrated || blocked }}
    >
      <AuthField
        field="username"
        hint="Lowercase letters, digits and '_'. People add you by it."
        value={values.username}
        onChange={set("username")}
        error={local.username ?? serverField("username")}
      />
      <AuthField field="displayName" value={values.displayName} onChange={set("displayName")} error={local.displayName ?? serverField("displayName")} />
      <AuthField
        field="newPassword"
        hint={`At least ${Limits.passwordMin} characters.`}
        value={values.password}
        onChange={set("password")}
        error={local.password ?? serverField("password")}
      />
      <AuthField field="confirmPassword" value={values.confirm} onChange={set("confirm")} error={local.confirm} />
    </AuthForm>
  );
}
