/**
 * A progress bar on stderr when it is a terminal, nothing otherwise: pipes and logs stay clean, and stdout carries
 * only the command's JSON line.
 */
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr) {
  const started = Date.now();
  let lastDraw = 0;
  let drawn = false;
  return {
    update(done: number, total: number) {
      if (!stream.isTTY) return;
      const now = Date.now();
      if (now - lastDraw < 100 && done < total) return;
      lastDraw = now;
      drawn = true;
      const width = 30;
      const filled = Math.min(width, Math.round((done / Math.max(total, 1)) * width));
      const seconds = (now - started) / 1000;
      const eta = done > 0 && done < total ? `, ~${Math.ceil((seconds * (total - done)) / done)}s left` : '';
      stream.write(`\r${label} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total} ${seconds.toFixed(1)}s${eta}\x1b[K`);
    },
    done() {
      if (drawn) stream.write('\n');
    },
  };
}
