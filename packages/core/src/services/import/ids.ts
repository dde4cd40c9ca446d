import { randomBytes } from 'node:crypto';

/**
 * A version-7 UUID (time-ordered, like the ids Prisma makes for our tables): bulk SQL inserts make their own ids
 * because Prisma's `@default(uuid(7))` is applied by the client, not by the database.
 */
export function uuid7(ms = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | (bytes[6]! & 0x0f);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
