"use client";
import { useCallback, useState } from "react";
import { ErrorCode, Limits, displayName as displayNameSchema, password as passwordSchema, username as usernameSchema } from "@dim/shared";
import { useAuthSubmit } from "@/hooks/use-auth-submit";
import { useHydrated } from "@/hooks/use-hydrated";
import { useRedirectIfSignedIn } from "@/hooks/use-redirect-if-signed-in";
import { useTranslations, type Translator } from "@/i18n";
import { fieldError } from "@/lib/errors";
import { gateway } from "@/lib/gateway";
import { AuthField, AuthForm } from "./auth-form";

type Field = "username" | "displayName" | "password" | "confirm";

/** Checks the fields with the gateway's own schemas, so most mistakes never leave the page. */
function validate(values: Record<Field, string>, t: Translator<"auth">): Partial<Record<Field, string>> {
  const errors: Partial<Record<Field, string>> = {};
  const u = usernameSchema.safeParse(values.username);
  if (!u.success) {
    errors.username =
      values.username.length < Limits.usernameMin
        ? t("usernameTooShort", { min: Limits.usernameMin })
        : t("usernameChars");
  }
  if (values.displayName.trim() && !displayNameSchema.safeParse(values.displayName).success) {
    errors.displayName = t("displayNameTooLong", { max: Limits.displayNameMax });
  }
  if (!passwordSchema.safeParse(values.password).success) errors.password = t("passwordTooShort", { min: Limits.passwordMin });
  if (values.confirm !== values.password) errors.confirm = t("passwordsDiffer");
  return errors;
}

export function RegisterForm() {
  useRedirectIfSignedIn();
  const t = useTranslations("auth");
  const tErrors = useTranslations("errors");
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
  const local = touched ? validate(values, t) : {};
  const set = (field: Field) => (e: { target: { value: string } }) => {
    setValues((v) => ({ ...v, [field]: e.target.value }));
    if (field === "username" && error?.code === ErrorCode.UsernameTaken) setError(null);
  };

  const onSubmit = () => {
    setTouched(true);
    if (blocked || Object.keys(validate(values, t)).length > 0) return;
    void submit();
  };

  const serverField = (field: Field) => (field === "username" && error?.code === ErrorCode.UsernameTaken ? t("usernameTaken") : fieldError(error, field, tErrors));

  return (
    <AuthForm
      label={t("createAccount")}
      onSubmit={onSubmit}
      error={error?.code === ErrorCode.UsernameTaken ? null : error}
      retryIn={retryIn}
      submit={{ label: t("createAccount"), pendingLabel: t("creatingAccount"), pending, disabled: !hydrated || blocked }}
    >
      <AuthField
        field="username"
        hint={t("usernameHint")}
        value={values.username}
        onChange={set("username")}
        error={local.username ?? serverField("username")}
      />
      <AuthField field="displayName" value={values.displayName} onChange={set("displayName")} error={local.displayName ?? serverField("displayName")} />
      <AuthField
        field="newPassword"
        hint={t("passwordHint", { min: Limits.passwordMin })}
        value={values.password}
        onChange={set("password")}
        error={local.password ?? serverField("password")}
      />
      <AuthField field="confirmPassword" value={values.confirm} onChange={set("confirm")} error={local.confirm} />
    </AuthForm>
  );
}
