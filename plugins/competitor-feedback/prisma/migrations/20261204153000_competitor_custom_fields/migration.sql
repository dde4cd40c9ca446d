-- AlterTable
ALTER TABLE "Competitor" ADD COLUMN     "customFields" JSONB NOT NULL DEFAULT '{}';
