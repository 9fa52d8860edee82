/**
 * Issue 14, languages and accessibility, in a real browser against the production build (gateway
 * in Next.js, a core node, PostgreSQL). A browser whose language is zh-CN gets the app in
 * Simplified Chinese from the first paint: sign-in, registration (with its checks), a short chat
 * with someone whose browser is in English, a group (new-group dialog, member panel, add people,
 * rename), settings, and the admin page; an IME composition's Enter does not send; the Settings
 * switch turns the app to English (remembered across a reload, <html lang> following) and back.
 *
 * Every screen — sign-in, register, main, chat, new group, member panel, add people, settings,
 * admin and its confirmation — passes axe-core (no serious or critical violation) in both themes
 * at 1440×900 and 390×844, and the first stops of Tab on each show a visible focus ring.
 * Screenshots: docs/screenshots/web-zh-cn-*.png.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { createGatewayClient } from "@dim/client";
import { consoleErrors, PASSWORD, seriousAxeViolations, switchTheme, WAIT } from "./helpers/pwa";
import { usePwaSuite } from "./helpers/pwa-suite";
import { docScreenshot } from "./helpers/screenshots";

const suite = usePwaSuite({ nodes: 1 });
const { newPage, registerOverHttp, login } = suite;

const SIZES = [
  { name: "desktop", width: 1440, height: 900 },
  { name: "phone", width: 390, height: 844 },
] as const;

/**
 * axe on the page as it is, at both sizes and in both themes; what it finds is added to `found`
 * as "screen size theme: rule: targets" (all screens are checked before the test fails, so one
 * run lists every violation). Ends at desktop size, light theme.
 */
async function axeScreen(page: Page, screen: string, found: string[]): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize({ width: size.width, height: size.height });
    for (const scheme of ["light", "dark"] as const) {
      await switchTheme(page, scheme);
      for (const v of await seriousAxeViolations(page)) {
        found.push(`${screen} ${size.name} ${scheme}: ${v}`);
        console.log(`axe: ${screen} ${size.name} ${scheme}: ${v}`); // all of them, also when a later step fails
      }
    }
  }
  await switchTheme(page, "light");
  await page.setViewportSize({ width: SIZES[0].width, height: SIZES[0].height });
}

/** Presses Tab `stops` times; each focused element must show a focus ring (outline or shadow). */
async function tabStopsShowFocus(page: Page, stops: number, screen: string, found: string[]): Promise<void> {
  for (let i = 0; i < stops; i++) {
    await page.keyboard.press("Tab");
    const seen = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return { ok: true, what: "body" };
      const style = getComputedStyle(el);
      const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
      const ring = style.boxShadow !== "none" && style.boxShadow !== "";
      const what = `${el.tagName.toLowerCase()}${el.getAttribute("aria-label") ? `[${el.getAttribute("aria-label")}]` : ""} ${(el.textContent ?? "").trim().slice(0, 20)}`;
      return { ok: (outline || ring) && el.matches(":focus-visible"), what };
    });
    if (!seen.ok) found.push(`${screen}: no visible focus on Tab stop ${i + 1} (${seen.what})`);
  }
}


const lang = (page: Page) => page.evaluate(() => document.documentElement.lang);
const messageBodies = (page: Page) => page.getByTestId("message").locator("div.rounded-2xl").allInnerTexts();

describe("the PWA in Simplified Chinese, and every screen accessible", () => {
  it("zh-CN from the browser's language through sign-in, chat, group, settings and admin; the switch back to English; axe-clean everywhere", async () => {
    const base = suite.stack.baseUrl;
    const a11y: string[] = [];
    const focus: string[] = [];

    // --- Sign-in, in Chinese from the server's first answer (Accept-Language), no console error.
    const mei = await newPage({ locale: "zh-CN", width: 1440, height: 900 });
    const errors = consoleErrors(mei);
    const firstPaint = await (await fetch(`${base}/login`, { headers: { "accept-language": "zh-CN,zh;q=0.9" } })).text();
    expect(firstPaint).toContain('<html lang="zh-CN"');
    expect(firstPaint).toContain("登录 DIM");
    await mei.goto(`${base}/login`);
    await mei.getByRole("heading", { name: "登录 DIM", level: 1 }).waitFor();
    expect(await lang(mei)).toBe("zh-CN");
    await expect.poll(() => mei.title(), WAIT).toBe("登录 · DIM");
    await expect.poll(() => mei.getByRole("button", { name: "登录" }).count(), WAIT).toBe(1);
    await mei.waitForFunction(() => (window as unknown as { next?: { appDir?: boolean } }).next?.appDir === true);
    await docScreenshot(mei, "zh-cn-login");
    await axeScreen(mei, "sign-in", a11y);
    await tabStopsShowFocus(mei, 4, "sign-in", focus);
    // The signed-out session probe is an expected answer, not a red line in the console.
    expect(errors).toEqual([]);

    // --- Registration: its own checks say what is wrong in Chinese; the first account is the admin.
    await mei.getByRole("link", { name: "注册账号" }).click();
    await mei.waitForURL(`${base}/register`);
    await mei.getByRole("heading", { name: "注册 DIM 账号", level: 1 }).waitFor();
    await expect.poll(() => mei.title(), WAIT).toBe("注册账号 · DIM");
    await mei.getByLabel("用户名").fill("mei");
    await mei.getByLabel("昵称（可选）").fill("李梅");
    await mei.getByLabel("密码", { exact: true }).fill("short");
    await mei.getByLabel("确认密码").fill("other");
    await mei.getByRole("button", { name: "注册账号" }).click();
    await mei.getByText("两次输入的密码不一致。").waitFor(WAIT);
    expect(await mei.getByText("至少 8 个字符。").count()).toBeGreaterThan(0);
    await axeScreen(mei, "register (with errors)", a11y);
    await mei.goto(`${base}/register`);
    await mei.getByRole("heading", { name: "注册 DIM 账号", level: 1 }).waitFor();
    await tabStopsShowFocus(mei, 5, "register", focus);
    await mei.getByLabel("用户名").fill("mei");
    await mei.getByLabel("昵称（可选）").fill("李梅");
    await mei.getByLabel("密码", { exact: true }).fill(PASSWORD);
    await mei.getByLabel("确认密码").fill(PASSWORD);
    await mei.getByRole("button", { name: "注册账号" }).click();
    await mei.waitForURL(`${base}/`);

    // --- Main screen: a contact request from someone whose browser is in English.
    const lan = await registerOverHttp("lan", "Lan Chen");
    const hua = await registerOverHttp("hua", "Hua Wang");
    const en = await newPage({ locale: "en-US" });
    await login(en, "lan");
    await en.getByLabel("Add contact").fill("mei");
    await en.getByLabel("Add contact").press("Enter");
    await en.getByText("Request sent to @mei.").waitFor(WAIT);
    expect(lan.user.id).toBeTruthy();
    await mei.getByText("好友申请").waitFor(WAIT);
    await mei.getByRole("button", { name: "接受 @lan" }).click();
    await mei.getByRole("heading", { name: "联系人" }).waitFor(WAIT);
    await mei.getByText("已连接").waitFor(WAIT);
    await mei.getByText("选择一个会话").waitFor(WAIT);
    await axeScreen(mei, "main", a11y);
    await mei.locator("body").focus();
    await tabStopsShowFocus(mei, 12, "main", focus);

    // --- A short chat: her Chinese, his English, each in their own UI language.
    await mei.getByTestId("contact").filter({ hasText: "Lan Chen" }).click();
    await mei.getByRole("region", { name: "与 Lan Chen 的聊天" }).waitFor(WAIT);
    const box = mei.getByLabel("消息", { exact: true });
    await box.waitFor();
    expect(await box.getAttribute("placeholder")).toBe("输入消息…");
    // IME: while a composition is open, Enter picks a candidate and sends nothing.
    await box.focus();
    await box.dispatchEvent("compositionstart", { data: "" });
    await mei.keyboard.insertText("ni hao");
    await mei.keyboard.press("Enter");
    await box.dispatchEvent("keydown", { key: "Enter", code: "Enter", isComposing: true, bubbles: true });
    await box.fill("你好");
    await box.dispatchEvent("compositionend", { data: "你好" });
    await mei.waitForTimeout(50); // the composition flag is cleared a tick after compositionend
    expect(await mei.getByTestId("message").count()).toBe(0);
    await box.press("Enter");
    await expect.poll(() => messageBodies(mei), WAIT).toEqual(["你好"]);
    await mei.getByTestId("day-separator").filter({ hasText: "今天" }).waitFor(WAIT);
    await en.getByTestId("conversation").filter({ hasText: "李梅" }).click();
    await expect.poll(() => messageBodies(en), WAIT).toEqual(["你好"]);
    await en.getByTestId("day-separator").filter({ hasText: "Today" }).waitFor(WAIT);
    await en.getByLabel("Message", { exact: true }).fill("Hi Mei!");
    await en.getByLabel("Message", { exact: true }).press("Enter");
    await expect.poll(() => messageBodies(mei), WAIT).toEqual(["你好", "Hi Mei!"]);
    await mei.locator('[data-testid="message"][data-own="true"] [data-state="read"]').filter({ hasText: "已读" }).waitFor(WAIT);
    await docScreenshot(mei, "zh-cn-chat");
    await axeScreen(mei, "chat", a11y);

    // --- A group: the new-group dialog, the member panel (rename), add people.
    await createGatewayClient({ baseUrl: base, sessionToken: hua.sessionToken }).contacts.request.mutate({ username: "mei" });
    await mei.getByRole("button", { name: "接受 @hua" }).click(WAIT);
    await mei.getByTestId("new-group").click();
    const dialog = mei.getByTestId("new-group-dialog");
    await dialog.getByRole("heading", { name: "新建群组" }).waitFor();
    await dialog.getByRole("button", { name: "创建群组" }).click();
    await dialog.getByText("请为群组命名。").waitFor(WAIT);
    await dialog.getByLabel("群组名称").fill("周末");
    await dialog.getByText("Lan Chen").click();
    await dialog.getByText("（已选 1 人）").waitFor();
    await axeScreen(mei, "new group", a11y);
    await dialog.getByRole("button", { name: "创建群组" }).click();
    await mei.getByTestId("system-message").filter({ hasText: "你 创建了群组“周末”" }).waitFor(WAIT);
    await mei.getByTestId("chat-subtitle").filter({ hasText: "2 位成员" }).waitFor(WAIT);
    await mei.getByTestId("group-header").click();
    const panel = mei.getByTestId("member-panel");
    await panel.locator('[data-testid="member"][data-role="owner"]').filter({ hasText: "群主" }).waitFor(WAIT);
    await axeScreen(mei, "member panel", a11y);
    await tabStopsShowFocus(mei, 6, "member panel", focus);
    await panel.getByRole("button", { name: "+ 添加成员" }).click();
    await panel.getByText("Hua Wang").waitFor();
    await axeScreen(mei, "add members", a11y);
    await panel.getByText("Hua Wang").click();
    await panel.getByRole("button", { name: "添加 1 人" }).click();
    await panel.getByTestId("member").filter({ hasText: "Hua Wang" }).waitFor(WAIT);
    await panel.getByLabel("群组名称").fill("周末计划");
    await panel.getByRole("button", { name: "重命名" }).click();
    await mei.getByTestId("system-message").filter({ hasText: "你 将群组名称改为“周末计划”" }).waitFor(WAIT);
    await docScreenshot(mei, "zh-cn-group-members");
    await mei.keyboard.press("Escape");
    await expect.poll(() => panel.isVisible(), WAIT).toBe(false);
    await mei.getByTestId("system-message").filter({ hasText: "你 添加了 Hua Wang" }).waitFor(WAIT);
    await docScreenshot(mei, "zh-cn-group");

    // --- Settings: every section in Chinese; the switch to English and back.
    await mei.getByTestId("open-settings").click();
    const settings = mei.getByTestId("settings-dialog");
    await settings.getByRole("heading", { name: "设置" }).waitFor();
    for (const heading of ["个人资料", "语言", "密码", "已登录的设备", "注销账号"]) await settings.getByRole("heading", { name: heading }).waitFor();
    await settings.getByTestId("session").first().waitFor(WAIT);
    const select = settings.getByLabel("应用语言");
    expect(await select.locator("option:checked").innerText()).toBe("浏览器语言（简体中文）");
    await docScreenshot(mei, "zh-cn-settings");
    await axeScreen(mei, "settings", a11y);
    await tabStopsShowFocus(mei, 8, "settings", focus);
    await select.selectOption("en");
    await settings.getByRole("heading", { name: "Settings" }).waitFor(WAIT);
    expect(await lang(mei)).toBe("en");
    expect(await mei.evaluate(() => localStorage.getItem("dim-locale"))).toBe("en");
    await mei.getByRole("heading", { name: "Conversations" }).waitFor();
    await mei.getByTestId("system-message").filter({ hasText: "You renamed the group to “周末计划”" }).waitFor(WAIT);
    // Remembered: a reload renders in English from the server on (the cookie), whatever the browser says.
    await mei.reload();
    await mei.getByRole("heading", { name: "Conversations" }).waitFor(WAIT);
    expect(await lang(mei)).toBe("en");
    const served = await mei.evaluate(async () => (await fetch("/login")).text());
    expect(served).toContain('<html lang="en"');
    await mei.getByTestId("open-settings").click();
    await settings.getByLabel("Language of the app").selectOption("system");
    await settings.getByRole("heading", { name: "设置" }).waitFor(WAIT);
    expect(await lang(mei)).toBe("zh-CN");
    expect(await mei.evaluate(() => localStorage.getItem("dim-locale"))).toBeNull();
    await mei.keyboard.press("Escape");
    // An English browser can choose Chinese too.
    await en.getByTestId("open-settings").click();
    await en.getByLabel("Language of the app").selectOption("zh-CN");
    await en.getByTestId("settings-dialog").getByRole("heading", { name: "设置" }).waitFor(WAIT);
    await en.keyboard.press("Escape");
    await en.getByRole("heading", { name: "会话" }).waitFor(WAIT);

    // --- Admin (the first account), in Chinese: nodes, a lookup, the confirmation dialog.
    await mei.getByTestId("admin-link").filter({ hasText: "管理" }).click();
    await mei.waitForURL(`${base}/admin`);
    await mei.getByRole("heading", { name: "管理", level: 1 }).waitFor();
    await expect.poll(() => mei.title(), WAIT).toBe("管理 · DIM");
    await mei.getByTestId("admin-nodes").locator("tbody tr").first().waitFor(WAIT);
    await mei.getByLabel("用户名").fill("lan");
    await mei.getByLabel("用户名").press("Enter");
    await expect.poll(() => mei.getByTestId("admin-user-state").innerText(), WAIT).toBe("正常");
    await mei.getByTestId("admin-audit").getByText("mei 查询了 lan").waitFor(WAIT);
    await docScreenshot(mei, "zh-cn-admin");
    await axeScreen(mei, "admin", a11y);
    await mei.locator("body").focus();
    await tabStopsShowFocus(mei, 6, "admin", focus);
    await mei.getByRole("button", { name: "停用账号" }).click();
    await mei.getByTestId("admin-confirm").getByRole("heading", { name: "停用 lan？" }).waitFor();
    await axeScreen(mei, "admin confirm", a11y);
    await mei.keyboard.press("Escape");

    expect(a11y).toEqual([]);
    expect(focus).toEqual([]);
    expect(errors.filter((e) => !e.includes("/api/trpc/"))).toEqual([]);
  }, 600_000);
});
