-- Two-character search terms (a Chinese given name such as "张伟") have no trigram, so the
-- trigram indexes cannot serve them and a search scanned every customer (ILIKE on three name
-- columns: 190-370 ms on PGlite at 100,000 customers). This index holds each customer's
-- lowercased two-character substrings of the columns search reads (src/domain/search.ts); a
-- two-character term is found by `search_bigrams(…) @> ARRAY[lower(term)]`, then checked with the
-- same LIKE / ILIKE as before. Prisma's schema cannot express an expression index: declared there
-- as raw-only (prisma/schema.prisma, model Customer; scripts/migration-diff.mjs).
--
-- search_bigrams(mobile, name, realName, nickName): the columns joined by U+0001, lowercased, cut
-- into pairs from the first character and from the second (every adjacent pair is in one of the
-- two), split at U+0001: pairs across a column boundary and a trailing character become stray
-- one-character or empty elements no two-character term asks for. The mobile is left out when it
-- has only phone characters (digits, space, + - ( )): that keeps the index small and inserts cheap,
-- and search only asks this index for terms with a character outside those. One SQL expression,
-- so the planner inlines it (a function with FROM ran 4-8 times slower per insert on PGlite).
CREATE FUNCTION "search_bigrams"(TEXT, TEXT, TEXT, TEXT) RETURNS TEXT[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
        SELECT array_cat(
            string_to_array(regexp_replace(
                lower(coalesce(CASE WHEN $1 ~ '[^0-9+() -]' THEN $1 END, '') || E'\x01' || coalesce($2, '') || E'\x01' || coalesce($3, '') || E'\x01' || coalesce($4, '')),
                '(..)', E'\\1\x01', 'g'), E'\x01'),
            string_to_array(regexp_replace(substr(
                lower(coalesce(CASE WHEN $1 ~ '[^0-9+() -]' THEN $1 END, '') || E'\x01' || coalesce($2, '') || E'\x01' || coalesce($3, '') || E'\x01' || coalesce($4, '')),
                2), '(..)', E'\\1\x01', 'g'), E'\x01'))
    $$;

CREATE INDEX "Customer_search_bigrams_idx" ON "Customer" USING GIN ("search_bigrams"("mobile", "name", "realName", "nickName"));
