-- Presence (issue 12): when a user's last socket closed ("last seen"), and the privacy setting
-- that hides it from contacts (and theirs from the user). Online itself is never stored: it is
-- the presence leases (Redis / embedded), live while a socket is.

-- AlterTable
ALTER TABLE "users" ADD COLUMN "last_seen_at" TIMESTAMPTZ(3),
ADD COLUMN "hide_last_seen" BOOLEAN NOT NULL DEFAULT false;
