"use client";
import type { ChangeEventHandler, FormEvent, InputHTMLAttributes, ReactNode } from "react";
import { Limits } from "@dim/shared";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/text-field";
import { useTranslations } from "@/i18n";
import type { ShownError } from "@/lib/errors";
import { FormError } from "./form-error";

/** The inputs of the sign-in and registration forms, each described once. */
const FIELDS = {
  username: { label: "username", name: "username", autoComplete: "username", autoCapitalize: "none", spellCheck: false, required: true, maxLength: Limits.usernameMax },
  displayName: { label: "displayName", name: "displayName", autoComplete: "nickname", maxLength: Limits.displayNameMax },
  currentPassword: { label: "password", name: "password", type: "password", autoComplete: "current-password", required: true, maxLength: Limits.passwordMax },
  newPassword: { label: "password", name: "password", type: "password", autoComplete: "new-password", required: true, maxLength: Limits.passwordMax },
  confirmPassword: { label: "confirmPassword", name: "confirm", type: "password", autoComplete: "new-password", required: true, maxLength: Limits.passwordMax },
} satisfies Record<string, InputHTMLAttributes<HTMLInputElement> & { label: "username" | "displayName" | "password" | "confirmPassword" }>;

export type AuthFieldName = keyof typeof FIELDS;

/** One input of an auth form, with its error (or else its hint) announced. */
export function AuthField(props: {
  field: AuthFieldName;
  value: string;
  onChange: ChangeEventHandler<HTMLInputElement>;
  error?: string | undefined;
  hint?: string;
}) {
  const t = useTranslations("auth");
  const field = FIELDS[props.field];
  return <TextField {...field} label={t(field.label)} hint={props.hint} value={props.value} onChange={props.onChange} error={props.error} />;
}

/** The frame of an auth form: the form-level error, the fields, the submit button. */
export function AuthForm(props: {
  label: string;
  onSubmit: () => void;
  error: ShownError | null;
  retryIn: number;
  submit: { label: string; pendingLabel: string; pending: boolean; disabled: boolean };
  children: ReactNode;
}) {
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    props.onSubmit();
  };
  return (
    <form method="post" onSubmit={onSubmit} noValidate className="space-y-4" aria-label={props.label}>
      <FormError error={props.error} retryIn={props.retryIn} />
      {props.children}
      <Button type="submit" className="w-full" disabled={props.submit.disabled}>
        {props.submit.pending ? props.submit.pendingLabel : props.submit.label}
      </Button>
    </form>
  );
}
