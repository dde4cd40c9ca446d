// tsc does not copy hand-placed .d.ts files: the generated schema type must sit next to the declarations that
// import it, so that packages using @crm/client get typed documents too.
import { copyFileSync, mkdirSync } from 'node:fs';

mkdirSync(new URL('../dist/generated/', import.meta.url), { recursive: true });
copyFileSync(new URL('../src/generated/graphql-env.d.ts', import.meta.url), new URL('../dist/generated/graphql-env.d.ts', import.meta.url));
