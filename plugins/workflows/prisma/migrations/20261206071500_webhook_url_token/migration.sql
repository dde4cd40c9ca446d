-- AlterTable: the webhook URL's own token, apart from the signing secret of outgoing requests. Existing workflows get
-- one here (two random UUIDs: 244 random bits from the server's strong random source), so their webhooks keep working
-- at their new URL (`Workflow.webhookPath`).
ALTER TABLE "Workflow" ADD COLUMN     "hookToken" TEXT;
UPDATE "Workflow" SET "hookToken" = replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '');
ALTER TABLE "Workflow" ALTER COLUMN "hookToken" SET NOT NULL;
