/**
 * Every user-visible string in a component comes from the message catalogue: this scans
 * web/src's .tsx files for JSX text, string literals rendered as JSX children, and string
 * aria-label / aria-description / aria-placeholder / title / placeholder / alt / label attributes
 * written in place. Symbols, digits and punctuation alone ("×", "·", "…", "↩", "@", "2") are not
 * words and pass. (Strings built in hooks and lib/* reach the screen through these same spots or
 * through typed catalogue calls; `t("…")` keys are type-checked.)
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { WEB_DIR } from "./helpers/paths";

const TEXT_ATTRIBUTES = new Set(["aria-label", "aria-description", "aria-placeholder", "aria-roledescription", "aria-valuetext", "title", "placeholder", "alt", "label", "hint", "description", "pendingLabel", "legend", "empty", "subtitle"]);
/** Has a letter of any script (Latin, CJK, …): words, not symbols. */
const WORDS = /\p{L}{2,}|\p{Script=Han}/u;

function tsxFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsxFiles(path);
    return entry.name.endsWith(".tsx") ? [path] : [];
  });
}

/** A string literal (or template without substitutions, or one with words in its fixed parts). */
function literalText(node: ts.Node): string | null {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(" ");
  if (ts.isParenthesizedExpression(node)) return literalText(node.expression);
  if (ts.isConditionalExpression(node)) return [literalText(node.whenTrue), literalText(node.whenFalse)].filter((t) => t !== null).join(" ") || null;
  if (ts.isBinaryExpression(node) && (node.operatorToken.kind === ts.SyntaxKind.BarBarToken || node.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || node.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken)) {
    return [literalText(node.left), literalText(node.right)].filter((t) => t !== null).join(" ") || null;
  }
  return null;
}

export function hardCodedStrings(source: string, fileName = "file.tsx"): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: string[] = [];
  const report = (node: ts.Node, text: string) => {
    const { line } = file.getLineAndCharacterOfPosition(node.getStart(file));
    found.push(`${fileName}:${line + 1}: ${JSON.stringify(text.trim().slice(0, 60))}`);
  };
  const visit = (node: ts.Node) => {
    if (ts.isJsxText(node) && WORDS.test(node.text)) report(node, node.text);
    if (ts.isJsxExpression(node) && node.expression && (ts.isJsxElement(node.parent) || ts.isJsxFragment(node.parent))) {
      const text = literalText(node.expression);
      if (text !== null && WORDS.test(text)) report(node, text);
    }
    if (ts.isJsxAttribute(node) && TEXT_ATTRIBUTES.has(node.name.getText(file)) && node.initializer) {
      const init = node.initializer;
      const text = ts.isStringLiteral(init) ? init.text : ts.isJsxExpression(init) && init.expression ? literalText(init.expression) : null;
      if (text !== null && WORDS.test(text)) report(node, text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe("no hard-coded UI text in components", () => {
  it("finds JSX text and string label attributes (the scan itself works)", () => {
    const sample = `
      export const A = () => (
        <div title="Hello there" aria-label={"Close it"}>
          Some words
          <input placeholder={\`Search \${x}\`} alt={t("ok")} />
          {ok ? "Yes" : "No"}
          <span aria-hidden>×</span> · {n} {"…"} <img alt="" />
          {t("fine")} {label}
        </div>
      );`;
    const found = hardCodedStrings(sample);
    expect(found.map((f) => f.replace(/^file\.tsx:\d+: /, ""))).toEqual(['"Hello there"', '"Close it"', '"Some words"', '"Search"', '"Yes No"']);
  });

  it("web/src components route every visible string through the catalogue", () => {
    const src = join(WEB_DIR, "src");
    const found = tsxFiles(src).flatMap((path) => hardCodedStrings(readFileSync(path, "utf8"), relative(WEB_DIR, path)));
    expect(found).toEqual([]);
  });
});
