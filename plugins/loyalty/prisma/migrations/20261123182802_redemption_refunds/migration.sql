-- AlterTable
ALTER TABLE "LoyaltyRedemption" ADD COLUMN     "refundedAt" TIMESTAMPTZ(3);
