-- Mentions in groups (issue 12, docs/protocol.md §17.1): a text (or an edit event) carries the
-- mentioned members' user ids; an owner's or admin's `@all` / `@everyone` mentions every member.
-- The target row of an edit keeps the latest edit's mentions (folded, like its body). A Prisma
-- scalar list column is nullable; the store writes '{}' for none and reads NULL as none.

-- AlterTable
ALTER TABLE "messages" ADD COLUMN "mentions" UUID[] DEFAULT ARRAY[]::UUID[],
ADD COLUMN "mentions_all" BOOLEAN NOT NULL DEFAULT false;

-- Checks schema.prisma cannot express (not compared by test/schema-agrees.test.ts): only texts
-- and edits mention, at most 50 ids (Limits.maxMentions).
ALTER TABLE "messages" ADD CONSTRAINT "messages_mentions_check"
  CHECK ((cardinality(COALESCE(mentions, '{}')) = 0 AND NOT mentions_all) OR kind::text IN ('text', 'edit'))
  , ADD CONSTRAINT "messages_mentions_count_check" CHECK (cardinality(COALESCE(mentions, '{}')) <= 50);
