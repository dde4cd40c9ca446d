// `personalData.eraseLast` (docs/plugins/api-reference.md): optional; a plugin that gives it has it called by the core
// as its erasure's last phase (the host's extension carries it), one that does not has none; a value that is not a
// function is a problem naming `personalData`, as for the other handlers.
import { describe, expect, it } from 'vitest';
import { definePlugin } from '../src/index.js';
import { personalDataExtensionsFor } from '../src/host/personal-data.js';

const handlers = { merge: async () => ({}), export: async () => ({}), erase: async () => {} };
const plugin = (personalData: object) => definePlugin({ id: 'keeper', version: '1.0.0', personalData: personalData as never });

describe('personalData.eraseLast', () => {
  it('is optional, and reaches the core as the extension’s last phase when given', () => {
    expect(plugin(handlers).problems).toEqual([]);
    expect(personalDataExtensionsFor([plugin(handlers)])[0]!.eraseLast).toBeUndefined();
    const withLast = plugin({ ...handlers, eraseLast: async () => {} });
    expect(withLast.problems).toEqual([]);
    expect(typeof personalDataExtensionsFor([withLast])[0]!.eraseLast).toBe('function');
  });

  it('is a problem naming personalData when it is not a function', () => {
    expect(plugin({ ...handlers, eraseLast: 'later' }).problems).toEqual([
      expect.objectContaining({ plugin: 'keeper', path: 'personalData', message: expect.stringContaining('eraseLast') }),
    ]);
  });
});
