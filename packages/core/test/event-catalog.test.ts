// The core event catalog (`coreEventSubjects`: each event type's subject object, which publishing a workflow checks
// triggers and waits against) is tied to what core emits: every `emit(...)` in core's source is read, and each event
// type it names must be in the catalog with the subject the emit gives it; each listed type must be emitted somewhere
// in core; trash events' subjects are the trash objects' own type names. A wrong or forgotten subject fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coreEventSubjects } from '../src/event-catalog.js';
import { manualMembershipChange } from '../src/services/segments/static-members.js';
import { trashObjectOf } from '../src/services/trash/objects.js';
import { trashObjectNames } from '../src/services/trash/trash-events.js';

const SRC = join(import.meta.dirname, '../src');
const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [join(dir, entry.name)] : [],
  );

interface EmitSite {
  file: string;
  types: string[];
  subject: string | null;
}

/** Every `emit(<type>, { type: <subject>, … }` call: the event types named in its first argument, its subject's name. */
function emitSites(): EmitSite[] {
  const sites: EmitSite[] = [];
  for (const path of sources(SRC)) {
    const text = readFileSync(path, 'utf8');
    // A scope that passes an emit on unchanged (`x.emit(type, subject, payload)`, e.g. segment membership's actor and
    // chain) names no event itself: the call it forwards is the one checked.
    const calls = text.split('\n').filter((line) => !/^\s*(\/\/|\*)/.test(line) && line.includes('.emit(') && !/\.emit\(type, subject, payload\)/.test(line)).length;
    const found = [...text.matchAll(/\.emit\(\s*([^;]*?),\s*\{\s*type:\s*([^,]+?)\s*,/g)];
    // Every call is read: one the pattern misses would go unchecked.
    expect(found.length, relative(SRC, path)).toBe(calls);
    for (const match of found) {
      const literal = /^'(\w+)'$/.exec(match[2]!);
      sites.push({ file: relative(SRC, path), types: [...match[1]!.matchAll(/'([a-z_-]+\.[a-z_]+)'/g)].map((m) => m[1]!), subject: literal ? literal[1]! : null });
    }
  }
  return sites;
}

describe('coreEventSubjects', () => {
  const sites = emitSites();
  const trashTypes = new Set(trashObjectNames.flatMap((name) => ['trashed', 'restored', 'destroyed'].map((action) => `${name}.${action}`)));

  it('names, for every event type core emits with a literal subject, that subject', () => {
    const literal = sites.filter((s) => s.types.length && s.subject);
    expect(literal.length).toBeGreaterThan(50);
    const wrong = literal.flatMap(({ file, types, subject }) =>
      types.filter((type) => !coreEventSubjects.has(type) || (coreEventSubjects.get(type) !== null && coreEventSubjects.get(type) !== subject)).map((type) => `${file}: ${type} about ${subject} (catalog: ${coreEventSubjects.get(type)})`),
    );
    expect(wrong).toEqual([]);
    // A type listed with no single subject (null) is emitted about more than one kind.
    for (const [type, subject] of coreEventSubjects) {
      if (subject !== null || trashTypes.has(type)) continue;
      expect(new Set(literal.filter((s) => s.types.includes(type)).map((s) => s.subject)).size, type).toBeGreaterThan(1);
    }
  });

  it('lists only types core emits: each listed type has an emit in core (trash events: the trash’s own)', () => {
    const emitted = new Set(sites.flatMap((s) => s.types));
    const never = [...coreEventSubjects.keys()].filter((type) => !trashTypes.has(type) && !emitted.has(type));
    expect(never).toEqual([]);
  });

  it('gives trash events the subject the trash emits them with (its objects’ type names)', () => {
    for (const name of trashObjectNames) {
      for (const action of ['trashed', 'restored', 'destroyed']) expect(coreEventSubjects.get(`${name}.${action}`), `${name}.${action}`).toBe(trashObjectOf(name).typename);
    }
  });

  it('knows every emit whose type or subject is not written out (re-emitted, trash, custom objects’ record events)', () => {
    // A new emit of a computed type or subject is not checked above: it must be added here, with a check of its own.
    const computed = [...new Set(sites.filter((s) => !s.types.length || !s.subject).map((s) => s.file))].sort();
    expect(computed).toEqual([
      'custom-objects/record-commands.ts',
      'custom-objects/record-retention.ts',
      'services/bulk/row-runner.ts',
      'services/segments/static-members.ts',
      'services/trash/trash.ts',
    ]);
  });

  it('gives a membership set by hand only Customer events of the catalog (static-members emits manualMembershipChange’s event)', () => {
    const flags = [false, true];
    const events = new Set(flags.flatMap((member) => flags.flatMap((stored) => flags.map((trashed) => manualMembershipChange(member, stored, trashed).event))));
    events.delete(null);
    expect([...events].sort()).toEqual(['segment.entered', 'segment.left']);
    for (const type of events) expect(coreEventSubjects.get(type!), type!).toBe('Customer');
  });
});
