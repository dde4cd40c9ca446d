/**
 * A progress bar on stderr when it is a terminal (nothing otherwise, so logs and pipes stay clean). The command's
 * result is a single JSON line on stdout.
 */
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr) {
  const started = Date.now();
  let lastDraw = 0;
  return {
    update(done: number, total: number) {
      if (!stream.isTTY) return;
      const now = Date.now();
      if (now - lastDraw < 100 && done < total) return;
      lastDraw = now;
      const width = 30;
      const filled = Math.round((done / Math.max(total, 1)) * width);
      const seconds = ((now - started) / 1000).toFixed(1);
      stream.write(`\r${label} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total} ${seconds}s`);
    },
    done() {
      if (stream.isTTY) stream.write('\n');
    },
  };
}
