// The matcher alone: word boundaries, case, Unicode, and names that are not valid regexes as written.
import { describe, expect, it } from 'vitest';
import { competitorMatcher } from '../src/matcher.js';

const match = competitorMatcher([
  { id: 'cpp', name: 'C++', aliases: [] },
  { id: 'acme', name: 'Acme Inc.', aliases: ['ACME'] },
  { id: 'zurich', name: 'Zürich Kaffee', aliases: [] },
  { id: 'box', name: 'BeanBox', aliases: ['Bean Box'] },
  { id: 'dot', name: 'a.b', aliases: [] },
]);
const ids = (text: string) => match(text).map((m) => m.competitorId);

describe('competitorMatcher', () => {
  it('matches names and aliases case-insensitively on word boundaries', () => {
    expect(ids('They compared us with beanbox yesterday')).toEqual(['box']);
    expect(ids('switching to BEAN  BOX soon')).toEqual(['box']);
    expect(ids('The BeanBoxer brand is unrelated')).toEqual([]);
    expect(ids('acme called')).toEqual(['acme']);
    expect(ids('acmeville is a town')).toEqual([]);
  });
  it('escapes names that contain regex characters', () => {
    expect(ids('They use C++ tooling')).toEqual(['cpp']);
    expect(ids('C++, not C')).toEqual(['cpp']);
    expect(ids('C is all they know')).toEqual([]);
    expect(ids('Quote from Acme Inc. today')).toEqual(['acme']);
    expect(match('Quote from Acme Inc. today')[0]!.matched).toBe('Acme Inc.');
    expect(ids('axb is not a.b')).toEqual(['dot']);
    expect(ids('axb only')).toEqual([]);
  });
  it('is Unicode-aware', () => {
    expect(ids('Angebot von ZÜRICH KAFFEE erhalten')).toEqual(['zurich']);
    expect(ids('Zürich Kaffeemaschine')).toEqual([]);
    expect(ids('éBeanBox')).toEqual([]);
  });
});
