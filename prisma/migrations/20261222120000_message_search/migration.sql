-- Message search (issue 12, docs/protocol.md §19). Two GIN indexes on the folded body (an edit
-- rewrites the target row's body, so both always index the current text):
-- - a tsvector with the 'simple' configuration (no stemming, no stop words: one language-neutral
--   config for a multilingual chat) for whole-word queries;
-- - trigrams (pg_trgm) for substrings and unsegmented scripts (Chinese, Japanese, Thai), where
--   there are no spaces to find words by: `body ILIKE '%明天%'` is answered from this index.
-- pg_trgm is a contrib extension: the embedded PostgreSQL ships it; a PostgreSQL you provide
-- needs its contrib package (Debian/Ubuntu: postgresql-contrib) and a role allowed to create it.
-- Only rows that can be found are indexed (partial): live text / image / file messages.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX "messages_body_tsv_idx" ON "messages"
  USING GIN (to_tsvector('simple'::regconfig, body))
  WHERE deleted_at IS NULL AND kind IN ('text', 'image', 'file');

CREATE INDEX "messages_body_trgm_idx" ON "messages"
  USING GIN (body gin_trgm_ops)
  WHERE deleted_at IS NULL AND kind IN ('text', 'image', 'file');
