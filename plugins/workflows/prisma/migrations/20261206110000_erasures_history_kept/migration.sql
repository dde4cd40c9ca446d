-- CreateTable: erasures scrubbing run history in the background (personal-data.ts).
CREATE TABLE "WorkflowErasure" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "customerId" UUID NOT NULL,
    "email" TEXT,
    "afterRunId" UUID,
    "dueAt" TIMESTAMPTZ(3),
    "claims" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WorkflowErasure_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WorkflowErasure_dueAt_idx" ON "WorkflowErasure"("dueAt");

-- CreateIndex
CREATE INDEX "WorkflowErasure_workspaceId_idx" ON "WorkflowErasure"("workspaceId");

-- AddForeignKey
ALTER TABLE "WorkflowErasure" ADD CONSTRAINT "WorkflowErasure_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Workspaces that exist now keep their whole run history (historyDays null): an upgrade never deletes history that
-- nobody chose to let go; an admin sets historyDays to start pruning. Workspaces created later get the default (30).
UPDATE "Workspace"
SET settings = jsonb_set(
  CASE WHEN jsonb_typeof(settings) = 'object' THEN settings ELSE '{}'::jsonb END,
  '{plugins}',
  CASE WHEN jsonb_typeof(settings -> 'plugins') = 'object' THEN settings -> 'plugins' ELSE '{}'::jsonb END
    || jsonb_build_object('workflows',
      CASE WHEN jsonb_typeof(settings -> 'plugins' -> 'workflows') = 'object' THEN settings -> 'plugins' -> 'workflows' ELSE '{}'::jsonb END
        || '{"historyDays": null}'::jsonb)
);
