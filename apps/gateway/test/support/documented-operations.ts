// Every GraphQL operation the project documents (docs/**/*.md) or ships (the dashboard's `graphql(` documents),
// so that limits are calibrated against what they protect.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DefinitionNode, type DocumentNode, type FragmentDefinitionNode, Kind, type OperationDefinitionNode, parse } from 'graphql';

const root = fileURLToPath(new URL('../../../..', import.meta.url));

export interface DocumentedOperation {
  /** Where it is written: file, offset and operation name. */
  source: string;
  /** The operation alone, with every fragment of its file (or, for the dashboard, of the dashboard). */
  document: DocumentNode;
  operation: OperationDefinitionNode;
}

function filesUnder(dir: string, extensions: readonly string[]): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && extensions.some((ext) => entry.name.endsWith(ext)))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

interface Block {
  source: string;
  definitions: readonly DefinitionNode[];
}

function blocksIn(files: readonly string[], pattern: RegExp): Block[] {
  const blocks: Block[] = [];
  for (const file of files) {
    for (const match of fs.readFileSync(file, 'utf8').matchAll(pattern)) {
      try {
        blocks.push({ source: `${path.relative(root, file)}@${match.index}`, definitions: parse(match[1]!).definitions });
      } catch {
        // SDL excerpts and partial snippets are not operations
      }
    }
  }
  return blocks;
}

/** One document per operation; fragments are shared within the group (the dashboard composes them across files). */
function operationsOf(blocks: readonly Block[]): DocumentedOperation[] {
  const fragments = blocks.flatMap((block) => block.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION));
  return blocks.flatMap((block) =>
    block.definitions
      .filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
      .map((operation) => ({
        source: `${block.source} ${operation.name?.value ?? operation.operation}`,
        document: { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] },
        operation,
      })),
  );
}

/** The operations of the docs' ```graphql blocks and of the dashboard's sources. */
export function documentedOperations(): DocumentedOperation[] {
  return [
    ...filesUnder(path.join(root, 'docs'), ['.md']).flatMap((file) => operationsOf(blocksIn([file], /```graphql\n([\s\S]*?)```/g))),
    ...operationsOf(blocksIn(filesUnder(path.join(root, 'apps/dashboard/src'), ['.ts', '.tsx']), /graphql\(`([\s\S]*?)`/g)),
  ];
}
