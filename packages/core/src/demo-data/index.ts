import type { PrismaClient } from '@crm/db';
import { writeRows } from './bulk-insert.js';
import { buildCatalog } from './catalog.js';
import { buildCompany } from './companies.js';
import { addCustomer } from './customers.js';
import { buildCampaigns } from './marketing.js';
import { buildTeam } from './people.js';
import { Random } from './random.js';
import { emptyRows, type SeedRows } from './rows.js';
import { DAY, money, type SeedWorld, WEEK } from './world.js';

export { demoAffinityGroups } from './catalog.js';

export interface SeedOptions {
  /** How many customers to add. */
  customers: number;
  /** Same seed (and `asOf`), same data. @default 1 */
  seed?: number;
  /** The "today" of the generated history, which covers the two years up to it. @default the start of the current UTC day */
  asOf?: Date;
  /** Customers generated and written per batch. @default 1000 */
  batchSize?: number;
  /** Called after each batch is written. */
  onProgress?: (progress: { customersWritten: number; customers: number }) => void;
}

/** Rows written, per kind. */
export type SeedSummary = { [K in keyof SeedRows | 'users' | 'companies' | 'products' | 'campaigns']: number };

/**
 * Fills a workspace with a realistic synthetic CRM: a team, companies, a 60-product catalog with co-purchase
 * affinities, customers across the lifecycle (with its history) whose purchases follow the BG/NBD and Gamma-Gamma
 * models, interactions on every channel, deals in every stage of the default pipeline, tickets with CSAT, NPS
 * answers, campaigns with responses, and tasks. A bulk loader, not an API command: it writes rows directly (no
 * events), in batches, and keeps each customer's purchase figures equal to the sums of their orders. It can run
 * again on the same workspace: new customers are numbered after the existing demo ones and the catalog is reused.
 */
export async function seedWorkspace(prisma: PrismaClient, workspaceId: string, options: SeedOptions): Promise<SeedSummary> {
  if (!Number.isInteger(options.customers) || options.customers < 0) throw new RangeError('customers must be a whole number ≥ 0');
  const seed = options.seed ?? 1;
  const random = new Random(seed);
  const asOf = options.asOf?.getTime() ?? Math.floor(Date.now() / DAY) * DAY;
  const { world, summary } = await createWorld(prisma, random, workspaceId, seed, asOf, options.customers);
  // Personas on a golden-ratio sequence: every share of prospects, leads and buyers holds even for 50 customers.
  const personaStart = random.next();
  const batchSize = Math.max(1, options.batchSize ?? 1000);
  let writing: Promise<void> = Promise.resolve();
  for (let start = 0; start < options.customers; start += batchSize) {
    const rows = emptyRows();
    for (let i = start; i < Math.min(options.customers, start + batchSize); i++) {
      addCustomer(random, world, (personaStart + i * 0.6180339887498949) % 1, world.firstNumber + i, rows);
    }
    // Generate the next batch while the database writes this one.
    await writing;
    writing = writeRows(prisma, rows).then(() => {
      for (const key of Object.keys(rows) as (keyof SeedRows)[]) summary[key] += rows[key].length;
      options.onProgress?.({ customersWritten: summary.customers, customers: options.customers });
    });
    writing.catch(() => {}); // awaited on the next turn; this only keeps Node from calling it unhandled meanwhile
  }
  await writing;
  // Fresh statistics: a planner that still believes the workspace has 30 customers runs the list query's joins
  // for all of them before sorting (1.5 s instead of 40 ms on 10,000 customers).
  await prisma.$executeRawUnsafe(
    'ANALYZE "User", "Company", "Product", "Campaign", "Customer", "LifecycleChange", "Order", "OrderLine", "Activity", "Deal", "Ticket", "SurveyResponse", "CampaignResponse", "Task"',
  );
  return summary;
}

function hashString(value: string): number {
  let hash = 2166136261;
  for (let i = 0; i < value.length; i++) hash = Math.imul(hash ^ value.charCodeAt(i), 16777619);
  return hash >>> 0;
}

/** The highest number of an earlier demo customer (`DEMO-<n>`), so a second seed continues after it. */
async function nextDemoNumber(prisma: PrismaClient, workspaceId: string): Promise<number> {
  const [row] = await prisma.$queryRawUnsafe<{ next: number }[]>(
    `SELECT COALESCE(max(substring("externalRef" from 6)::int) + 1, 0)::int AS next
       FROM "Customer" WHERE "workspaceId" = $1::uuid AND "externalRef" ~ '^DEMO-[0-9]{1,9}$'`,
    workspaceId,
  );
  return row?.next ?? 0;
}

async function createWorld(prisma: PrismaClient, random: Random, workspaceId: string, seed: number, asOf: number, customers: number) {
  const pipeline = await prisma.pipeline.findFirst({ where: { workspaceId, isDefault: true }, include: { stages: { orderBy: { position: 'asc' } } } });
  if (!pipeline) throw new Error(`Workspace ${workspaceId} has no default pipeline (create workspaces with createWorkspace())`);
  const firstNumber = await nextDemoNumber(prisma, workspaceId);
  const ids = new Random(hashString(`${workspaceId}/${seed}/${firstNumber}`));
  const teamSince = asOf - 110 * WEEK;
  const summary: SeedSummary = {
    users: 0, companies: 0, products: 0, campaigns: 0,
    customers: 0, stageChanges: 0, orders: 0, lines: 0, deals: 0, tickets: 0, activities: 0, surveys: 0, responses: 0, tasks: 0,
  };

  // The team: created on a workspace without one, reused otherwise.
  let userIds = (await prisma.user.findMany({ where: { workspaceId, active: true }, select: { id: true }, orderBy: { createdAt: 'asc' }, take: 20 })).map((u) => u.id);
  if (!userIds.length) {
    const team = buildTeam(random, 8, firstNumber).map((member) => ({ ...member, id: ids.uuid7(teamSince), workspaceId, createdAt: new Date(teamSince) }));
    summary.users = (await prisma.user.createMany({ data: team })).count;
    userIds = team.map((u) => u.id);
  }

  const companies = Array.from({ length: Math.max(5, Math.ceil(customers / 8)) }, (_, i) => {
    const at = teamSince + random.next() * (asOf - teamSince);
    const company = buildCompany(random, firstNumber + i);
    return { ...company, id: ids.uuid7(at), workspaceId, annualWallet: money(company.annualWallet), ownerId: random.pick(userIds), createdAt: new Date(at), updatedAt: new Date(at) };
  });
  summary.companies = (await prisma.company.createMany({ data: companies })).count;

  // The catalog: SKUs the workspace already has keep their row, price and cost.
  const catalog = buildCatalog(random);
  summary.products = (
    await prisma.product.createMany({
      data: catalog.map((p) => ({
        id: ids.uuid7(teamSince), workspaceId, sku: p.sku, name: p.name, category: p.category, unitPrice: money(p.price),
        unitCost: p.cost === null ? null : money(p.cost), createdAt: new Date(teamSince),
      })),
      skipDuplicates: true,
    })
  ).count;
  const stored = new Map(
    (await prisma.product.findMany({ where: { workspaceId, sku: { in: catalog.map((p) => p.sku) } } })).map((p) => [p.sku, p]),
  );
  const toCents = (value: { mul(n: number): { toNumber(): number } }) => Math.round(value.mul(100).toNumber());
  const products = catalog.map((p) => {
    const row = stored.get(p.sku)!;
    return { ...p, id: row.id, price: toCents(row.unitPrice), cost: row.unitCost === null ? null : toCents(row.unitCost) };
  });

  const campaigns = buildCampaigns(random, asOf).map((c) => ({ ...c, id: ids.uuid7(c.startsAt) }));
  summary.campaigns = (
    await prisma.campaign.createMany({
      data: campaigns.map((c) => ({
        id: c.id, workspaceId, name: c.name, channel: c.channel, startsAt: new Date(c.startsAt), endsAt: new Date(c.endsAt), cost: money(c.cost),
        createdAt: new Date(c.startsAt - WEEK), updatedAt: new Date(c.startsAt - WEEK),
      })),
    })
  ).count;

  const world: SeedWorld = {
    workspaceId, ids, asOf, firstNumber, userIds,
    companies: companies.map((c) => ({ id: c.id, size: c.size })),
    catalog: products,
    pipelineId: pipeline.id,
    stages: pipeline.stages.map((s) => ({ id: s.id, name: s.name, position: s.position, isWon: s.isWon, isLost: s.isLost })),
    campaigns: campaigns.map((c) => ({ id: c.id, name: c.name, startsAt: c.startsAt, endsAt: c.endsAt })),
    dealsMade: 0,
  };
  return { world, summary };
}
