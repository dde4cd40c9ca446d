// `crm client generate`: the schema the gateway serves here — every installed plugin, outside ones included, and with
// `--workspace` that workspace's custom fields and objects — written where the typed client reads it
// (.crm/schema.graphql; packages/client's generate prefers it to the committed schema.graphql, which holds the bundled
// plugins only), then the client's types regenerated from it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadWorkspaceDefinitions, noDefinitions, type WorkspaceDefinitions } from '@crm/core';
import type { Database } from '@crm/db';
import { buildSchema } from '@crm/graph';
import { pluginHostFromEnvironment, PluginHostError } from '@crm/plugin-sdk/host';
import { buildClientSchema, getIntrospectionQuery, type IntrospectionQuery, printSchema } from 'graphql';
import { id, UsageError } from './args.js';
import { type CliCommand, CommandError, type PreparedCommand } from './command.js';
import { installationRoot, isCheckout, log, positionals } from './plugin-support.js';
import { assertWorkspace } from './workspace.js';

/**
 * The composed schema, in-process: the plugins `npm start` would run (CRM_PLUGINS, crm.config.json), with a workspace's
 * custom fields and objects when given (as the gateway serves that workspace).
 */
async function composedSchema(root: string, { fields: customFields, objects: customObjects }: WorkspaceDefinitions): Promise<string> {
  try {
    const { host } = await pluginHostFromEnvironment({ root });
    return printSchema(buildSchema({ objects: host.objects, extend: [host.extendSchema], customFields, customObjects }));
  } catch (error) {
    throw new CommandError(error instanceof PluginHostError ? error.message : `Cannot load the plugins: ${String(error)}`);
  }
}

/** A running gateway's schema, by introspection (with an API key when the gateway wants one). */
async function remoteSchema(url: string, apiKey: string | undefined): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
      body: JSON.stringify({ query: getIntrospectionQuery({ descriptions: true }) }),
    });
  } catch (error) {
    throw new CommandError(`Cannot reach ${url}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const body = (await response.json().catch(() => null)) as { data?: IntrospectionQuery; errors?: { message: string }[] } | null;
  if (!body?.data) {
    throw new CommandError(`${url} answered ${response.status} without a schema: ${body?.errors?.map((e) => e.message).join('; ') ?? 'not GraphQL'}`);
  }
  return printSchema(buildClientSchema(body.data));
}

export const clientGenerate: CliCommand = {
  summary: "writes the gateway's schema (every installed plugin) for the typed client and regenerates its types",
  usage: '[--workspace ID | --url URL [--key API_KEY]] [--out FILE] [--types DIR]',
  help: [
    'Without --url: the schema composed in-process from the installed plugins (as npm start would serve it); with',
    '--workspace, that workspace\'s custom fields and objects too (read from the database). With --url: the schema of',
    'that running gateway (introspection; --key or CRM_API_KEY if it needs a key), which is the key\'s workspace\'s',
    'schema, custom fields included. Writes FILE (default .crm/schema.graphql) and, in a checkout, regenerates',
    'packages/client\'s types from it (into DIR when --types is given, else packages/client/src/generated).',
    'Prints {"file","source","workspace","types","clientTypes"} (clientTypes null outside a checkout).',
  ].join('\n'),
  prepare(argv) {
    const { flags } = positionals(argv, 0, 'no arguments', { url: true, key: true, out: true, types: true, workspace: true });
    const workspaceId = flags.workspace === undefined ? null : id(flags.workspace, 'workspace');
    if (workspaceId && flags.url) throw new UsageError('--workspace reads the database; with --url the key says the workspace (give one or the other)');
    const write = async (definitions: WorkspaceDefinitions) => {
      const root = installationRoot();
      const sdl = flags.url ? await remoteSchema(flags.url, flags.key ?? process.env.CRM_API_KEY) : await composedSchema(root, definitions);
      const file = path.resolve(flags.out ?? path.join(root, '.crm/schema.graphql'));
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, `${sdl}\n`);
      const types = (sdl.match(/^(type|input|enum|interface|union|scalar) /gm) ?? []).length;
      return { file, source: flags.url ?? 'composed', workspace: workspaceId, types, clientTypes: clientTypesFrom(root, file, flags.types) };
    };
    const prepared: PreparedCommand = workspaceId
      ? { migrate: false, run: async (database: Database) => write(await definitionsOf(database, workspaceId)) }
      : { offline: () => write(noDefinitions) };
    return prepared;
  },
};

/** The workspace's live custom fields and objects (a clear error for an unknown workspace). */
async function definitionsOf(database: Database, workspaceId: string): Promise<WorkspaceDefinitions> {
  await assertWorkspace(database, workspaceId);
  return loadWorkspaceDefinitions(database.prisma, workspaceId);
}

/**
 * In a checkout, packages/client's types (gql.tada) regenerated from `schema`: into `dir` when given (the declarations
 * in dist left alone), else into the client's own src/generated (and copied to its dist). Null outside a checkout.
 */
function clientTypesFrom(root: string, schema: string, dir: string | undefined): string | null {
  const client = path.join(root, 'packages/client');
  if (!isCheckout(root) || !fs.existsSync(path.join(client, 'scripts/generate.mjs'))) return null;
  log('regenerating the typed client (gql.tada) from it…');
  const out = dir ? path.resolve(dir) : null;
  const env = { ...process.env, CRM_CLIENT_SCHEMA: schema, ...(out ? { CRM_CLIENT_OUT: out } : {}) };
  execFileSync(process.execPath, ['scripts/generate.mjs'], { cwd: client, env, stdio: ['ignore', process.stderr, process.stderr] });
  if (!out && fs.existsSync(path.join(client, 'dist'))) execFileSync(process.execPath, ['scripts/copy-declarations.mjs'], { cwd: client, stdio: 'ignore' });
  return path.join(out ?? path.join(client, 'src/generated'), 'graphql-env.d.ts');
}
