/** A promise with its resolve function: one test step waits for another (the PostgreSQL interleaving tests). */
export function signal() {
  let fire!: () => void;
  const fired = new Promise<void>((resolve) => (fire = resolve));
  return { fire, fired };
}
