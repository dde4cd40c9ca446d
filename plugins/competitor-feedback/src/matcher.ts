// Finding competitors in free text: every name and alias, case-insensitive, on Unicode word boundaries. Names are
// escaped, so "C++" or "Acme Inc." match literally; the boundaries are lookarounds (not \b, which is ASCII-only
// and never matches after a "+" or a ".").

export interface NamedCompetitor {
  id: string;
  name: string;
  aliases: readonly string[];
}

export interface Match {
  competitorId: string;
  /** The text as it appeared. */
  matched: string;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
// Whitespace inside a name matches any run of whitespace ("Acme  Inc." in an email still names "Acme Inc.").
const pattern = (term: string) => escape(term.trim()).replace(/\s+/g, '\\s+');

/** One regex per competitor, longest terms first so "Acme Inc." wins over "Acme" in the reported text. */
export function competitorMatcher(competitors: readonly NamedCompetitor[]): (text: string) => Match[] {
  const matchers = competitors.map((c) => {
    const terms = [...new Set([c.name, ...c.aliases].map((t) => t.trim()).filter(Boolean))].sort((a, b) => b.length - a.length);
    return { id: c.id, regex: new RegExp(`(?<![\\p{L}\\p{N}_])(?:${terms.map(pattern).join('|')})(?![\\p{L}\\p{N}_])`, 'iu') };
  });
  return (text) => {
    const found: Match[] = [];
    for (const m of matchers) {
      const hit = m.regex.exec(text);
      if (hit) found.push({ competitorId: m.id, matched: hit[0] });
    }
    return found;
  };
}
