import { fileURLToPath } from "node:url";
import { defineConfig } from "prisma/config";

// Prisma's native schema engine cannot be downloaded in our environments. `generate`, `validate` and `format`
// only check that the file exists, so point them at a stub that fails loudly if anything ever runs it.
// A user with the real engine keeps it (`??=`). Migrations run through our own runner (src/migrations).
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(new URL("./tools/no-schema-engine.sh", import.meta.url));

export default defineConfig({
  schema: "prisma/schema",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/crm" },
});
