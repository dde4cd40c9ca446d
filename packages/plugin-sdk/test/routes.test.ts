// definePlugin's `routes` (incoming HTTP): checked like every other option, with the problems' paths.
import { describe, expect, it } from 'vitest';
import { definePlugin } from '../src/index.js';

describe('routes', () => {
  it('accepts kebab-case routes with a handler and a body limit (256 KiB unless given)', () => {
    const plugin = definePlugin({
      id: 'inbound',
      version: '1.0.0',
      routes: { hooks: { handle: async () => ({ status: 202 }) }, 'big-files': { maxBodyBytes: 4 * 1024 * 1024, handle: async () => ({ status: 200 }) } },
    });
    expect(plugin.problems).toEqual([]);
    expect(plugin.routes.map((r) => [r.name, r.maxBodyBytes, r.limitRefusals])).toEqual([
      ['hooks', 256 * 1024, false],
      ['big-files', 4 * 1024 * 1024, false],
    ]);
  });

  it('lists bad names, missing handlers and bad limits with their paths', () => {
    const plugin = definePlugin({
      id: 'broken-routes',
      version: '1.0.0',
      routes: {
        Hooks: { handle: async () => ({ status: 200 }) },
        nohandler: {} as never,
        limits: { maxBodyBytes: -1, handle: async () => ({ status: 200 }) },
        guarded: { limitRefusals: 'yes' as never, handle: async () => ({ status: 200 }) },
      },
    });
    expect(plugin.problems.map((p) => p.path).sort()).toEqual(['routes.Hooks', 'routes.guarded.limitRefusals', 'routes.limits.maxBodyBytes', 'routes.nohandler.handle']);
    expect(plugin.routes).toEqual([]);
  });
});
