-- Accounts (issue 14): a profile (status line, avatar = one of the user's image uploads) and
-- deleted accounts kept as "Deleted user" (their messages stay). The sessions list reads the
-- last_used_at, user_agent and ip columns that 20261223120000_admin added.

-- The never-written avatar_url gives way to avatar_id: the upload bound by account.setAvatar.
-- SET NULL: should the upload go (its message deleted for everyone), the user falls back to initials.
ALTER TABLE "users" DROP COLUMN "avatar_url",
ADD COLUMN "avatar_id" UUID,
ADD COLUMN "status_text" VARCHAR(140) NOT NULL DEFAULT '',
ADD COLUMN "deleted_at" TIMESTAMPTZ(3);

ALTER TABLE "users" ADD CONSTRAINT "users_avatar_id_fkey" FOREIGN KEY ("avatar_id") REFERENCES "attachments"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE UNIQUE INDEX "users_avatar_id_key" ON "users"("avatar_id");
