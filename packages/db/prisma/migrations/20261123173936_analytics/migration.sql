-- CreateTable
CREATE TABLE "ClvModel" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "fittedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "calibrationEnd" TIMESTAMPTZ(3) NOT NULL,
    "customers" INTEGER NOT NULL,
    "repeatCustomers" INTEGER NOT NULL,
    "r" DOUBLE PRECISION NOT NULL,
    "alpha" DOUBLE PRECISION NOT NULL,
    "a" DOUBLE PRECISION NOT NULL,
    "b" DOUBLE PRECISION NOT NULL,
    "logLikelihood" DOUBLE PRECISION NOT NULL,
    "p" DOUBLE PRECISION,
    "q" DOUBLE PRECISION,
    "gamma" DOUBLE PRECISION,
    "spendLogLikelihood" DOUBLE PRECISION,
    "converged" BOOLEAN NOT NULL,
    "durationMs" INTEGER NOT NULL,
    "settings" JSONB NOT NULL DEFAULT '{}',
    "trigger" TEXT NOT NULL,

    CONSTRAINT "ClvModel_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CustomerScore" (
    "customerId" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "modelId" UUID NOT NULL,
    "repeatPurchases" INTEGER NOT NULL,
    "recencyWeeks" DOUBLE PRECISION NOT NULL,
    "ageWeeks" DOUBLE PRECISION NOT NULL,
    "meanRepeatValue" DECIMAL(14,2) NOT NULL,
    "probabilityAlive" DOUBLE PRECISION,
    "expectedPurchases" DOUBLE PRECISION NOT NULL,
    "expectedOrderValue" DECIMAL(14,2) NOT NULL,
    "predictedLifetimeValue" DECIMAL(14,2),
    "rfmRecency" INTEGER NOT NULL,
    "rfmFrequency" INTEGER NOT NULL,
    "rfmMonetary" INTEGER NOT NULL,
    "rfmSegment" TEXT NOT NULL,
    "historicalRevenue" DECIMAL(14,2) NOT NULL,
    "productCost" DECIMAL(14,2) NOT NULL,
    "costToServe" DECIMAL(14,2) NOT NULL,
    "profit" DECIMAL(14,2) NOT NULL,
    "scoredAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "CustomerScore_pkey" PRIMARY KEY ("customerId")
);

-- CreateIndex
CREATE INDEX "ClvModel_workspaceId_fittedAt_idx" ON "ClvModel"("workspaceId", "fittedAt" DESC);

-- CreateIndex
CREATE INDEX "CustomerScore_workspaceId_predictedLifetimeValue_idx" ON "CustomerScore"("workspaceId", "predictedLifetimeValue");

-- CreateIndex
CREATE INDEX "CustomerScore_workspaceId_probabilityAlive_idx" ON "CustomerScore"("workspaceId", "probabilityAlive");

-- CreateIndex
CREATE INDEX "CustomerScore_workspaceId_rfmSegment_idx" ON "CustomerScore"("workspaceId", "rfmSegment");

-- CreateIndex
CREATE INDEX "CustomerScore_modelId_idx" ON "CustomerScore"("modelId");

-- AddForeignKey
ALTER TABLE "ClvModel" ADD CONSTRAINT "ClvModel_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CustomerScore" ADD CONSTRAINT "CustomerScore_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CustomerScore" ADD CONSTRAINT "CustomerScore_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "ClvModel"("id") ON DELETE CASCADE ON UPDATE CASCADE;
