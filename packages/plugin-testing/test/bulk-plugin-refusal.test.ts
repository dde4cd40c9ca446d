// A plugin's refused statement or write (PluginSqlError, PLUGIN_FAILED) in a bulk call is the plugin's bug, not a
// row's fault: the whole call fails with PLUGIN_FAILED naming the plugin, and nothing of it is written, where a row's
// own fault would be answered for that row (a bulk call) or skipped while the others are kept (an import). Through the
// stamps fixture: its notes' writer (`createStampNotes`, `importRecords(object: STAMP_NOTE)`), and its
// customer.created hook (`createCustomers`). On both databases the kit runs (a `rows.writeAtCommit` rides with the
// COMMIT on PostgreSQL and is written at once on PGlite).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PluginTestGateway, startPluginTestGateway } from '../src/index.js';
import { stamps } from './fixtures/stamps/src/index.js';

const SETTINGS = `mutation ($settings: JSON!) { updatePluginSettings(input: { pluginId: "stamps", settings: $settings }) { plugin { id } } }`;
const CREATE_NOTES = `mutation ($inputs: [StampNoteInput!]!) { createStampNotes(inputs: $inputs) { count } }`;
const IMPORT_NOTES = `mutation ($file: Upload!) { importRecords(object: STAMP_NOTE, file: $file) { created refused errors { line field message } } }`;
const CREATE_CUSTOMERS = `mutation ($inputs: [CustomerInput!]!) { createCustomers(inputs: $inputs) { count } }`;

describe.each(['pglite', 'postgres'] as const)('a plugin’s refused write fails the whole bulk call (%s)', (database) => {
  let kit: PluginTestGateway;
  beforeAll(async () => {
    kit = await startPluginTestGateway({ plugins: [stamps], database });
  });
  afterAll(async () => {
    await kit?.close();
  });

  const admin = () => kit.workspace.client;
  const notes = async () =>
    (await kit.database.sql.query<{ text: string }>(`SELECT text FROM "StampNote" WHERE "workspaceId" = $1::uuid ORDER BY text`, [kit.workspace.workspaceId])).map(
      (row) => row.text,
    );
  const refusedWrite = { message: expect.stringMatching(/^rows\.write after rows\.writeAtCommit/), extensions: { code: 'PLUGIN_FAILED', plugin: 'stamps' } };

  it('createStampNotes: a note its writer refuses fails the call, the notes around it are not written', async () => {
    await admin().query(SETTINGS, { settings: { refusedNoteText: 'late' } });
    expect(await admin().query(CREATE_NOTES, { inputs: [{ text: 'kept' }] })).toEqual({ createStampNotes: { count: 1 } });

    const result = await admin().request(CREATE_NOTES, { inputs: [{ text: 'first' }, { text: 'late' }, { text: 'third' }] });
    expect(result.data ?? null).toBeNull();
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]).toMatchObject(refusedWrite);
    expect(await notes()).toEqual(['kept']);
  });

  it('importRecords: a line the writer refuses fails the whole import, none of its good lines kept', async () => {
    const result = await admin().upload(IMPORT_NOTES, { file: null }, 'text\nfirst\nlate\nthird\n');
    expect(result.data?.importRecords ?? null).toBeNull();
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]).toMatchObject(refusedWrite);
    expect(await notes()).toEqual(['kept']);
    await admin().query(SETTINGS, { settings: { refusedNoteText: null } });
  });

  it('a bug in the notes’ writer (a TypeError) fails the bulk call and the import as PLUGIN_FAILED naming the writer, not INTERNAL_SERVER_ERROR', async () => {
    await admin().query(SETTINGS, { settings: { brokenNoteText: 'buggy' } });
    const bug = {
      message: 'The stamps plugin failed in writer create of StampNote; nothing was changed',
      extensions: { code: 'PLUGIN_FAILED', plugin: 'stamps', handler: 'writer create of StampNote' },
    };
    const created = await admin().request(CREATE_NOTES, { inputs: [{ text: 'first' }, { text: 'buggy' }, { text: 'third' }] });
    expect(created.data ?? null).toBeNull();
    expect(created.errors).toEqual([expect.objectContaining(bug)]);
    const imported = await admin().upload(IMPORT_NOTES, { file: null }, 'text\nfirst\nbuggy\nthird\n');
    expect(imported.data?.importRecords ?? null).toBeNull();
    expect(imported.errors).toEqual([expect.objectContaining(bug)]);
    // The bug's own text is not shown to the client (it is logged with the error's cause).
    expect(JSON.stringify([created.errors, imported.errors])).not.toContain('on purpose');
    expect(await notes()).toEqual(['kept']);
    await admin().query(SETTINGS, { settings: { brokenNoteText: null } });
  });

  it('createCustomers: a hook’s refused statement fails the call naming the plugin and the hook; no customer written', async () => {
    await admin().query(SETTINGS, { settings: { refusedHookStatement: true } });
    const customers = await kit.database.prisma.customer.count({ where: { workspaceId: kit.workspace.workspaceId } });
    const result = await admin().request(CREATE_CUSTOMERS, { inputs: [{ name: 'Bulk One' }, { name: 'Bulk Two' }] });
    expect(result.data ?? null).toBeNull();
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]).toMatchObject({
      message: expect.stringMatching(/^sql: a plugin statement is one SELECT/),
      extensions: { code: 'PLUGIN_FAILED', plugin: 'stamps', handler: 'hook refusedStatement on customer.created' },
    });
    expect(await kit.database.prisma.customer.count({ where: { workspaceId: kit.workspace.workspaceId } })).toBe(customers);
    await admin().query(SETTINGS, { settings: { refusedHookStatement: false } });
  });
});
