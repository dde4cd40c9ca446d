import { SeededRandom } from '@crm/analytics';

/** A small deterministic PRNG (mulberry32, from `@crm/analytics`) with the distributions the demo data needs. Same seed, same data. */
export class Random extends SeededRandom {
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Picks by weight: `[[value, weight], …]`. */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    const total = choices.reduce((sum, [, w]) => sum + w, 0);
    let r = this.next() * total;
    for (const [value, weight] of choices) {
      r -= weight;
      if (r < 0) return value;
    }
    return choices[choices.length - 1]![0];
  }

  /** A version-7 UUID for time `ms` (sorts by creation time like the database's own ids), random bits from this PRNG. */
  uuid7(ms: number): string {
    const hex = (n: number, width: number) => Math.floor(n).toString(16).padStart(width, '0');
    const time = hex(ms, 12);
    const rand = () => hex(this.next() * 0x10000, 4);
    const variant = (0x8000 | (this.next() * 0x4000)) >>> 0;
    return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${rand().slice(1)}-${hex(variant, 4)}-${rand()}${rand()}${rand()}`;
  }
}
