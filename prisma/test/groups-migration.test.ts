/**
 * The groups migration on a database that already holds conversations: direct conversations and
 * their members keep working (role member, joined_seq 1, nothing left), and a group made before
 * it (by hand: there was no procedure) gets its earliest member as owner.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, expect, it } from "vitest";
import { MIGRATIONS_DIR, migrate, readMigrations } from "../src/migrate";
import { createTestDatabase, type TestDatabase } from "../src/testing";

const GROUPS = "20261210120000_groups";
let db: TestDatabase | undefined;
let dir: string | undefined;
afterAll(async () => {
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it("gives existing members sane values and existing groups an owner", async () => {
  db = await createTestDatabase({ migrate: false });
  dir = mkdtempSync(join(tmpdir(), "dim-before-groups-"));
  for (const m of readMigrations().filter((m) => m.name < GROUPS)) cpSync(join(MIGRATIONS_DIR, m.name), join(dir, m.name), { recursive: true });
  await migrate(db.url, { migrationsDir: dir });

  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const [a, b, c] = ["11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222", "33333333-3333-4333-8333-333333333333"];
    const [direct, group] = ["aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"];
    await client.query(`INSERT INTO users (id, username, password_hash, display_name) VALUES ($1, 'a', 'x', 'A'), ($2, 'b', 'x', 'B'), ($3, 'c', 'x', 'C')`, [a, b, c]);
    await client.query(`INSERT INTO conversations (id, kind, direct_key, last_seq) VALUES ($1, 'direct', $2, 1), ($3, 'group', NULL, 0)`, [
      direct,
      `${a}:${b}`,
      group,
    ]);
    await client.query(`INSERT INTO messages (id, conversation_id, seq, sender_id, client_msg_id, body) VALUES (gen_random_uuid(), $1, 1, $2, 'old-msg-0001', 'hi')`, [direct, a]);
    await client.query(
      `INSERT INTO conversation_members (conversation_id, user_id, joined_at) VALUES
         ($1, $2, now()), ($1, $3, now()), ($4, $5, now() - interval '1 hour'), ($4, $2, now())`,
      [direct, a, b, group, c],
    );

    // The groups migration and every later one (attachments, …) apply over the old data.
    expect(await migrate(db.url)).toEqual({ applied: readMigrations().filter((m) => m.name >= GROUPS).map((m) => m.name) });
    const members = await client.query(
      `SELECT conversation_id::text, user_id::text, role::text, joined_seq::int, left_seq, left_at, left_reason, removed_by
       FROM conversation_members ORDER BY conversation_id, user_id`,
    );
    const none = { left_seq: null, left_at: null, left_reason: null, removed_by: null };
    expect(members.rows).toEqual([
      { conversation_id: direct, user_id: a, role: "member", joined_seq: 1, ...none },
      { conversation_id: direct, user_id: b, role: "member", joined_seq: 1, ...none },
      { conversation_id: group, user_id: a, role: "member", joined_seq: 1, ...none },
      { conversation_id: group, user_id: c, role: "owner", joined_seq: 1, ...none },
    ]);
    const conversations = await client.query(`SELECT id::text, membership_seq::int, created_by, avatar_attachment_id FROM conversations ORDER BY id`);
    expect(conversations.rows).toEqual([
      { id: direct, membership_seq: 0, created_by: null, avatar_attachment_id: null },
      { id: group, membership_seq: 0, created_by: null, avatar_attachment_id: null },
    ]);
    expect((await client.query(`SELECT kind::text, system FROM messages`)).rows).toEqual([{ kind: "text", system: null }]);
    // The checks the migration adds (schema.prisma cannot express them) hold the invariants.
    await expect(client.query(`UPDATE messages SET system = '{"type":"member.left"}'`)).rejects.toThrow(/messages_system_event_check/);
    await expect(client.query(`UPDATE conversation_members SET left_seq = 1 WHERE user_id = $1`, [a])).rejects.toThrow(
      /conversation_members_left_check/,
    );
  } finally {
    await client.end();
  }
});
