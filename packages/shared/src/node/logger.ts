import pino, { type Logger } from "pino";

export type { Logger };

/**
 * Structured JSON logs; pretty, one line each, when DIM_LOG_PRETTY=1 (the dev scripts set it).
 * Use child loggers for context: logger.child({ nodeId, connId, userId }).
 */
export function createLogger(name: string, opts: { level?: string; pretty?: boolean } = {}): Logger {
  const level = opts.level ?? process.env.DIM_LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "silent" : "info");
  const pretty = opts.pretty ?? process.env.DIM_LOG_PRETTY === "1";
  return pino({
    name,
    level,
    base: undefined,
    ...(pretty
      ? {
          transport: {
            target: "pino-pretty",
            options: { colorize: true, singleLine: true, translateTime: "HH:MM:ss.l", ignore: "pid,hostname" },
          },
        }
      : {}),
  });
}
