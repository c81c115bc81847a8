-- Substring search reads phone identities only (src/domain/search.ts: type = 'phone' AND value
-- LIKE '%digits%'): a trigram index over phone values only replaces the one over every value.
-- Smaller, and the other identity types (openids, emails, …) no longer pay for it on insert.
-- Prisma's schema cannot express a partial index: declared there as a raw-only index
-- (prisma/schema.prisma, model Identity; scripts/migration-diff.mjs).
DROP INDEX "Identity_value_trgm_idx";

CREATE INDEX "Identity_phone_value_trgm_idx" ON "Identity" USING GIN ("value" gin_trgm_ops) WHERE "type" = 'phone';
