/** `npm run chaos` arguments (scripts/chaos/args.ts): defaults, valid values, and a typed BAD_REQUEST for each bad one. */
import { describe, expect, it } from "vitest";
import { ErrorCode, isAppError } from "@dim/shared";
import { DEFAULTS, parseArgs } from "../scripts/chaos/args";
import { SCENARIO_NAMES } from "../scripts/chaos/scenarios";

function badRequest(argv: string[]): string {
  try {
    parseArgs(argv);
  } catch (err) {
    if (isAppError(err) && err.code === ErrorCode.BadRequest) return err.message;
    throw err;
  }
  throw new Error(`accepted ${argv.join(" ")}`);
}

describe("chaos arguments", () => {
  it("defaults to every scenario", () => {
    expect(parseArgs([])).toEqual(DEFAULTS);
    expect(DEFAULTS.scenarios).toEqual(SCENARIO_NAMES);
    expect(SCENARIO_NAMES).toHaveLength(7);
  });

  it("takes --scenarios, --duration, --clients, --rate, --nodes (also as --flag=value)", () => {
    expect(parseArgs(["--scenarios", "kafka-kill9,node-kill9,kafka-kill9", "--duration=12.5", "--clients", "9", "--rate", "0.5", "--nodes", "4"])).toEqual({
      scenarios: ["kafka-kill9", "node-kill9"],
      durationS: 12.5,
      clients: 9,
      rate: 0.5,
      nodes: 4,
    });
  });

  it("refuses bad values with BAD_REQUEST naming the option", () => {
    expect(badRequest(["--scenarios", "node-kill9,nope"])).toMatch(/unknown scenario nope: choose from node-kill9/);
    expect(badRequest(["--scenarios"])).toMatch(/--scenarios needs/);
    expect(badRequest(["--duration", "2"])).toMatch(/--duration must be a number from 5 to 3600/);
    expect(badRequest(["--duration", "--clients"])).toMatch(/--duration needs a value/);
    expect(badRequest(["--clients", "2.5"])).toMatch(/--clients must be an integer/);
    expect(badRequest(["--rate", "abc"])).toMatch(/--rate must be a number/);
    expect(badRequest(["--nodes", "1"])).toMatch(/--nodes must be an integer from 2 to 8/);
    expect(badRequest(["--fast"])).toMatch(/unknown option '--fast'/);
  });
});
