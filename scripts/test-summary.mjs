// Sums the vitest JSON reports every package writes (.vitest-report.json) into one "N passed, N failed" line.
import fs from 'node:fs';
import path from 'node:path';

let passed = 0;
let failed = 0;
let skipped = 0;
for (const group of ['packages', 'apps', 'plugins']) {
  if (!fs.existsSync(group)) continue;
  for (const pkg of fs.readdirSync(group)) {
    const file = path.join(group, pkg, '.vitest-report.json');
    if (!fs.existsSync(file)) continue;
    const report = JSON.parse(fs.readFileSync(file, 'utf8'));
    passed += report.numPassedTests ?? 0;
    failed += report.numFailedTests ?? 0;
    skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  }
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
