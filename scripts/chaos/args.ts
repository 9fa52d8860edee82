/** `npm run chaos -- [--scenarios a,b] [--duration S] [--clients N] [--rate R]`, validated. */
import { AppError, ErrorCode } from "../../packages/shared/src/errors";
import { SCENARIO_NAMES } from "./scenarios";

export interface ChaosArgs {
  scenarios: string[];
  /** Seconds of traffic per scenario (the fault is injected at 30 % of it). */
  durationS: number;
  clients: number;
  /** Messages per second per client. */
  rate: number;
  nodes: number;
}

export const DEFAULTS: ChaosArgs = { scenarios: [...SCENARIO_NAMES], durationS: 30, clients: 6, rate: 2, nodes: 3 };

const bad = (message: string, details?: Record<string, unknown>) => new AppError(ErrorCode.BadRequest, message, details);

function number(flag: string, raw: string | undefined, min: number, max: number, integer: boolean): number {
  if (raw === undefined || raw.startsWith("--")) throw bad(`--${flag} needs a value`, { flag });
  const n = Number(raw);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
    throw bad(`--${flag} must be ${integer ? "an integer" : "a number"} from ${min} to ${max} (got '${raw}')`, { flag, value: raw });
  }
  return n;
}

export function parseArgs(argv: string[]): ChaosArgs {
  const out: ChaosArgs = { ...DEFAULTS, scenarios: [...DEFAULTS.scenarios] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case "--scenarios": {
        const raw = value();
        if (raw === undefined || raw.startsWith("--") || raw.trim() === "") throw bad("--scenarios needs a comma-separated list", { flag: "scenarios" });
        const names = raw.split(",").map((s) => s.trim()).filter(Boolean);
        const unknown = names.filter((n) => !SCENARIO_NAMES.includes(n));
        if (unknown.length > 0) throw bad(`unknown scenario${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}: choose from ${SCENARIO_NAMES.join(", ")}`, { unknown });
        out.scenarios = [...new Set(names)];
        break;
      }
      case "--duration":
        out.durationS = number("duration", value(), 5, 3600, false);
        break;
      case "--clients":
        out.clients = number("clients", value(), 2, 300, true);
        break;
      case "--rate":
        out.rate = number("rate", value(), 0.1, 50, false);
        break;
      case "--nodes":
        out.nodes = number("nodes", value(), 2, 8, true);
        break;
      default:
        throw bad(`unknown option '${arg}' (options: --scenarios a,b  --duration S  --clients N  --rate R  --nodes N)`, { option: arg });
    }
  }
  return out;
}
