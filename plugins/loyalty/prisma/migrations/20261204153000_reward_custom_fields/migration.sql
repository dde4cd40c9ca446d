-- AlterTable
ALTER TABLE "LoyaltyReward" ADD COLUMN     "customFields" JSONB NOT NULL DEFAULT '{}';
