// The competitor library's rules: names unique per workspace (case- and spacing-insensitive), http(s) websites,
// aliases trimmed and deduplicated.
import { conflict, fieldChanges, includingTrashed, inputFields, type Models, notFound, parseInput, type PluginCommandScope, type PluginUpdateRule, type Prisma, type ScopedTransaction, z } from '@crm/plugin-sdk';
import type { CompetitorEvent } from './events.js';

const text = (max: number) => z.string().trim().max(max, `At most ${max} characters`);
const name = text(200).min(1, 'Must not be empty');
const website = z
  .string()
  .trim()
  .max(500, 'At most 500 characters')
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.includes('.');
    } catch {
      return false;
    }
  }, 'A web address such as https://example.com');
const aliases = z
  .array(text(200))
  .max(50, 'At most 50 aliases')
  .transform((list) => {
    const seen = new Set<string>();
    return list.filter((alias) => {
      const key = nameKey(alias);
      if (!alias || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  });

export const createCompetitorInput = z.object({
  name,
  website: website.nullish(),
  aliases: aliases.nullish(),
  strengths: text(5000).nullish(),
  weaknesses: text(5000).nullish(),
  /** The workspace's custom fields, by name: checked by `scope.customValues`. */
  customFields: z.unknown().optional(),
});
export const updateCompetitorInput = createCompetitorInput.extend({ name: name.nullish() });

/** What makes two names the same competitor: case and runs of whitespace do not count. */
export function nameKey(value: string): string {
  return value.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('en');
}

/** CONFLICT when another competitor of the workspace already has this name (one in the trash keeps it taken). */
export async function assertNameFree(tx: ScopedTransaction, key: string, exceptId?: string): Promise<void> {
  const other = await tx.competitor.findFirst({
    where: { nameKey: key, ...(exceptId ? { id: { not: exceptId } } : {}), ...includingTrashed },
    select: { name: true, deletedAt: true },
  });
  if (other?.deletedAt) throw conflict(`A competitor named "${other.name}" is in the trash: restore it, or destroy it to reuse the name`, 'name');
  if (other) throw conflict(`A competitor named "${other.name}" already exists`, 'name');
}

type LibraryScope = Pick<CompetitorScope, 'tx' | 'session' | 'emit' | 'customValues'>;
type CompetitorScope = PluginCommandScope<unknown, CompetitorEvent>;
const keep = <T>(value: T | null | undefined) => (value === undefined ? undefined : value || null);

/** Adds a competitor (the `createCompetitor` mutation and the generic writes run this). */
export async function createCompetitor({ tx, session, emit, customValues }: LibraryScope, raw: unknown): Promise<Models.Competitor> {
  const data = parseInput(createCompetitorInput, raw);
  const key = nameKey(data.name);
  await assertNameFree(tx, key);
  const customFields = await customValues('Competitor', data.customFields);
  const competitor = await tx.competitor.create({
    data: {
      workspaceId: session.workspaceId,
      name: data.name,
      nameKey: key,
      website: data.website ?? null,
      aliases: data.aliases ?? [],
      strengths: data.strengths || null,
      weaknesses: data.weaknesses || null,
      customFields: customFields as Prisma.InputJsonObject,
    },
  });
  emit('competitor.created', { type: 'Competitor', id: competitor.id }, { name: competitor.name });
  return competitor;
}

/** An update as the writer's rule takes it (bulk writes, a workflow's to-many update): the patch with the record's id. */
const competitorPatch = updateCompetitorInput.extend({ id: inputFields.id, expectedUpdatedAt: inputFields.expectedUpdatedAt });
type CompetitorPatch = z.output<typeof competitorPatch>;

/**
 * What updating a competitor does to it, for one (`updateCompetitor`) or many (the writer's `updateRule`): fields left
 * out stay, null clears an optional one; `competitor.updated` with its changes. The name's uniqueness needs the
 * database: `updateCompetitor` checks it first (CONFLICT naming the other); a batch leaves it to the unique index, and
 * is then run again competitor by competitor through `updateCompetitor`.
 */
export const competitorUpdate = {
  schema: competitorPatch,
  change(data: CompetitorPatch, _before: Models.Competitor, customFields: Record<string, unknown> | undefined): Prisma.CompetitorUncheckedUpdateInput {
    return {
      ...(data.name ? { name: data.name, nameKey: nameKey(data.name) } : {}),
      website: keep(data.website),
      ...(data.aliases !== undefined ? { aliases: data.aliases ?? [] } : {}),
      strengths: keep(data.strengths),
      weaknesses: keep(data.weaknesses),
      customFields: customFields as Prisma.InputJsonObject | undefined,
    };
  },
  announce({ emit }: Pick<LibraryScope, 'emit'>, before: Models.Competitor, competitor: Models.Competitor) {
    const changes = fieldChanges(before, competitor, ['name', 'website', 'aliases', 'strengths', 'weaknesses', 'customFields']);
    if (changes.changed.length) emit('competitor.updated', { type: 'Competitor', id: competitor.id }, changes);
  },
} satisfies PluginUpdateRule<unknown, CompetitorEvent>;

/** Changes a competitor ({@link competitorUpdate}). */
export async function updateCompetitor(scope: LibraryScope, id: string, raw: unknown): Promise<Models.Competitor> {
  const { tx, customValues } = scope;
  const data = parseInput(updateCompetitorInput, raw);
  const before = await tx.competitor.findUnique({ where: { id } });
  if (!before) throw notFound('Competitor', 'id');
  if (data.name) await assertNameFree(tx, nameKey(data.name), id);
  const customFields = await customValues('Competitor', data.customFields, before);
  const competitor = await tx.competitor.update({ where: { id }, data: competitorUpdate.change({ ...data, id }, before, customFields) });
  competitorUpdate.announce(scope, before, competitor);
  return competitor;
}
