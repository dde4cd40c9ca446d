-- Due times by the database's clock, which claims compare them with (docs/plugins/workflows.md, "Durable"): a run's
-- first step started without a time the database answered (a manual run, a schedule, a webhook), and an erasure's
-- scrub, are inserted without `dueAt` and take the database's time, not the gateway's clock (skewed from it, a step
-- was delayed by the skew). `dbgenerated`: Prisma's `now()` is the client's clock. A default only: no row is rewritten.

-- AlterTable
ALTER TABLE "WorkflowStepRun" ALTER COLUMN "dueAt" SET DEFAULT statement_timestamp();

-- AlterTable
ALTER TABLE "WorkflowErasure" ALTER COLUMN "dueAt" SET DEFAULT statement_timestamp();
