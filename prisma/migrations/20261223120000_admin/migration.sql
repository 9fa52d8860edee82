-- Admin (issue 13): an admin flag and a disabled mark on users, where a session was opened from
-- and when it was last used (the admin's user lookup), and the audit of every admin action.
-- The first registered user becomes admin (packages/api auth router, under an advisory lock);
-- on a database that already has users, the oldest one is made admin here so that someone can
-- open the admin page without the CLI.

-- AlterTable
ALTER TABLE "users" ADD COLUMN "is_admin" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN "disabled_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "sessions" ADD COLUMN "last_used_at" TIMESTAMPTZ(3),
ADD COLUMN "user_agent" VARCHAR(256),
ADD COLUMN "ip" VARCHAR(64);

-- CreateTable
CREATE TABLE "admin_audit" (
    "id" BIGSERIAL NOT NULL,
    "actor_id" UUID,
    "actor" VARCHAR(64) NOT NULL,
    "action" VARCHAR(32) NOT NULL,
    "target_user_id" UUID,
    "target" VARCHAR(64),
    "details" JSONB NOT NULL DEFAULT '{}',
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "admin_audit_pkey" PRIMARY KEY ("id")
);

-- Backfill: the oldest existing user is the first admin.
UPDATE "users" SET "is_admin" = true
WHERE "id" = (SELECT "id" FROM "users" ORDER BY "created_at", "id" LIMIT 1);
