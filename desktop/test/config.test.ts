import { describe, expect, it } from "vitest";
import { AppError, ErrorCode } from "@dim/shared";
import { DEFAULT_SERVER_URL, parseCliFlags, resolveDesktopConfig, type ConfigSources } from "../src/main/config";

function resolve(partial: Partial<ConfigSources>) {
  return resolveDesktopConfig({ argv: [], env: {}, ...partial });
}

function configError(partial: Partial<ConfigSources>): AppError {
  try {
    resolve(partial);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe(ErrorCode.InvalidConfig);
    return err as AppError;
  }
  throw new Error("expected an INVALID_CONFIG error");
}

describe("desktop configuration", () => {
  it("defaults to the local gateway", () => {
    const config = resolve({});
    expect(config).toEqual({
      serverUrl: `${DEFAULT_SERVER_URL}/`,
      serverOrigin: DEFAULT_SERVER_URL,
      serverUrlSource: "default",
      coreNodeOrigins: [],
      dev: false,
    });
  });

  it("takes the server URL from the command line, then the environment, then the settings file", () => {
    const settingsText = JSON.stringify({ serverUrl: "https://settings.example" });
    const env = { DIM_DESKTOP_SERVER_URL: "https://env.example" };
    const argv = ["/usr/bin/electron", "desktop", "--server-url", "https://cli.example:8443/app"];
    expect(resolve({ argv, env, settingsText })).toMatchObject({
      serverUrl: "https://cli.example:8443/app",
      serverOrigin: "https://cli.example:8443",
      serverUrlSource: "cli",
    });
    expect(resolve({ env, settingsText })).toMatchObject({ serverOrigin: "https://env.example", serverUrlSource: "env" });
    expect(resolve({ settingsText })).toMatchObject({ serverOrigin: "https://settings.example", serverUrlSource: "settings" });
    expect(resolve({ argv: ["--server-url=http://10.0.0.5:3000"] })).toMatchObject({ serverOrigin: "http://10.0.0.5:3000" });
  });

  it("drops the fragment and keeps path and query", () => {
    expect(resolve({ argv: ["--server-url=https://dim.example/chat?x=1#frag"] }).serverUrl).toBe("https://dim.example/chat?x=1");
  });

  it.each([
    ["file:///etc/passwd", "http: or https:"],
    ["javascript:alert(1)", "http: or https:"],
    ["ws://127.0.0.1:7001", "http: or https:"],
    ["https://user:secret@dim.example", "user name or password"],
    ["not a url", "not a URL"],
    ["", "must not be empty"],
  ])("refuses the server URL %j", (value, message) => {
    const err = configError({ env: { DIM_DESKTOP_SERVER_URL: value || " " } });
    expect(err.message).toContain("DIM_DESKTOP_SERVER_URL");
    expect(err.message).toContain(message);
  });

  it("never falls back silently when the chosen source is bad", () => {
    const err = configError({ argv: ["--server-url=ftp://x"], env: { DIM_DESKTOP_SERVER_URL: "https://ok.example" } });
    expect(err.message).toContain("--server-url");
  });

  it("reports a flag without its value", () => {
    expect(parseCliFlags(["--server-url"]).problems).toEqual(["--server-url: missing value"]);
    expect(parseCliFlags(["--server-url", "--dev"])).toMatchObject({ dev: true, problems: ["--server-url: missing value"] });
    expect(configError({ argv: ["--server-url"] }).message).toContain("missing value");
  });

  it("ignores Electron's and Chromium's own switches", () => {
    expect(parseCliFlags(["/opt/DIM/dim", "--no-sandbox", "--enable-logging", "--server-url=https://a.example"])).toEqual({
      serverUrl: "https://a.example",
      dev: false,
      problems: [],
    });
  });

  it("rejects a settings file that is not JSON, has unknown keys or wrong types, naming the file", () => {
    const settingsPath = "/home/u/.config/DIM/settings.json";
    expect(configError({ settingsText: "{not json", settingsPath }).message).toContain(`${settingsPath}: not valid JSON`);
    expect(configError({ settingsText: JSON.stringify({ serverURL: "https://x" }), settingsPath }).message).toContain(settingsPath);
    expect(configError({ settingsText: JSON.stringify({ dev: "yes" }) }).message).toContain("dev");
  });

  it("lists every problem at once", () => {
    const err = configError({
      argv: ["--server-url=file:///x"],
      env: { DIM_DESKTOP_DEV: "maybe", DIM_DESKTOP_CORE_NODE_ORIGINS: "ws://ok:7001,ws://bad/path" },
    });
    expect(err.message).toContain("--server-url");
    expect(err.message).toContain("DIM_DESKTOP_DEV");
    expect(err.message).toContain("DIM_DESKTOP_CORE_NODE_ORIGINS");
    expect((err.details?.problems as string[]).length).toBe(3);
  });

  it("parses the dev switch: --dev, else the environment, else the settings file", () => {
    expect(resolve({ argv: ["--dev"] }).dev).toBe(true);
    expect(resolve({ env: { DIM_DESKTOP_DEV: "1" } }).dev).toBe(true);
    expect(resolve({ env: { DIM_DESKTOP_DEV: "0" }, settingsText: '{"dev":true}' }).dev).toBe(false);
    expect(resolve({ settingsText: '{"dev":true}' }).dev).toBe(true);
    expect(resolve({ argv: ["--dev"], env: { DIM_DESKTOP_DEV: "false" } }).dev).toBe(true);
  });

  it("normalises core node origins and refuses anything but an origin", () => {
    const config = resolve({ env: { DIM_DESKTOP_CORE_NODE_ORIGINS: " ws://10.0.0.1:7001 , wss://node.example, ws://10.0.0.1:7001/ " } });
    expect(config.coreNodeOrigins).toEqual(["ws://10.0.0.1:7001", "wss://node.example"]);
    expect(resolve({ settingsText: JSON.stringify({ coreNodeOrigins: ["https://n.example:443"] }) }).coreNodeOrigins).toEqual(["https://n.example"]);
    for (const bad of ["ws://n.example/ws", "file:///x", "ws://u:p@n.example", "wss://n.example?x=1"]) {
      expect(configError({ env: { DIM_DESKTOP_CORE_NODE_ORIGINS: bad } }).message).toContain("DIM_DESKTOP_CORE_NODE_ORIGINS");
    }
  });
});
