import { z } from "zod";

/*
 * Runs before the app's own client code (Next's instrumentation-client hook). Zod compiles its
 * object parsers with `new Function` when eval is allowed, probing for it while the schemas of
 * @dim/shared are built; under our CSP (no 'unsafe-eval' in production) that probe is refused
 * and reported as a violation. Jitless zod never probes: same results, no eval.
 */
z.config({ jitless: true });
