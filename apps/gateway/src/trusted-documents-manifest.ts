import fs from 'node:fs';
import path from 'node:path';
import { type DocumentNode, type FragmentDefinitionNode, Kind, parse, visit } from 'graphql';
import { documentId, normalizeDocument, type TrustedDocumentsManifest } from './trusted-documents.js';

/** `graphql(`…`)` calls (gql.tada, @crm/client): their template holds a whole document or a fragment. */
const GRAPHQL_CALL = /\bgraphql\(\s*`([^`]*)`/g;

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(full));
    else if (/\.(ts|tsx)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) files.push(full);
  }
  return files;
}

function spreadsOf(node: DocumentNode | FragmentDefinitionNode): string[] {
  const names: string[] = [];
  visit(node, { FragmentSpread: (spread) => void names.push(spread.name.value) });
  return names;
}

/**
 * The trusted documents of a client's sources: every operation written in a `graphql(`…`)` call under `dirs`, with
 * the fragments it uses (found by name anywhere in those sources), normalized as the gateway checks them. The
 * dashboard's: `npm run crm -- documents manifest --out trusted-documents.json`.
 */
export function manifestFromSources(dirs: readonly string[]): TrustedDocumentsManifest {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: DocumentNode[] = [];
  for (const file of dirs.flatMap(sourceFiles)) {
    for (const match of fs.readFileSync(file, 'utf8').matchAll(GRAPHQL_CALL)) {
      let document: DocumentNode;
      try {
        document = parse(match[1]!);
      } catch (error) {
        throw new Error(`${file}: a graphql() document does not parse: ${(error as Error).message}`);
      }
      for (const definition of document.definitions) {
        if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
      }
      if (document.definitions.some((definition) => definition.kind === Kind.OPERATION_DEFINITION)) operations.push(document);
    }
  }
  const manifest: TrustedDocumentsManifest = {};
  for (const operation of operations) {
    const own = new Set(operation.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [d.name.value] : [])));
    const needed = new Map<string, FragmentDefinitionNode>();
    const pending = spreadsOf(operation).filter((name) => !own.has(name));
    while (pending.length) {
      const name = pending.pop()!;
      if (needed.has(name) || own.has(name)) continue;
      const fragment = fragments.get(name);
      if (!fragment) throw new Error(`Fragment ${name} is used but defined in no graphql() call under ${dirs.join(', ')}`);
      needed.set(name, fragment);
      pending.push(...spreadsOf(fragment));
    }
    const normalized = normalizeDocument({ ...operation, definitions: [...operation.definitions, ...needed.values()] });
    manifest[documentId(normalized)] = normalized;
  }
  return manifest;
}
