-- Link previews (issue 15): what the gateway fetched for a URL named in a message, shared by
-- every gateway process (a cache, not a source of truth: rows may be deleted at any time).
-- Keyed by the SHA-256 of the URL (a URL can be longer than a btree key may be).

-- CreateTable
CREATE TABLE "link_previews" (
    "url_hash" CHAR(64) NOT NULL,
    "url" TEXT NOT NULL,
    "outcome" VARCHAR(32) NOT NULL,
    "title" TEXT,
    "description" TEXT,
    "site_name" TEXT,
    "fetched_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "link_previews_pkey" PRIMARY KEY ("url_hash")
);
