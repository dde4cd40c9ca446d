#!/bin/sh
# Stand-in for Prisma's native schema engine, which cannot be downloaded here.
# `prisma generate` only checks that this file exists. Migrations: `npm run migration:create -w @crm/db`.
echo "The native Prisma schema engine is not installed; use 'npm run crm -- migrate' or 'npm run migration:create -w @crm/db'." >&2
exit 1
