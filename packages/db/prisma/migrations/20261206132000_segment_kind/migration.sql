-- Saved segments get a kind: FILTER (every segment so far, recomputed from its filter) or STATIC (members added and
-- removed by hand, never recomputed; no filter, so the column becomes nullable). Existing segments stay FILTER.

-- CreateEnum
CREATE TYPE "SegmentKind" AS ENUM ('FILTER', 'STATIC');

-- AlterTable
ALTER TABLE "Segment" ADD COLUMN "kind" "SegmentKind" NOT NULL DEFAULT 'FILTER',
ALTER COLUMN "filter" DROP NOT NULL;
