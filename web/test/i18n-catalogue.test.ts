/**
 * The English and Chinese catalogues must stay twins: the same keys, and in each message the
 * same ICU arguments of the same kinds (a Chinese message that forgot {count}, or turned a plural
 * into plain text, fails here rather than showing "{count}" to someone).
 */
import { parse, TYPE, type MessageFormatElement } from "@formatjs/icu-messageformat-parser";
import { describe, expect, it } from "vitest";
import { acceptedLanguages, matchLocale, resolveLocale } from "../src/i18n/locales";
import { MESSAGES } from "../src/i18n/messages";

function flatten(value: unknown, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof value === "string") {
    out.set(prefix, value);
    return out;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(`${prefix}: neither a message nor a namespace`);
  for (const [key, child] of Object.entries(value)) {
    for (const [k, v] of flatten(child, prefix ? `${prefix}.${key}` : key)) out.set(k, v);
  }
  return out;
}

const KIND: Partial<Record<TYPE, string>> = {
  [TYPE.argument]: "text",
  [TYPE.number]: "number",
  [TYPE.date]: "date",
  [TYPE.time]: "time",
  [TYPE.select]: "select",
  [TYPE.plural]: "plural",
  [TYPE.tag]: "tag",
};

/** "count:plural", "name:text", … of a message, nested options included. */
function placeholders(elements: MessageFormatElement[], into = new Set<string>()): Set<string> {
  for (const el of elements) {
    const kind = KIND[el.type];
    if (kind && "value" in el) into.add(`${el.value}:${kind === "plural" && "pluralType" in el && el.pluralType === "ordinal" ? "selectordinal" : kind}`);
    if ("options" in el) for (const option of Object.values(el.options)) placeholders(option.value, into);
    if (el.type === TYPE.tag) placeholders(el.children, into);
  }
  return into;
}

const en = flatten(MESSAGES.en);
const zh = flatten(MESSAGES["zh-CN"]);

describe("message catalogues", () => {
  it("have exactly the same keys", () => {
    expect([...zh.keys()].filter((k) => !en.has(k))).toEqual([]);
    expect([...en.keys()].filter((k) => !zh.has(k))).toEqual([]);
    expect(en.size).toBeGreaterThan(50);
  });

  it("have the same ICU placeholders in every message, and every message parses", () => {
    const differing: string[] = [];
    for (const [key, english] of en) {
      const chinese = zh.get(key);
      if (chinese === undefined) continue;
      const a = [...placeholders(parse(english))].sort();
      const b = [...placeholders(parse(chinese))].sort();
      if (a.join() !== b.join()) differing.push(`${key}: en {${a.join(", ")}} zh-CN {${b.join(", ")}}`);
    }
    expect(differing).toEqual([]);
  });

  it("give every plural an `other` case, and no message is empty or left in English in zh-CN by accident", () => {
    const missingOther: string[] = [];
    const visit = (key: string, elements: MessageFormatElement[]) => {
      for (const el of elements) {
        if (el.type === TYPE.plural && !("other" in el.options)) missingOther.push(key);
        if ("options" in el) for (const o of Object.values(el.options)) visit(key, o.value);
      }
    };
    for (const [key, message] of [...en, ...zh]) visit(key, parse(message));
    expect(missingOther).toEqual([]);
    expect([...en, ...zh].filter(([, m]) => m.trim() === "").map(([k]) => k)).toEqual([]);
  });

  it("catches a placeholder that differs (the check itself works)", () => {
    expect([...placeholders(parse("{count, plural, one {# member} other {# members}}"))]).toEqual(["count:plural"]);
    expect([...placeholders(parse("{count} 位成员"))]).toEqual(["count:text"]);
    expect([...placeholders(parse("Hi <b>{name}</b>"))].sort()).toEqual(["b:tag", "name:text"]);
  });
});

describe("choosing the language", () => {
  it("maps the browser's languages onto ours", () => {
    expect(matchLocale(["zh-CN", "en"])).toBe("zh-CN");
    expect(matchLocale(["zh"])).toBe("zh-CN");
    expect(matchLocale(["zh-Hans-CN"])).toBe("zh-CN");
    expect(matchLocale(["fr-FR", "en-GB", "zh-CN"])).toBe("en");
    expect(matchLocale(["fr-FR", "de"])).toBe("en");
    expect(matchLocale([])).toBe("en");
  });

  it("reads Accept-Language by quality", () => {
    expect(acceptedLanguages("en;q=0.5,zh-CN,zh;q=0.9")).toEqual(["zh-CN", "zh", "en"]);
    expect(acceptedLanguages("*;q=1, fr;q=0, de")).toEqual(["de"]);
    expect(acceptedLanguages(null)).toEqual([]);
    expect(matchLocale(acceptedLanguages("fr;q=0.9, zh-TW;q=0.8"))).toBe("zh-CN");
  });

  it("an explicit choice wins over the browser", () => {
    expect(resolveLocale("en", ["zh-CN"])).toBe("en");
    expect(resolveLocale("system", ["zh-CN"])).toBe("zh-CN");
  });
});
