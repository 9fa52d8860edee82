-- Drain (issue 13): a node moving its clients away before it stops stays live (peers keep
-- routing to its remaining sockets) but the gateway assigns no new client to it.

-- AlterTable
ALTER TABLE "node_leases" ADD COLUMN "draining" BOOLEAN NOT NULL DEFAULT false;
