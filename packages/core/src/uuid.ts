import { randomFillSync } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a UUID in its canonical text form (every row id is one). */
export const isUuid = (value: string): boolean => UUID.test(value);

// Random bytes are drawn 4 KiB at a time (a bulk write makes thousands of ids; one draw each was a measurable cost).
const pool = new Uint8Array(4096);
let used = pool.length;
function randomBytes16(): Uint8Array {
  if (used + 16 > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  used += 16;
  return pool.slice(used - 16, used);
}

let lastTime = 0;
let counter = 0;

/**
 * A new row id as Prisma's `@default(uuid(7))` makes it (RFC 9562 version 7: the time in ms, then random bits), for
 * rows a bulk write inserts with one statement and must know the ids of without relying on the order of RETURNING.
 * Strictly increasing within the process (RFC 9562 §6.2, method 1: a 12-bit counter in `rand_a`, started at a random
 * value each millisecond, the time moved on by 1 ms when it runs out), so a command's events, inserted in one
 * statement, are numbered at commit in the order they were emitted (migration event_numbering_per_commit).
 */
export function newRowId(): string {
  const bytes = randomBytes16();
  const now = Date.now();
  if (now > lastTime) {
    lastTime = now;
    counter = ((bytes[6]! & 0x07) << 8) | bytes[7]!; // at most 0x7ff: room for 2,048 more in this millisecond
  } else if (++counter > 0xfff) {
    lastTime++;
    counter = 0;
  }
  let time = lastTime;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = time % 256;
    time = Math.floor(time / 256);
  }
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
