/**
 * A real gateway for a test file: a fresh migrated PostgreSQL database, in-process infra, the
 * standalone HTTP server on port 0, and typed tRPC clients over real HTTP. Teardown is
 * registered here, where everything is created.
 */
import { afterAll, beforeAll, expect } from "vitest";
import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import { createPgPool, createPrisma, PrismaMessageStore, type PrismaClient } from "@dim/db";
import { createTestDatabase, type TestDatabase } from "@dim/db/testing";
import { createMemoryInfra, type BlobStore, type MemoryInfra } from "@dim/infra";
import type { ErrorCode, SessionOutput } from "@dim/shared";
import type { GroupEvents } from "../src/groups/group-events";
import type { ContactEvents } from "../src/contacts/contact-events";
import { startStandaloneGateway, type AppRouter, type GatewayConfigInput, type StandaloneGateway } from "../src/index";

export const TOKEN_SECRET = "test-secret-0123456789abcdef";

export type Client = ReturnType<typeof clientFor>;

export function clientFor(trpcUrl: string, token?: string, headers: Record<string, string> = {}) {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: trpcUrl,
        headers: () => ({ ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) }),
      }),
    ],
  });
}

export interface TestGateway {
  server: StandaloneGateway;
  prisma: PrismaClient;
  /** The gateway's and the store's pg pool (absent with `{ pool: false }`). */
  pool: ReturnType<typeof createPgPool> | undefined;
  store: PrismaMessageStore;
  infra: MemoryInfra;
  db: TestDatabase;
  /** An unauthenticated client. */
  anon: Client;
  client(token?: string): Client;
  /** Registers a user (password "password-1234") and returns its session and a client for it. */
  register(username: string, displayName?: string): Promise<{ session: SessionOutput; client: Client; id: string }>;
  /** Plain fetch against the tRPC endpoint (for raw HTTP assertions). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

export const PASSWORD = "password-1234";

/**
 * Call at file or describe level: starts in beforeAll, stops in afterAll. Wired as in production
 * (a pg pool for the gateway's and the store's hot statements); `{ pool: false }` runs them
 * through Prisma instead.
 */
export function useTestGateway(
  config: Partial<GatewayConfigInput> = {},
  opts: { pool?: boolean; groupEvents?: GroupEvents; contactEvents?: ContactEvents; blobs?: () => BlobStore } = {},
): TestGateway {
  const t = {} as TestGateway;
  beforeAll(async () => {
    t.db = await createTestDatabase();
    t.prisma = createPrisma(t.db.url, { poolSize: 4 });
    t.pool = opts.pool === false ? undefined : createPgPool(t.db.url, { poolSize: 4, applicationName: "dim-test-gateway" });
    t.store = new PrismaMessageStore(t.prisma, t.pool ? { pool: t.pool } : {});
    t.infra = createMemoryInfra();
    t.server = await startStandaloneGateway({
      port: 0,
      prisma: t.prisma,
      ...(t.pool ? { pool: t.pool } : {}),
      store: t.store,
      registry: t.infra.registry,
      presence: t.infra.presence,
      bus: t.infra.bus,
      ...(opts.groupEvents ? { groupEvents: opts.groupEvents } : {}),
      ...(opts.contactEvents ? { contactEvents: opts.contactEvents } : {}),
      ...(opts.blobs ? { blobs: opts.blobs() } : {}),
      config: { tokenSecret: TOKEN_SECRET, ...config },
    });
    t.anon = clientFor(t.server.trpcUrl);
    t.client = (token) => clientFor(t.server.trpcUrl, token);
    t.register = async (username, displayName) => {
      const session = await t.anon.auth.register.mutate({ username, password: PASSWORD, ...(displayName ? { displayName } : {}) });
      return { session, client: t.client(session.sessionToken), id: session.user.id };
    };
    t.fetch = (path, init) => fetch(`${t.server.trpcUrl}/${path}`, init);
  });
  afterAll(async () => {
    await t.server?.close();
    await t.infra?.close();
    await t.pool?.end();
    await t.prisma?.$disconnect();
    await t.db?.drop();
  });
  return t;
}

/** Awaits a rejected gateway call and checks our error code; returns the error's data. */
export async function expectAppError(
  call: Promise<unknown>,
  appCode: ErrorCode,
): Promise<{ message: string; data: { appCode: string; httpStatus: number; code: string; details?: Record<string, unknown> } }> {
  const error = await call.then(
    () => {
      throw new Error(`expected ${appCode}, but the call succeeded`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCClientError);
  const e = error as TRPCClientError<AppRouter>;
  expect(e.data?.appCode, e.message).toBe(appCode);
  return { message: e.message, data: e.data as never };
}

let seqCounter = 0;
/** A clientMsgId that is unique within the run. */
export function msgId(): string {
  seqCounter += 1;
  return `test-msg-${process.pid}-${seqCounter}`;
}

/** Registers two users who become contacts; their direct conversation. */
export async function befriend(gw: TestGateway, a: string, b: string) {
  const A = await gw.register(a);
  const B = await gw.register(b);
  const req = await A.client.contacts.request.mutate({ username: b });
  const { contact } = await B.client.contacts.accept.mutate({ requestId: req.id });
  return { A, B, conversationId: contact.conversationId };
}

/** Stores a text message as the core nodes do (through the store). */
export async function send(gw: TestGateway, senderId: string, conversationId: string, body: string) {
  return (await gw.store.append({ senderId, conversationId, clientMsgId: msgId(), kind: "text", body })).message;
}
