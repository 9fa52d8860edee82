-- Cluster-wide limits (issue 13): the gateway's token buckets in embedded mode, shared by every
-- gateway process on this database (packages/infra/src/pg/pg-rates.ts). A row exists only while
-- its bucket is not full; full_at says when it is full again (then it is pruned).

-- CreateTable
CREATE TABLE "rate_buckets" (
    "name" VARCHAR(32) NOT NULL,
    "key" VARCHAR(130) NOT NULL,
    "tokens" DOUBLE PRECISION NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,
    "full_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "rate_buckets_pkey" PRIMARY KEY ("name","key")
);

-- CreateIndex
CREATE INDEX "rate_buckets_full_at_idx" ON "rate_buckets"("full_at");
