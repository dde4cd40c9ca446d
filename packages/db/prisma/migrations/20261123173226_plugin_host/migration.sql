-- CreateEnum
CREATE TYPE "PluginDeliveryStatus" AS ENUM ('DONE', 'FAILED');

-- CreateTable
CREATE TABLE "PluginDelivery" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "pluginId" TEXT NOT NULL,
    "subscriber" TEXT NOT NULL,
    "eventId" UUID NOT NULL,
    "eventType" TEXT NOT NULL,
    "status" "PluginDeliveryStatus" NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "lastError" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "PluginDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PluginDelivery_workspaceId_status_idx" ON "PluginDelivery"("workspaceId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "PluginDelivery_pluginId_subscriber_eventId_key" ON "PluginDelivery"("pluginId", "subscriber", "eventId");
