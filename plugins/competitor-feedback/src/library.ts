// The competitor library's rules: names unique per workspace (case- and spacing-insensitive), http(s) websites,
// aliases trimmed and deduplicated.
import { conflict, type ScopedTransaction, z } from '@crm/plugin-sdk';

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
});
export const updateCompetitorInput = createCompetitorInput.extend({ name: name.nullish() });

/** What makes two names the same competitor: case and runs of whitespace do not count. */
export function nameKey(value: string): string {
  return value.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('en');
}

/** CONFLICT when another competitor of the workspace already has this name. */
export async function assertNameFree(tx: ScopedTransaction, key: string, exceptId?: string): Promise<void> {
  const other = await tx.competitor.findFirst({ where: { nameKey: key, ...(exceptId ? { id: { not: exceptId } } : {}) }, select: { name: true } });
  if (other) throw conflict(`A competitor named "${other.name}" already exists`, 'name');
}
