-- Accounts (issue 14): a profile (status line, avatar = one of the user's image uploads), deleted
-- accounts kept as "Deleted user" (their messages stay), and sessions that say where and when
-- they were used (the sessions list; signing one out).

-- The never-written avatar_url gives way to avatar_id: the upload bound by account.setAvatar.
-- SET NULL: should the upload go (its message deleted for everyone), the user falls back to initials.
ALTER TABLE "users" DROP COLUMN "avatar_url",
ADD COLUMN "avatar_id" UUID,
ADD COLUMN "status_text" VARCHAR(140) NOT NULL DEFAULT '',
ADD COLUMN "deleted_at" TIMESTAMPTZ(3);

ALTER TABLE "users" ADD CONSTRAINT "users_avatar_id_fkey" FOREIGN KEY ("avatar_id") REFERENCES "attachments"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE UNIQUE INDEX "users_avatar_id_key" ON "users"("avatar_id");

-- Sessions: when last used (touched at most once a minute), from which browser and address.
ALTER TABLE "sessions" ADD COLUMN "last_used_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN "user_agent" VARCHAR(256),
ADD COLUMN "ip" VARCHAR(64);
