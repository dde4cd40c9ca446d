-- CreateEnum
CREATE TYPE "CrossSellResponseKind" AS ENUM ('ACCEPTED', 'DISMISSED');

-- CreateTable
CREATE TABLE "CrossSellPurchase" (
    "workspaceId" UUID NOT NULL,
    "customerId" UUID NOT NULL,
    "sku" TEXT NOT NULL,
    "firstPurchaseAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "CrossSellPurchase_pkey" PRIMARY KEY ("workspaceId","customerId","sku")
);

-- CreateTable
CREATE TABLE "CrossSellProductCount" (
    "workspaceId" UUID NOT NULL,
    "sku" TEXT NOT NULL,
    "customers" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "CrossSellProductCount_pkey" PRIMARY KEY ("workspaceId","sku")
);

-- CreateTable
CREATE TABLE "CrossSellPairCount" (
    "workspaceId" UUID NOT NULL,
    "antecedentSku" TEXT NOT NULL,
    "consequentSku" TEXT NOT NULL,
    "customers" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "CrossSellPairCount_pkey" PRIMARY KEY ("workspaceId","antecedentSku","consequentSku")
);

-- CreateTable
CREATE TABLE "CrossSellStats" (
    "workspaceId" UUID NOT NULL,
    "customers" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "CrossSellStats_pkey" PRIMARY KEY ("workspaceId")
);

-- CreateTable
CREATE TABLE "CrossSellOffer" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "customerId" UUID NOT NULL,
    "sku" TEXT NOT NULL,
    "antecedentSku" TEXT,
    "offeredAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CrossSellOffer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CrossSellResponse" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "customerId" UUID NOT NULL,
    "sku" TEXT NOT NULL,
    "antecedentSku" TEXT,
    "response" "CrossSellResponseKind" NOT NULL,
    "respondedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CrossSellResponse_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "CrossSellPurchase_customerId_idx" ON "CrossSellPurchase"("customerId");

-- CreateIndex
CREATE INDEX "CrossSellProductCount_workspaceId_customers_idx" ON "CrossSellProductCount"("workspaceId", "customers" DESC);

-- CreateIndex
CREATE INDEX "CrossSellOffer_customerId_offeredAt_idx" ON "CrossSellOffer"("customerId", "offeredAt");

-- CreateIndex
CREATE INDEX "CrossSellOffer_workspaceId_offeredAt_idx" ON "CrossSellOffer"("workspaceId", "offeredAt");

-- CreateIndex
CREATE INDEX "CrossSellResponse_customerId_respondedAt_idx" ON "CrossSellResponse"("customerId", "respondedAt");

-- CreateIndex
CREATE INDEX "CrossSellResponse_workspaceId_respondedAt_idx" ON "CrossSellResponse"("workspaceId", "respondedAt");

-- Foreign keys to core rows, written by hand (plugin models have no Prisma relation to core models)
ALTER TABLE "CrossSellPurchase" ADD CONSTRAINT "CrossSellPurchase_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "CrossSellOffer" ADD CONSTRAINT "CrossSellOffer_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "CrossSellResponse" ADD CONSTRAINT "CrossSellResponse_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "CrossSellProductCount" ADD CONSTRAINT "CrossSellProductCount_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "CrossSellPairCount" ADD CONSTRAINT "CrossSellPairCount_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "CrossSellStats" ADD CONSTRAINT "CrossSellStats_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;
