import type { Locale } from "./locales";
import en from "./messages/en.json";
import zhCN from "./messages/zh-CN.json";

export type Messages = typeof en;

/** Both catalogues are bundled (a few kB each): switching language needs no request, offline too. */
export const MESSAGES: Record<Locale, Messages> = { en, "zh-CN": zhCN };
