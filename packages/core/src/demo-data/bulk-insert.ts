import type { PrismaClient } from '@crm/db';
import type { SeedRows } from './rows.js';

// Why not `createMany`: in Prisma 7 every row of a createMany passes through the client's query compiler and
// interpreter, ~2,300 rows/s on these machines, so 10,000 demo customers (~250,000 rows) took ~2 minutes. One
// `INSERT … SELECT FROM unnest($1::uuid[], $2::text[], …)` per table and chunk sends one array per column: the same
// rows go in at ~20,000 rows/s on PostgreSQL and on PGlite, through the same Prisma client.

type SqlType = 'uuid' | 'text' | 'int' | 'numeric' | 'timestamptz' | 'text[]' | `"${string}"`;
type Value = string | number | Date | string[] | null;

interface Table<Row> {
  name: string;
  columns: { [K in keyof Row]-?: SqlType };
}

const tables: { [K in keyof SeedRows]: Table<SeedRows[K][number]> } = {
  customers: {
    name: 'Customer',
    columns: {
      id: 'uuid', workspaceId: 'uuid', name: 'text', email: 'text', phone: 'text', lifecycleStage: '"LifecycleStage"',
      stageChangedAt: 'timestamptz', churnReason: 'text', source: '"Channel"', ownerId: 'uuid', companyId: 'uuid', tags: 'text[]',
      externalRef: 'text', annualWallet: 'numeric', lifetimeValue: 'numeric', orderCount: 'int', firstOrderAt: 'timestamptz',
      lastOrderAt: 'timestamptz', createdAt: 'timestamptz', updatedAt: 'timestamptz',
    },
  },
  stageChanges: {
    name: 'LifecycleChange',
    columns: {
      id: 'uuid', workspaceId: 'uuid', customerId: 'uuid', fromStage: '"LifecycleStage"', toStage: '"LifecycleStage"', reason: 'text',
      actorId: 'text', changedAt: 'timestamptz',
    },
  },
  orders: {
    name: 'Order',
    columns: {
      id: 'uuid', workspaceId: 'uuid', customerId: 'uuid', orderRef: 'text', orderedAt: 'timestamptz', total: 'numeric', cost: 'numeric',
      channel: '"Channel"', createdAt: 'timestamptz',
    },
  },
  lines: {
    name: 'OrderLine',
    columns: {
      id: 'uuid', workspaceId: 'uuid', orderId: 'uuid', productId: 'uuid', sku: 'text', quantity: 'int', unitPrice: 'numeric',
      unitCost: 'numeric', total: 'numeric',
    },
  },
  deals: {
    name: 'Deal',
    columns: {
      id: 'uuid', workspaceId: 'uuid', title: 'text', amount: 'numeric', customerId: 'uuid', companyId: 'uuid', pipelineId: 'uuid',
      stageId: 'uuid', ownerId: 'uuid', status: '"DealStatus"', expectedCloseAt: 'timestamptz', closedAt: 'timestamptz',
      lostReason: 'text', stageChangedAt: 'timestamptz', createdAt: 'timestamptz', updatedAt: 'timestamptz',
    },
  },
  tickets: {
    name: 'Ticket',
    columns: {
      id: 'uuid', workspaceId: 'uuid', customerId: 'uuid', subject: 'text', description: 'text', status: '"TicketStatus"',
      priority: '"TicketPriority"', channel: '"Channel"', assigneeId: 'uuid', satisfactionRating: 'int', closedAt: 'timestamptz',
      createdAt: 'timestamptz', updatedAt: 'timestamptz',
    },
  },
  activities: {
    name: 'Activity',
    columns: {
      id: 'uuid', workspaceId: 'uuid', customerId: 'uuid', dealId: 'uuid', ticketId: 'uuid', type: '"ActivityType"', channel: '"Channel"',
      direction: '"Direction"', subject: 'text', body: 'text', actorId: 'uuid', occurredAt: 'timestamptz', createdAt: 'timestamptz',
    },
  },
  surveys: {
    name: 'SurveyResponse',
    columns: {
      id: 'uuid', workspaceId: 'uuid', customerId: 'uuid', ticketId: 'uuid', kind: '"SurveyKind"', score: 'int', comment: 'text',
      respondedAt: 'timestamptz', createdAt: 'timestamptz',
    },
  },
  responses: {
    name: 'CampaignResponse',
    columns: {
      id: 'uuid', workspaceId: 'uuid', campaignId: 'uuid', customerId: 'uuid', kind: '"CampaignResponseKind"', couponCode: 'text',
      occurredAt: 'timestamptz',
    },
  },
  tasks: {
    name: 'Task',
    columns: {
      id: 'uuid', workspaceId: 'uuid', title: 'text', notes: 'text', status: '"TaskStatus"', dueAt: 'timestamptz', completedAt: 'timestamptz',
      assigneeId: 'uuid', customerId: 'uuid', dealId: 'uuid', createdAt: 'timestamptz', updatedAt: 'timestamptz',
    },
  },
};

/** Rows per statement: large enough to amortise the round trip, small enough to keep one statement's memory modest. */
const CHUNK = 5000;

/** A PostgreSQL array literal (`{"a","b \"c\""}`): unnest of a two-dimensional array would flatten it, so each row's
 * array travels as one text value and is cast back per row. */
function arrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`;
}

function toParam(value: Value, type: SqlType): string | number | null {
  if (value === null) return null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return arrayLiteral(value);
  return type === 'text[]' ? arrayLiteral([String(value)]) : value;
}

/** Arrays and enums travel as text and are cast per value: a driver only knows the array types that existed when it
 * connected, and an embedded database migrated in this process got its enum types after that. */
const travelsAsText = (type: SqlType) => type === 'text[]' || type.startsWith('"');

function insertStatement(table: Table<object>): string {
  const entries = Object.entries(table.columns) as [string, SqlType][];
  const columns = entries.map(([column]) => `"${column}"`).join(', ');
  const selected = entries.map(([, type], i) => (travelsAsText(type) ? `u.c${i}::${type}` : `u.c${i}`)).join(', ');
  const arrays = entries.map(([, type], i) => `$${i + 1}::${travelsAsText(type) ? 'text' : type}[]`).join(', ');
  const aliases = entries.map((_, i) => `c${i}`).join(', ');
  return `INSERT INTO "${table.name}" (${columns}) SELECT ${selected} FROM unnest(${arrays}) AS u(${aliases})`;
}

const statements = new Map<string, string>();

async function insertTable<K extends keyof SeedRows>(prisma: PrismaClient, key: K, rows: SeedRows[K]): Promise<void> {
  const table = tables[key] as unknown as Table<Record<string, Value>>;
  const sql = statements.get(key) ?? insertStatement(table);
  statements.set(key, sql);
  const entries = Object.entries(table.columns) as [string, SqlType][];
  for (let start = 0; start < rows.length; start += CHUNK) {
    const chunk = rows.slice(start, start + CHUNK) as unknown as Record<string, Value>[];
    const params = entries.map(([column, type]) => chunk.map((row) => toParam(row[column] ?? null, type)));
    await prisma.$executeRawUnsafe(sql, ...params);
  }
}

/** Writes a batch's rows, parents before children (foreign keys are checked per statement). */
export async function writeRows(prisma: PrismaClient, rows: SeedRows): Promise<void> {
  for (const key of Object.keys(tables) as (keyof SeedRows)[]) {
    if (rows[key].length) await insertTable(prisma, key, rows[key]);
  }
}
