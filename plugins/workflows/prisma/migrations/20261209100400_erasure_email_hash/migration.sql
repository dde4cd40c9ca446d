-- An erasure's row keeps no email in clear (docs/plugins/workflows.md, "Privacy"): a salted hash of it instead, what
-- the scrub and the check of delivered events compare the addresses they find with (runs/erasure-email.ts). The rows
-- there are (under scrub, or within their hour) are hashed here with a salt of their own, and their email nulled.
-- The column stays (`@ignore` in the schema; dropped next release), as `Event.publishedAt` did: during a rolling
-- upgrade an instance still on the old code names it when it starts runs (its kept erasures), reruns and scrubs, and
-- writes it when it erases. What it writes is hashed and nulled at once (the trigger below), so no email is kept in
-- clear and a new instance's scrub matches it; an old instance's own scrub pass then sees no email (null) and matches
-- the customer's ids only, for the short while an upgrade mixes them.

-- AlterTable
ALTER TABLE "WorkflowErasure" ADD COLUMN "emailSalt" TEXT, ADD COLUMN "emailHash" TEXT;

-- The rule of runs/erasure-email.ts's `hashEmail`: a 32-hex-digit salt, sha256 of it followed by the email trimmed and
-- lower case.
CREATE FUNCTION workflow_erasure_email_hashed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.email IS NOT NULL AND btrim(NEW.email) <> '' THEN
    NEW."emailSalt" := replace(gen_random_uuid()::text, '-', '');
    NEW."emailHash" := encode(sha256(convert_to(NEW."emailSalt" || lower(btrim(NEW.email)), 'UTF8')), 'hex');
  END IF;
  NEW.email := NULL;
  RETURN NEW;
END $$;

CREATE TRIGGER workflow_erasure_email_hashed BEFORE INSERT OR UPDATE OF email ON "WorkflowErasure"
  FOR EACH ROW WHEN (NEW.email IS NOT NULL) EXECUTE FUNCTION workflow_erasure_email_hashed();

-- The rows there are: hashed by the trigger.
UPDATE "WorkflowErasure" SET email = email WHERE email IS NOT NULL;
