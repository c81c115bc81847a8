-- DropIndex
DROP INDEX "Identity_customerId_idx";

-- CreateIndex
CREATE INDEX "Identity_customerId_id_idx" ON "Identity"("customerId", "id");
