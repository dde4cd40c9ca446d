-- A rerun's family (WorkflowRun.rerunRootId): the run it reruns, followed back to the first. A rerun is refused while
-- any run of the family is under way; before, any run of the same version and trigger counted (every scheduled run has
-- the same trigger, and two manual runs on one record may too).

-- AlterTable
ALTER TABLE "WorkflowRun" ADD COLUMN     "rerunRootId" UUID;

-- Existing reruns: their family's first run (a run whose rerunOf is gone counts that one as the first).
WITH RECURSIVE family(id, root) AS (
    SELECT r.id, coalesce(r."rerunOfId", r.id) FROM "WorkflowRun" r
    WHERE r."rerunOfId" IS NULL OR NOT EXISTS (SELECT 1 FROM "WorkflowRun" o WHERE o.id = r."rerunOfId")
  UNION ALL
    SELECT r.id, f.root FROM "WorkflowRun" r JOIN family f ON r."rerunOfId" = f.id
)
UPDATE "WorkflowRun" r SET "rerunRootId" = f.root FROM family f WHERE f.id = r.id AND r."rerunOfId" IS NOT NULL;

-- CreateIndex
CREATE INDEX "WorkflowRun_workspaceId_rerunRootId_idx" ON "WorkflowRun"("workspaceId", "rerunRootId");
