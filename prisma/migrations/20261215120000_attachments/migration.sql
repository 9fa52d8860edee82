-- Attachments (issue 11): uploads with their metadata, and the copy an image / file message
-- keeps of its attachment. The bytes are in the blob store (disk or S3), keyed by sha256.

-- CreateEnum
CREATE TYPE "attachment_kind" AS ENUM ('image', 'file');

-- AlterTable
ALTER TABLE "messages" ADD COLUMN "attachment" JSONB;

-- CreateTable
CREATE TABLE "attachments" (
    "id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "conversation_id" UUID,
    "message_id" UUID,
    "kind" "attachment_kind" NOT NULL,
    "sha256" CHAR(64) NOT NULL,
    "size" BIGINT NOT NULL,
    "mime" VARCHAR(255) NOT NULL,
    "name" VARCHAR(255) NOT NULL,
    "width" INTEGER,
    "height" INTEGER,
    "thumbnail_key" CHAR(64),
    "placeholder" VARCHAR(128),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "attachments_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "attachments_message_id_key" ON "attachments"("message_id");

-- CreateIndex
CREATE INDEX "attachments_owner_id_created_at_idx" ON "attachments"("owner_id", "created_at");

-- CreateIndex
CREATE INDEX "attachments_sha256_idx" ON "attachments"("sha256");

-- CreateIndex
CREATE INDEX "attachments_thumbnail_key_idx" ON "attachments"("thumbnail_key");

-- CreateIndex
CREATE INDEX "attachments_created_at_idx" ON "attachments"("created_at");

-- AddForeignKey
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Checks schema.prisma cannot express (not compared by test/schema-agrees.test.ts).
-- Sent ⇔ both the conversation and the message are known; an image has its dimensions.
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_sent_check"
  CHECK ((conversation_id IS NULL) = (message_id IS NULL) AND size > 0
         AND (kind <> 'image' OR (width IS NOT NULL AND height IS NOT NULL)));
-- Only image and file messages carry an attachment.
ALTER TABLE "messages" ADD CONSTRAINT "messages_attachment_check"
  CHECK (attachment IS NULL OR kind IN ('image', 'file'));
