-- Events in the seq stream (issue 12): edit, delete for everyone and reaction are messages of
-- their own kinds that refer to an earlier seq (target_seq); a message may quote one (reply_to).
-- The target row keeps the folded state (latest text + edited_at, or deleted_at); reactions and
-- "delete for me" hides are tables of their own. See docs/protocol.md §events.

-- AlterEnum (PostgreSQL ≥ 12 allows this inside the migration's transaction; the new values are
-- not used in this file, which PostgreSQL would refuse before the commit)
ALTER TYPE "message_kind" ADD VALUE 'edit';
ALTER TYPE "message_kind" ADD VALUE 'delete';
ALTER TYPE "message_kind" ADD VALUE 'reaction';

-- AlterTable
ALTER TABLE "messages" ADD COLUMN "reply_to" BIGINT,
ADD COLUMN "target_seq" BIGINT,
ADD COLUMN "edited_at" TIMESTAMPTZ(3),
ADD COLUMN "deleted_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "message_reactions" (
    "conversation_id" UUID NOT NULL,
    "message_seq" BIGINT NOT NULL,
    "user_id" UUID NOT NULL,
    "emoji" VARCHAR(32) NOT NULL,
    "event_seq" BIGINT NOT NULL,

    CONSTRAINT "message_reactions_pkey" PRIMARY KEY ("conversation_id","message_seq","user_id")
);

-- CreateTable
CREATE TABLE "message_hides" (
    "user_id" UUID NOT NULL,
    "conversation_id" UUID NOT NULL,
    "seq" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "message_hides_pkey" PRIMARY KEY ("user_id","conversation_id","seq")
);

-- CreateTable
CREATE TABLE "blob_garbage" (
    "key" CHAR(64) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "blob_garbage_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "messages_conversation_id_target_seq_idx" ON "messages"("conversation_id", "target_seq");

-- AddForeignKey
ALTER TABLE "message_reactions" ADD CONSTRAINT "message_reactions_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message_reactions" ADD CONSTRAINT "message_reactions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message_hides" ADD CONSTRAINT "message_hides_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message_hides" ADD CONSTRAINT "message_hides_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Checks schema.prisma cannot express (not compared by test/schema-agrees.test.ts). Kinds are
-- compared as text: the new enum values cannot be named before this transaction commits.
-- An event has a target below its own seq; no other kind has one; only non-events reply.
ALTER TABLE "messages" ADD CONSTRAINT "messages_event_check"
  CHECK ((target_seq IS NOT NULL) = (kind::text IN ('edit', 'delete', 'reaction'))
         AND (target_seq IS NULL OR target_seq < seq)
         AND (reply_to IS NULL OR (reply_to < seq AND kind::text IN ('text', 'image', 'file'))));
ALTER TABLE "message_reactions" ADD CONSTRAINT "message_reactions_emoji_check" CHECK (length(emoji) > 0);
