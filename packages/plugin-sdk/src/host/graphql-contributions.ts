// What each plugin adds to the GraphQL schema (its types, and its fields on types it did not add), found by building
// it on top of the core and the plugins it requires and comparing. Used to report every clash between plugins, not
// only the first, and to switch a plugin's fields off per workspace.
import { type Builder, buildSchema } from '@crm/graph';
import { type GraphQLSchema, isInputObjectType, isInterfaceType, isObjectType } from 'graphql';
import type { Plugin, PluginProblem } from '../plugin.js';

export interface GraphqlContribution {
  plugin: string;
  /** Types the plugin adds. */
  types: ReadonlySet<string>;
  /** `Type.field` coordinates it adds to types it did not add (core types, root types, other plugins' types). */
  fields: ReadonlySet<string>;
}

function coordinates(schema: GraphQLSchema) {
  const types = new Set<string>();
  const fields = new Set<string>();
  for (const [name, type] of Object.entries(schema.getTypeMap())) {
    if (name.startsWith('__')) continue;
    types.add(name);
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) for (const field of Object.keys(type.getFields())) fields.add(`${name}.${field}`);
  }
  return { types, fields };
}

let coreCoordinates: ReturnType<typeof coordinates> | null = null;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Each plugin's contribution; every clash is a problem: with the core or a plugin it requires (the build fails), and
 * between plugins (a type or field two of them add; each pair reported, naming both). `plugins` is in dependency order.
 */
export function graphqlContributions(plugins: readonly Plugin[], problems: PluginProblem[]): GraphqlContribution[] {
  const byId = new Map(plugins.map((p) => [p.id, p]));
  const requirementsOf = (plugin: Plugin, seen = new Set<string>()): Plugin[] =>
    plugin.requires.plugins.flatMap((id) => {
      const required = byId.get(id);
      if (!required || seen.has(id)) return [];
      seen.add(id);
      return [...requirementsOf(required, seen), required];
    });
  const registersOf = (list: readonly Plugin[]) => list.flatMap((p) => (p.registerGraphql ? [p.registerGraphql] : [])) as ((b: Builder) => void)[];
  const objectsOf = (list: readonly Plugin[]) => list.flatMap((p) => p.objects);

  // The schema under each set of requirements, built once (most plugins stand on the core alone, built once per process).
  const bases = new Map<string, ReturnType<typeof coordinates> | null>([['', (coreCoordinates ??= coordinates(buildSchema()))]]);
  const baseOf = (required: readonly Plugin[]) => {
    const key = required.map((p) => p.id).join(',');
    if (!bases.has(key)) {
      try {
        bases.set(key, coordinates(buildSchema({ objects: objectsOf(required), extend: registersOf(required) })));
      } catch {
        bases.set(key, null); // a required plugin's own problem, reported for it
      }
    }
    return bases.get(key)!;
  };

  const contributions: GraphqlContribution[] = [];
  for (const plugin of plugins) {
    if (!plugin.registerGraphql && !plugin.objects.length) continue;
    const required = requirementsOf(plugin);
    const base = registersOf(required);
    const before = baseOf(required);
    if (!before) continue;
    let after: ReturnType<typeof coordinates>;
    try {
      after = coordinates(buildSchema({ objects: objectsOf([...required, plugin]), extend: [...base, ...registersOf([plugin])] }));
    } catch (error) {
      problems.push({ plugin: plugin.id, path: 'graphql', message: messageOf(error) });
      continue;
    }
    const types = new Set([...after.types].filter((t) => !before.types.has(t)));
    const fields = new Set([...after.fields].filter((f) => !before.fields.has(f) && !types.has(f.slice(0, f.indexOf('.')))));
    contributions.push({ plugin: plugin.id, types, fields });
  }

  // Between plugins: every type and field that two of them add.
  for (let i = 0; i < contributions.length; i++) {
    for (let j = i + 1; j < contributions.length; j++) {
      const [first, second] = [contributions[i]!, contributions[j]!];
      for (const type of second.types) if (first.types.has(type)) problems.push({ plugin: second.plugin, path: 'graphql', message: `type ${type} is also added by plugin "${first.plugin}"` });
      for (const field of second.fields) if (first.fields.has(field)) problems.push({ plugin: second.plugin, path: 'graphql', message: `field ${field} is also added by plugin "${first.plugin}"` });
    }
  }
  return contributions;
}

/** Builds all of them together: what the pairwise comparison cannot see (a plugin's code that fails only in company). */
export function checkGraphqlTogether(plugins: readonly Plugin[], problems: PluginProblem[]) {
  try {
    buildSchema({ objects: plugins.flatMap((p) => p.objects), extend: plugins.flatMap((p) => (p.registerGraphql ? [p.registerGraphql] : [])) });
  } catch (error) {
    problems.push({ plugin: plugins.map((p) => p.id).join(', '), path: 'graphql', message: messageOf(error) });
  }
}
