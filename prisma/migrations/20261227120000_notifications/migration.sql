-- Notifications (issue 14): Web Push subscriptions per session, the user's preview level and
-- do not disturb, and per-conversation mutes.

CREATE TYPE "push_preview" AS ENUM ('none', 'name', 'text');

ALTER TABLE "users" ADD COLUMN "push_preview" "push_preview" NOT NULL DEFAULT 'name',
ADD COLUMN "dnd" BOOLEAN NOT NULL DEFAULT false;

ALTER TABLE "conversation_members" ADD COLUMN "muted_until" TIMESTAMPTZ(3);

-- Deleted with its session: sign-out, "sign out others", password change and account deletion
-- remove the subscriptions of the sessions they end.
CREATE TABLE "push_subscriptions" (
    "id" UUID NOT NULL,
    "session_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "endpoint" VARCHAR(2048) NOT NULL,
    "p256dh" VARCHAR(87) NOT NULL,
    "auth" VARCHAR(22) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "push_subscriptions_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "push_subscriptions_endpoint_key" ON "push_subscriptions"("endpoint");
CREATE INDEX "push_subscriptions_user_id_idx" ON "push_subscriptions"("user_id");
CREATE INDEX "push_subscriptions_session_id_idx" ON "push_subscriptions"("session_id");

ALTER TABLE "push_subscriptions" ADD CONSTRAINT "push_subscriptions_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "push_subscriptions" ADD CONSTRAINT "push_subscriptions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
