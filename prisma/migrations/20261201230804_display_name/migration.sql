-- The display-name rule (src/domain/display-name.ts, README "Names"): a customer without a
-- `name` is named by its realName, else its nickName. Writes apply it from now on; this
-- backfills the rows written before (imports filled realName only). A name given stays.
UPDATE "Customer"
SET "name" = COALESCE(NULLIF(btrim("realName"), ''), NULLIF(btrim("nickName"), ''))
WHERE COALESCE(btrim("name"), '') = ''
  AND COALESCE(NULLIF(btrim("realName"), ''), NULLIF(btrim("nickName"), '')) IS NOT NULL;

-- Search matches realName too (SEARCHED_NAME_FIELDS in src/domain/search.ts).
-- CreateIndex
CREATE INDEX "Customer_realName_trgm_idx" ON "Customer" USING GIN ("realName" gin_trgm_ops);
