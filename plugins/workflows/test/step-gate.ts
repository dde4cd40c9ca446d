// A test plugin whose action holds the transaction that calls it (a step's: `callAction`, before the step's
// bookkeeping is written) at a gate until the test opens it, so races with a step's transaction are made on purpose,
// without sleeps (PostgreSQL tests: step-races, wait-races).
import { definePlugin, z } from '@crm/plugin-sdk';

/** Keys the gate's action ran with, in order: a step's effect, each time it was done. */
const ran: string[] = [];
export const ranWith = (key: string) => ran.filter((k) => k === key).length;

export interface Gate {
  entered: Promise<void>;
  release(): void;
}

/** The gate's action with `key` holds its transaction (a step's) until released: once (a second call passes). */
let armed: { key: string; enter(): void; released: Promise<void> } | null = null;
export function arm(key: string): Gate {
  let enter!: () => void;
  let release!: () => void;
  const entered = new Promise<void>((resolve) => (enter = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  armed = { key, enter, released };
  return { entered, release };
}
export const gatePlugin = definePlugin({
  id: 'step-gate',
  version: '1.0.0',
  requires: { core: '^0.1.0' },
  actions: {
    hold: {
      description: 'Records its key; the armed key waits at the gate.',
      input: z.object({ key: z.string() }),
      async run({ key }) {
        ran.push(key);
        const gate = armed;
        if (gate && gate.key === key) {
          armed = null;
          gate.enter();
          await gate.released;
        }
        return { key };
      },
    },
  },
});
export const hold = (key: string) => ({ id: 'hold', kind: 'callAction', action: 'step-gate.hold', input: { key } });
