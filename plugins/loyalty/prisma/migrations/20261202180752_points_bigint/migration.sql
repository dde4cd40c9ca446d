-- AlterTable
ALTER TABLE "LoyaltyAccount" ALTER COLUMN "points" SET DATA TYPE BIGINT,
ALTER COLUMN "lifetimePoints" SET DATA TYPE BIGINT;

-- AlterTable
ALTER TABLE "LoyaltyRedemption" ALTER COLUMN "points" SET DATA TYPE BIGINT;

-- AlterTable
ALTER TABLE "LoyaltyTransaction" ALTER COLUMN "points" SET DATA TYPE BIGINT,
ALTER COLUMN "remaining" SET DATA TYPE BIGINT;
