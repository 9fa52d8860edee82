import { createLogger } from "@dim/shared/node";

/** The main process's logger (pino, JSON to stdout; DIM_LOG_LEVEL sets the level). */
export const log = createLogger("desktop");
