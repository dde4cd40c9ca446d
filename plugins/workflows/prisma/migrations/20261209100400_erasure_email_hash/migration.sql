-- An erasure's row keeps no email in clear (docs/plugins/workflows.md, "Privacy"): a salted hash of it instead, what
-- the scrub and the check of delivered events compare the addresses they find with (runs/erasure-email.ts). The rows
-- there are (under scrub, or within their hour) are hashed here with a salt of their own, then the column goes.
-- An instance still on the old code fails on the dropped column when it erases (the erasure rolls back, whole) and its
-- scrub pass fails and is retried by a new instance: an upgrade does not mix them for long.

-- AlterTable
ALTER TABLE "WorkflowErasure" ADD COLUMN "emailSalt" TEXT, ADD COLUMN "emailHash" TEXT;

UPDATE "WorkflowErasure" SET "emailSalt" = replace(gen_random_uuid()::text, '-', '') WHERE email IS NOT NULL;
UPDATE "WorkflowErasure" SET "emailHash" = encode(sha256(convert_to("emailSalt" || email, 'UTF8')), 'hex') WHERE email IS NOT NULL;

ALTER TABLE "WorkflowErasure" DROP COLUMN "email";
