#!/usr/bin/env node
// `npm run schema:print`: writes the gateway's SDL to schema.graphql at the repository root (or the path given).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printGatewaySchema } from './schema-sdl.js';

const target = process.argv[2] ?? fileURLToPath(new URL('../../../schema.graphql', import.meta.url));
writeFileSync(target, await printGatewaySchema());
console.log(JSON.stringify({ written: target }));
