// Prints the newest turbo run summary (`turbo run … --summarize`, .turbo/runs/*.json) as one line per task, slowest
// first, with the run's wall time: where CI's time went.
import fs from 'node:fs';
import path from 'node:path';

const dir = path.join('.turbo', 'runs');
const newest = fs.existsSync(dir)
  ? fs
      .readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .map((name) => path.join(dir, name))
      .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0]
  : undefined;
if (!newest) {
  console.log('no turbo run summary (run turbo with --summarize)');
} else {
  const run = JSON.parse(fs.readFileSync(newest, 'utf8'));
  const seconds = (execution) => (execution?.endTime && execution?.startTime ? (execution.endTime - execution.startTime) / 1000 : 0);
  const tasks = run.tasks
    .map((task) => ({ id: task.taskId, s: seconds(task.execution), exit: task.execution?.exitCode, cached: task.cache?.status === 'HIT' }))
    .sort((a, b) => b.s - a.s);
  console.log(`turbo run: ${seconds(run.execution).toFixed(0)} s wall (${newest})`);
  for (const task of tasks) console.log(`${task.s.toFixed(0).padStart(6)} s  ${task.id}${task.cached ? ' (cached)' : ''}${task.exit ? ` (exit ${task.exit})` : ''}`);
}
