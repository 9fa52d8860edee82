import { createFormatter, createTranslator } from "use-intl/core";
import { MESSAGES } from "../../src/i18n/messages";

/** The English catalogue's translator for a namespace, for view logic that takes one. */
export function en<N extends keyof (typeof MESSAGES)["en"]>(namespace: N) {
  return createTranslator({ locale: "en", messages: MESSAGES.en, namespace });
}

export function zh<N extends keyof (typeof MESSAGES)["zh-CN"]>(namespace: N) {
  return createTranslator({ locale: "zh-CN", messages: MESSAGES["zh-CN"], namespace });
}

/** Root translators (every key, "presence.online") and formatters, as the app's libs take them. */
export const EN = createTranslator({ locale: "en", messages: MESSAGES.en });
export const ZH = createTranslator({ locale: "zh-CN", messages: MESSAGES["zh-CN"] });
const TIME_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;
export const EN_FORMAT = createFormatter({ locale: "en", timeZone: TIME_ZONE });
export const ZH_FORMAT = createFormatter({ locale: "zh-CN", timeZone: TIME_ZONE });
