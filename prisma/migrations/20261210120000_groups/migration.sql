-- Group chat (issue 10): roles, membership windows kept as history, system messages in the seq
-- stream. Existing direct conversations and their members keep working unchanged: every member
-- gets role 'member' and joined_seq 1 (it sees the whole conversation), membership_seq 0.

-- AlterEnum (the new value is not used in this transaction, as PostgreSQL requires)
ALTER TYPE "message_kind" ADD VALUE 'system';

-- CreateEnum
CREATE TYPE "member_role" AS ENUM ('owner', 'admin', 'member');

-- CreateEnum
CREATE TYPE "member_left_reason" AS ENUM ('left', 'removed');

-- AlterTable
ALTER TABLE "conversations" ADD COLUMN "membership_seq" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN "created_by" UUID,
ADD COLUMN "avatar_attachment_id" UUID;

-- AlterTable
ALTER TABLE "conversation_members" ADD COLUMN "role" "member_role" NOT NULL DEFAULT 'member',
ADD COLUMN "joined_seq" BIGINT NOT NULL DEFAULT 1,
ADD COLUMN "left_seq" BIGINT,
ADD COLUMN "left_at" TIMESTAMPTZ(3),
ADD COLUMN "left_reason" "member_left_reason",
ADD COLUMN "removed_by" UUID;

-- AlterTable
ALTER TABLE "messages" ADD COLUMN "system" JSONB;

-- AddForeignKey
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_created_by_fkey" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "conversation_members" ADD CONSTRAINT "conversation_members_removed_by_fkey" FOREIGN KEY ("removed_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Checks schema.prisma cannot express (not compared by test/schema-agrees.test.ts).
-- A system message carries its event and no body; other kinds carry no event. (kind::text: the
-- new enum value may not be used in the transaction that adds it.)
ALTER TABLE "messages" ADD CONSTRAINT "messages_system_event_check"
  CHECK ((kind::text = 'system') = (system IS NOT NULL) AND (kind::text <> 'system' OR body = ''));
-- The left_* columns are set together, and a window never ends before it starts.
ALTER TABLE "conversation_members" ADD CONSTRAINT "conversation_members_left_check"
  CHECK ((left_seq IS NULL) = (left_at IS NULL) AND (left_seq IS NULL) = (left_reason IS NULL)
         AND (left_seq IS NULL OR left_seq >= joined_seq) AND joined_seq >= 1);

-- Groups created before this migration (only tests made them, by hand) get an owner: their
-- earliest member.
UPDATE "conversation_members" m SET "role" = 'owner'
FROM (
  SELECT DISTINCT ON (cm.conversation_id) cm.conversation_id, cm.user_id
  FROM "conversation_members" cm JOIN "conversations" c ON c.id = cm.conversation_id
  WHERE c.kind = 'group'
  ORDER BY cm.conversation_id, cm.joined_at, cm.user_id
) first_member
WHERE m.conversation_id = first_member.conversation_id AND m.user_id = first_member.user_id;
