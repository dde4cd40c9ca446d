// `rows.renameKeys` builds one UPDATE of the plugin's own model in the workspace: a model or column not the plugin's
// own, or paths inside one another, are refused before anything is sent (a PluginSqlError, PLUGIN_FAILED). The rename
// it makes and its workspace scope are exercised end to end by the workflows plugin (rename-trigger-reads.test.ts).
import { describe, expect, it } from 'vitest';
import { buildKeyRename } from '../src/own-key-renames.js';
import { PluginSqlError } from '../src/plugin-sql.js';

const own = new Map([['Run', { table: 'Run', columns: new Set(['id', 'workspaceId', 'status', 'trigger']) }]]);
const rename = { update: 'Run', column: 'trigger', at: [['record']], renames: new Map([['plan', 'package']]) };
const workspace = '00000000-0000-0000-0000-000000000001';

describe('rows.renameKeys', () => {
  it('refuses what is not the plugin’s own and paths inside one another', () => {
    expect(() => buildKeyRename({ ...rename, update: 'Customer' }, workspace, own)).toThrow(PluginSqlError);
    expect(() => buildKeyRename({ ...rename, column: 'secret' }, workspace, own)).toThrow(/has no column "secret"/);
    expect(() => buildKeyRename({ ...rename, where: { owner: ['x'] } }, workspace, own)).toThrow(/has no column "owner"/);
    expect(() => buildKeyRename({ ...rename, at: [['record'], ['record', 'customer']] }, workspace, own)).toThrow(/none inside another/);
    expect(() => buildKeyRename({ ...rename, at: [] }, workspace, own)).toThrow(/none empty/);
  });

  it('is one statement in the workspace, the values as parameters', () => {
    const { text, params } = buildKeyRename({ ...rename, where: { status: ['RUNNING'] } }, workspace, own);
    expect(text.match(/UPDATE/g)).toHaveLength(1);
    expect(text).toContain('t."workspaceId" = $1::uuid');
    expect(text).not.toContain('plan');
    expect(params[0]).toBe(workspace);
    expect(params).toContainEqual(JSON.stringify({ plan: 'package' }));
  });
});
