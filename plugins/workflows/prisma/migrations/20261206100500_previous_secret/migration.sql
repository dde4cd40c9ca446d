-- AlterTable: a rotated-out signing secret keeps signing (beside the new one) until its expiry, chosen at rotation.
ALTER TABLE "Workflow" ADD COLUMN     "previousSecret" TEXT,
ADD COLUMN     "previousSecretExpiresAt" TIMESTAMPTZ(3);
