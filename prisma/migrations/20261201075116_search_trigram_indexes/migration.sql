-- Substring search (customers(filter: { search }): LIKE / ILIKE '%term%') through trigram GIN
-- indexes. pg_trgm ships with PostgreSQL (contrib) and with PGlite (loaded by src/db/embedded.ts).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- CreateIndex
CREATE INDEX "Customer_mobile_trgm_idx" ON "Customer" USING GIN ("mobile" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Customer_name_trgm_idx" ON "Customer" USING GIN ("name" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Customer_nickName_trgm_idx" ON "Customer" USING GIN ("nickName" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Identity_value_trgm_idx" ON "Identity" USING GIN ("value" gin_trgm_ops);
