-- CreateEnum
CREATE TYPE "CompetitorFeedbackKind" AS ENUM ('PRICE', 'PRODUCT', 'SERVICE', 'OTHER');

-- CreateEnum
CREATE TYPE "CompetitorSentiment" AS ENUM ('POSITIVE', 'NEUTRAL', 'NEGATIVE');

-- CreateEnum
CREATE TYPE "CompetitorDealOutcome" AS ENUM ('OPEN', 'WON', 'LOST_TO_COMPETITOR', 'LOST_OTHER');

-- CreateTable
CREATE TABLE "Competitor" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "nameKey" TEXT NOT NULL,
    "website" TEXT,
    "aliases" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "strengths" TEXT,
    "weaknesses" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Competitor_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CompetitorFeedback" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "competitorId" UUID NOT NULL,
    "customerId" UUID,
    "dealId" UUID,
    "activityId" UUID,
    "kind" "CompetitorFeedbackKind" NOT NULL,
    "sentiment" "CompetitorSentiment" NOT NULL,
    "note" TEXT,
    "theirPrice" DECIMAL(14,2),
    "ourPrice" DECIMAL(14,2),
    "priceGap" DECIMAL(14,2),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CompetitorFeedback_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CompetitorMention" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "competitorId" UUID NOT NULL,
    "activityId" UUID NOT NULL,
    "customerId" UUID NOT NULL,
    "matched" TEXT NOT NULL,
    "occurredAt" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CompetitorMention_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CompetitorDeal" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "competitorId" UUID NOT NULL,
    "dealId" UUID NOT NULL,
    "outcome" "CompetitorDealOutcome" NOT NULL DEFAULT 'OPEN',
    "amount" DECIMAL(14,2),
    "lostReason" TEXT,
    "closedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CompetitorDeal_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CompetitorDefection" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "competitorId" UUID NOT NULL,
    "customerId" UUID NOT NULL,
    "reason" TEXT,
    "occurredAt" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CompetitorDefection_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Competitor_workspaceId_name_idx" ON "Competitor"("workspaceId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "Competitor_workspaceId_nameKey_key" ON "Competitor"("workspaceId", "nameKey");

-- CreateIndex
CREATE INDEX "CompetitorFeedback_competitorId_createdAt_idx" ON "CompetitorFeedback"("competitorId", "createdAt");

-- CreateIndex
CREATE INDEX "CompetitorFeedback_workspaceId_createdAt_idx" ON "CompetitorFeedback"("workspaceId", "createdAt");

-- CreateIndex
CREATE INDEX "CompetitorFeedback_customerId_idx" ON "CompetitorFeedback"("customerId");

-- CreateIndex
CREATE INDEX "CompetitorMention_competitorId_occurredAt_idx" ON "CompetitorMention"("competitorId", "occurredAt");

-- CreateIndex
CREATE INDEX "CompetitorMention_customerId_occurredAt_idx" ON "CompetitorMention"("customerId", "occurredAt" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "CompetitorMention_activityId_competitorId_key" ON "CompetitorMention"("activityId", "competitorId");

-- CreateIndex
CREATE INDEX "CompetitorDeal_competitorId_outcome_closedAt_idx" ON "CompetitorDeal"("competitorId", "outcome", "closedAt");

-- CreateIndex
CREATE INDEX "CompetitorDeal_workspaceId_outcome_closedAt_idx" ON "CompetitorDeal"("workspaceId", "outcome", "closedAt");

-- CreateIndex
CREATE UNIQUE INDEX "CompetitorDeal_dealId_competitorId_key" ON "CompetitorDeal"("dealId", "competitorId");

-- CreateIndex
CREATE INDEX "CompetitorDefection_competitorId_occurredAt_idx" ON "CompetitorDefection"("competitorId", "occurredAt");

-- CreateIndex
CREATE UNIQUE INDEX "CompetitorDefection_workspaceId_customerId_key" ON "CompetitorDefection"("workspaceId", "customerId");

-- AddForeignKey
ALTER TABLE "CompetitorFeedback" ADD CONSTRAINT "CompetitorFeedback_competitorId_fkey" FOREIGN KEY ("competitorId") REFERENCES "Competitor"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CompetitorMention" ADD CONSTRAINT "CompetitorMention_competitorId_fkey" FOREIGN KEY ("competitorId") REFERENCES "Competitor"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CompetitorDeal" ADD CONSTRAINT "CompetitorDeal_competitorId_fkey" FOREIGN KEY ("competitorId") REFERENCES "Competitor"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CompetitorDefection" ADD CONSTRAINT "CompetitorDefection_competitorId_fkey" FOREIGN KEY ("competitorId") REFERENCES "Competitor"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Foreign keys to core rows, written by hand (plugin models have no Prisma relation to core models)
ALTER TABLE "Competitor" ADD CONSTRAINT "Competitor_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "CompetitorFeedback" ADD CONSTRAINT "CompetitorFeedback_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "CompetitorFeedback" ADD CONSTRAINT "CompetitorFeedback_dealId_fkey" FOREIGN KEY ("dealId") REFERENCES "Deal"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "CompetitorFeedback" ADD CONSTRAINT "CompetitorFeedback_activityId_fkey" FOREIGN KEY ("activityId") REFERENCES "Activity"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "CompetitorMention" ADD CONSTRAINT "CompetitorMention_activityId_fkey" FOREIGN KEY ("activityId") REFERENCES "Activity"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "CompetitorMention" ADD CONSTRAINT "CompetitorMention_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "CompetitorDeal" ADD CONSTRAINT "CompetitorDeal_dealId_fkey" FOREIGN KEY ("dealId") REFERENCES "Deal"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "CompetitorDefection" ADD CONSTRAINT "CompetitorDefection_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;
