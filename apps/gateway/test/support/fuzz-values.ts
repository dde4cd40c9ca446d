// Inputs for the schema-driven fuzz test: a plausible value for any input type, with edge values mixed in at
// random leaves, printable as a variable (JSON) or as a GraphQL literal. Deterministic for a given seed.
import {
  getNullableType,
  type GraphQLInputType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
} from 'graphql';

/** mulberry32: a small seeded PRNG, so a failure can be replayed. */
export function seededRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
  };
}
export type Random = ReturnType<typeof seededRandom>;

/** An enum value: a bare name in a literal, a string in a variable. */
export class EnumValue {
  constructor(readonly name: string) {}
}

const nested = (depth: number, leaf: unknown): unknown => {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
};

const encodeId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');
const SOME_UUID = '0193a5f0-0000-7000-8000-000000000000';

/** Strings no field should choke on. The 1 MB string is used sparingly (see `FuzzValues.big`). */
const EDGE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  'a\uD800b',
  '\uDC00',
  '%',
  '_',
  "'; DROP TABLE \"Customer\"; --",
  'NaN',
  'Infinity',
  '-0',
  '1e999',
  '-99999999999999999999.99',
  '0000-01-01',
  '10000-01-01T00:00:00Z',
  '2025-02-30',
  '2026-02-30T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  'not a date',
  encodeId('Customer', 'not-a-uuid'),
  encodeId('Nope', SOME_UUID),
  encodeId('Customer', SOME_UUID),
  '!!not base64!!',
  '💥'.repeat(100),
  'x'.repeat(10_000),
];

const EDGE_NUMBERS = [0, -1, 1, 2_147_483_647, -2_147_483_648, 2_147_483_648, 2 ** 53, -(2 ** 53), 1e308, -1e308, 0.5, -0.000001];

/** Values of the wrong type for anything. */
const WRONG_TYPES: unknown[] = [null, true, [], {}, { nested: { deeper: [1, 2] } }, 'ten', 10, 1.5];

export interface FuzzValues {
  /** Real ids by type name, so that some inputs reach the code behind the id checks. */
  ids: Record<string, string[]>;
  /** Probability that a leaf is replaced by an edge value. */
  edgeRate: number;
  /** Whether this case may carry a 1 MB string (once per field, to keep the run short). */
  big: boolean;
  /** Literal mode: JSON object keys must be GraphQL names, and no value nested deeper than the parser needs. */
  literal: boolean;
  /** The type the root field is about (`updateDeal` → Deal), for its `id`. */
  subject?: string;
}

function edgeValue(random: Random, options: FuzzValues): unknown {
  if (options.big && random.chance(0.3)) {
    options.big = false;
    return 'x'.repeat(1_000_000);
  }
  const kind = random.next();
  if (kind < 0.5) return random.pick(EDGE_STRINGS);
  if (kind < 0.75) return random.pick(EDGE_NUMBERS);
  if (kind < 0.85) return new EnumValue('NOT_A_VALUE');
  if (kind < 0.92) return nested(options.literal ? 40 : random.pick([40, 1000]), 1);
  return random.pick(WRONG_TYPES);
}

const EDGE_DATES = ['0000-01-01', '0000-06-01T00:00:00Z', '10000-01-01T00:00:00Z', '2025-02-30', '2026-02-30T00:00:00Z', '2024-02-29', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '2026-01-01T24:00:00Z', '1970-01-01T00:00:00Z', 'yesterday'];
const EDGE_DECIMALS = ['999999999999.99', '-999999999999.99', '9999999999999', '0.001', '-0', '1e5', 'NaN', 'Infinity', '12,50', '', ' 1'];
const EDGE_INTS = [0, -1, -2_147_483_648, 2_147_483_647, 101, 1000, 2_147_483_648];

/** An edge value of the leaf's own type (most cases), or of any type. */
function typedEdge(name: string, random: Random, options: FuzzValues): unknown {
  if (random.chance(0.15)) return edgeValue(random, options);
  switch (name) {
    case 'Int':
      return random.pick(EDGE_INTS);
    case 'Float':
      return random.pick(EDGE_NUMBERS);
    case 'Boolean':
      return random.pick([true, false, 'true', 0]);
    case 'DateTime':
      return random.pick(EDGE_DATES);
    case 'Decimal':
      return random.pick(EDGE_DECIMALS);
    case 'JSON':
      return random.pick([nested(options.literal ? 40 : 1000, 1), nested(31, 'deep but allowed'), { text: 'x'.repeat(5000) }, Array.from({ length: 500 }, (_, i) => i)]);
    case 'ID':
      return random.pick(EDGE_STRINGS.filter((s) => !s.includes('\u0000')));
    default:
      if (options.big && random.chance(0.3)) {
        options.big = false;
        return 'x'.repeat(1_000_000);
      }
      return random.pick(EDGE_STRINGS);
  }
}

/** The type an id names, guessed from where it goes: `customerId` → Customer, `id` of `updateDeal` → Deal. */
function idFor(fieldName: string, options: FuzzValues, random: Random): string {
  const named = /^(.*)Ids?$/.exec(fieldName)?.[1];
  const type = named ? named[0]!.toUpperCase() + named.slice(1) : options.subject;
  const known = type ? options.ids[type] : undefined;
  if (known?.length) return random.pick(known);
  const all = Object.values(options.ids).flat();
  return all.length ? random.pick(all) : encodeId('Customer', SOME_UUID);
}

/** A plausible string for a field, by its name (an email for `email`, a URL for `url`, …). */
function plausibleString(fieldName: string, random: Random): string {
  const name = fieldName.toLowerCase();
  if (name.includes('email')) return random.pick(['ada@example.com', 'grace@example.org']);
  if (name.includes('url')) return 'https://hooks.example.com/crm';
  if (name.includes('domain')) return 'example.com';
  if (name.includes('phone')) return '+44 20 7946 0958';
  if (name.includes('sku')) return random.pick(['SKU-1', 'SKU-2']);
  if (name.includes('csv')) return 'customer,orderedAt,total\nfuzz@example.com,2025-01-02,10.00\n';
  return random.pick(['fuzz', 'Ada Lovelace', 'VIP', 'Quarterly review']);
}

function plausibleScalar(name: string, fieldName: string, random: Random, options: FuzzValues): unknown {
  switch (name) {
    case 'ID':
      return idFor(fieldName, options, random);
    case 'Int':
      return random.pick([1, 5, 20, 100]);
    case 'Float':
      return random.pick([0.5, 1, 12.25]);
    case 'Boolean':
      return random.chance(0.5);
    case 'DateTime':
      return random.pick(['2026-01-15T10:00:00Z', '2025-06-01', '2024-02-29T23:59:59.999Z']);
    case 'Decimal':
      return random.pick(['12.50', '0.00', '999999999999.99']);
    case 'JSON':
      return random.pick([{ plan: 'gold', seats: 3 }, [1, 'two'], 'text', 42]);
    default:
      return plausibleString(fieldName, random);
  }
}

/** A value for `type`: plausible, with each leaf replaced by an edge value at `edgeRate`. */
export function fuzzValue(type: GraphQLInputType, random: Random, options: FuzzValues, fieldName: string, depth = 0): unknown {
  if (random.chance(options.edgeRate / 10)) return edgeValue(random, options);
  const inner = getNullableType(type) as GraphQLInputType;
  if (!isNonNullType(type) && random.chance(0.1)) return null;
  if (isListType(inner)) {
    const length = random.pick([0, 1, 2, 3]);
    return Array.from({ length }, () => fuzzValue(inner.ofType, random, options, fieldName, depth + 1));
  }
  if (isInputObjectType(inner)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(inner.getFields())) {
      const required = isNonNullType(field.type) && field.defaultValue === undefined;
      // Recursive inputs (filters with and/or) stop growing after a few levels.
      if (required || (depth < 3 && random.chance(0.5))) value[field.name] = fuzzValue(field.type, random, options, field.name, depth + 1);
    }
    if (random.chance(options.edgeRate / 10)) value[random.pick(['unknownField', 'id', 'workspaceId'])] = edgeValue(random, options);
    return value;
  }
  if (isEnumType(inner)) return new EnumValue(random.chance(options.edgeRate / 4) ? 'NOT_A_VALUE' : random.pick(inner.getValues()).name);
  if (isScalarType(inner)) return random.chance(options.edgeRate) ? typedEdge(inner.name, random, options) : plausibleScalar(inner.name, fieldName, random, options);
  return null;
}

/** The value as a JSON variable. */
export function asVariable(value: unknown): unknown {
  if (value instanceof EnumValue) return value.name;
  if (Array.isArray(value)) return value.map(asVariable);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asVariable(v)]));
  return value;
}

/** The value as a GraphQL literal (numbers that have no literal form become strings). */
export function asLiteral(value: unknown): string {
  if (value instanceof EnumValue) return value.name;
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : JSON.stringify(String(value));
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(asLiteral).join(', ')}]`;
  return `{ ${Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${/^[_A-Za-z][_0-9A-Za-z]*$/.test(k) ? k : 'key'}: ${asLiteral(v)}`)
    .join(', ')} }`;
}
