import { createTranslator } from "use-intl/core";
import { MESSAGES } from "../../src/i18n/messages";

/** The English catalogue's translator for a namespace, for view logic that takes one. */
export function en<N extends keyof (typeof MESSAGES)["en"]>(namespace: N) {
  return createTranslator({ locale: "en", messages: MESSAGES.en, namespace });
}

export function zh<N extends keyof (typeof MESSAGES)["zh-CN"]>(namespace: N) {
  return createTranslator({ locale: "zh-CN", messages: MESSAGES["zh-CN"], namespace });
}
