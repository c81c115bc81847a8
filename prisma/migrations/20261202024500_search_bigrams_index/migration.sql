-- Two-character search terms (a Chinese given name such as "张伟") have no trigram, so the
-- trigram indexes cannot serve them and a search scanned every customer (ILIKE on three name
-- columns: 190-370 ms on PGlite at 100,000 customers). This index holds each customer's
-- lowercased two-character substrings of the columns search reads (src/domain/search.ts); a
-- two-character term is found by `search_bigrams(...) @> search_bigrams(term)`, then checked
-- with the same LIKE / ILIKE as before. Prisma's schema cannot express an expression index:
-- declared there as raw-only (prisma/schema.prisma, model Customer; scripts/migration-diff.mjs).
CREATE FUNCTION "search_bigrams"(VARIADIC "texts" TEXT[]) RETURNS TEXT[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
        SELECT coalesce(array_agg(DISTINCT substr(lower("raw"), "i", 2)), '{}')
        FROM unnest("texts") AS "raw", generate_series(1, length("raw") - 1) AS "i"
    $$;

CREATE INDEX "Customer_search_bigrams_idx" ON "Customer" USING GIN ("search_bigrams"("mobile", "name", "realName", "nickName"));
