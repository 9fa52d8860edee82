// @dim/db: the schema's client, our migration runner, the message store and the embedded server.
export { createPrisma, createPgPool, type PrismaClient, type CreatePrismaOptions } from "./create-prisma";
export { migrate, readMigrations, migrationChecksum, MIGRATIONS_DIR, type MigrateOptions, type MigrationFile } from "./migrate";
export { pendingMigrations, assertMigrated } from "./pending-migrations";
export { waitForDatabase, type WaitForDatabaseOptions } from "./wait-for-database";
export { openDatabase, type OpenDatabase, type OpenDatabaseOptions } from "./open-database";
export type { DbLog } from "./db-log";
export { isDeadlock, isUniqueViolation, sqlStateOf, SqlState } from "./pg-errors";
export { PrismaMessageStore, type MessageStoreOptions } from "./prisma-message-store";
export type { AppendInput, AppendResult, CursorAdvance, Membership, MemberWindow, MessageStore, SeqRange } from "./message-store.types";
export { MESSAGE_COLUMNS, toMessage, type MessageRow } from "./message-row";
export {
  startEmbeddedPostgres,
  type EmbeddedPostgresOptions,
  type RunningPostgres,
} from "./embedded/embedded-postgres";
export { Prisma } from "../generated/client/client";
export type * as Models from "../generated/client/models";
export {
  PrismaContactPresenceStore,
  type ContactPresenceStore,
  type ContactRow,
  type WatcherRow,
} from "./contact-presence-store";
export { CLI_ACTOR, listAdmins, recordAudit, setAdmin, type AdminActor, type AuditInput } from "./admin-store";
export { PrismaPushStore, type PushContext, type PushStore, type PushTarget } from "./push-store";
export { noBlockBetween } from "./block-sql";
