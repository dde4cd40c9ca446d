// After `vite build`: writes a Brotli (.br) and a gzip (.gz) copy next to each text file of dist/, at the highest
// levels, once. The gateway sends the copy the browser accepts (apps/gateway/src/dashboard-files.ts), so it never
// compresses per request and the first load transfers ~110 kB of JavaScript instead of ~440 kB. Prints the sizes.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const dist = new URL('../dist/', import.meta.url).pathname;
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json']);
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) walk(file);
    else if (COMPRESSIBLE.has(path.extname(file))) files.push(file);
  }
};
walk(dist);
const kB = (n) => `${(n / 1024).toFixed(1)} kB`;
for (const file of files) {
  const raw = readFileSync(file);
  const br = brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } });
  const gz = gzipSync(raw, { level: 9 });
  // Only where it pays (a tiny file can grow).
  if (br.length < raw.length) writeFileSync(`${file}.br`, br);
  if (gz.length < raw.length) writeFileSync(`${file}.gz`, gz);
  console.log(`${path.relative(dist, file)}: ${kB(raw.length)}, gzip ${kB(gz.length)}, brotli ${kB(br.length)}`);
}
