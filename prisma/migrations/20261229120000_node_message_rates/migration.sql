-- Message rates on the admin page (issue 13): each node reports the chat messages per second it
-- takes in and pushes out with its lease refresh, as it reports its connections.

-- AlterTable
ALTER TABLE "node_leases" ADD COLUMN "messages_in_per_sec" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN "messages_out_per_sec" DOUBLE PRECISION NOT NULL DEFAULT 0;
