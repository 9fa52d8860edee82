/**
 * The part of GatewayDeps that comes straight from an opened database and infrastructure: what
 * every process that runs a gateway (the Next.js route, the bench, the chaos suite) passes alike.
 */
import type { OpenDatabase } from "@dim/db";
import type { Infra } from "@dim/infra";
import type { GatewayDeps } from "./gateway";

export function gatewayServicesOf(db: Pick<OpenDatabase, "prisma" | "pool" | "store">, infra: Infra): Pick<GatewayDeps, "prisma" | "pool" | "store" | "registry" | "presence" | "bus" | "rates"> {
  return { prisma: db.prisma, pool: db.pool, store: db.store, registry: infra.registry, presence: infra.presence, bus: infra.bus, rates: infra.rates };
}
