// Who reads a plugin's events (`events[type].read`): checked by definePlugin, composed by the host into the core's
// EventReaders (the events query, subscription and webhooks ask it; the gateway tests and
// plugins/workflows/test/event-readers.test.ts attack those). ADMIN when a plugin declares nothing.
import { CORE_ADMIN_EVENTS, coreCatalog, EventReaders, Permissions, type Session } from '@crm/core';
import { describe, expect, it } from 'vitest';
import { definePlugin } from '../src/index.js';
import { createPluginHost } from '../src/host/index.js';

const session = (role: Session['role'], extra: Partial<Session> = {}): Session => ({ workspaceId: 'w', role, actor: 'apikey:k', ...extra });
const permissionsOf = (s: Session) => Permissions.of(s, coreCatalog);

describe('events[type].read', () => {
  it('names one of the plugin’s permissions or a role; anything else is a problem at its path', () => {
    const plugin = definePlugin({
      id: 'readers',
      version: '1.0.0',
      permissions: { audit: { roles: ['ADMIN', 'MEMBER'] } },
      events: {
        'readers.ok': { subject: 'Thing', read: 'audit' },
        'readers.role': { subject: 'Thing', read: 'MEMBER' },
        'readers.unknown': { subject: 'Thing', read: 'nobody' },
      },
    });
    expect(plugin.problems).toEqual([
      { plugin: 'readers', path: 'events["readers.unknown"].read', message: expect.stringContaining("one of the plugin's permissions (audit) or a role") },
    ]);
  });

  it('the host composes the rules: a permission’s holders, a role and above, ADMIN when nothing is declared', () => {
    const plugin = definePlugin({
      id: 'readers',
      version: '1.0.0',
      permissions: { audit: { roles: ['ADMIN', 'MEMBER'] } },
      events: {
        'readers.audited': { subject: 'Thing', read: 'audit' },
        'readers.everyone': { subject: 'Thing', read: 'READ_ONLY' },
        'readers.undeclared': { subject: 'Thing' },
      },
    });
    const readers: EventReaders = createPluginHost([plugin]).eventReaders;
    const sees = (s: Session) => ['readers.audited', 'readers.everyone', 'readers.undeclared', 'customer.created'].filter((type) => readers.reads(permissionsOf(s), type));
    expect(sees(session('ADMIN'))).toEqual(['readers.audited', 'readers.everyone', 'readers.undeclared', 'customer.created']);
    expect(sees(session('MEMBER'))).toEqual(['readers.audited', 'readers.everyone', 'customer.created']);
    expect(sees(session('READ_ONLY'))).toEqual(['readers.everyone', 'customer.created']);
    // Scopes narrow a permission to those they name; a custom role holds what its grants name.
    expect(sees(session('ADMIN', { scopes: ['customers:read'] }))).toEqual(['readers.everyone', 'readers.undeclared', 'customer.created']);
    const custom = { id: 'r', name: 'Auditors', grants: { objects: {}, plugins: ['readers.audit'] } } as unknown as NonNullable<Session['customRole']>;
    expect(sees(session('READ_ONLY', { customRole: custom }))).toEqual(['readers.audited', 'readers.everyone', 'customer.created']);
    // The audit log's SQL filter: the same answer as a list of types, once per key.
    const member = permissionsOf(session('MEMBER'));
    // Core's own ADMIN-only events (API keys, roles, webhooks) are hidden from MEMBER too.
    expect(readers.hiddenTypes(member)).toEqual([...CORE_ADMIN_EVENTS, 'readers.undeclared']);
    expect(readers.hiddenTypes(member)).toBe(readers.hiddenTypes(member));
  });
});
