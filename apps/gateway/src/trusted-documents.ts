import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { type DefinitionNode, type DocumentNode, GraphQLError, Kind, parse, print, visit } from 'graphql';
import type { ApiKeyVerifier } from '@crm/core';
import type { Plugin } from 'graphql-yoga';
import { bearerToken } from './authenticate.js';
import type { WorkspaceTrustedDocuments } from './trusted-documents-workspace.js';

/** A trusted documents manifest: id (the SHA-256 of the normalized document, hex) → document text. */
export type TrustedDocumentsManifest = Record<string, string>;

/**
 * One text per document whatever its formatting and fragment order: operations in their order, then fragments
 * sorted by name, each printed by graphql-js. Clients compose fragments in different orders (gql.tada appends them);
 * the same document must get the same id.
 */
export function normalizeDocument(document: DocumentNode): string {
  const operations: DefinitionNode[] = [];
  const fragments: DefinitionNode[] = [];
  for (const definition of document.definitions) (definition.kind === Kind.FRAGMENT_DEFINITION ? fragments : operations).push(definition);
  fragments.sort((a, b) => ((a as { name: { value: string } }).name.value < (b as { name: { value: string } }).name.value ? -1 : 1));
  return [...operations, ...fragments].map((definition) => print(definition)).join('\n\n');
}

export function documentId(normalized: string): string {
  return createHash('sha256').update(normalized).digest('hex');
}

/**
 * The document without the `__typename` fields a client's cache adds to every selection set (urql's graphcache does,
 * so the dashboard's texts differ from its sources'); one kept where it is all a selection set asks. `__typename` costs
 * nothing and reveals nothing the schema does not, so a trusted document with them added is the same document.
 */
function withoutAddedTypenames(document: DocumentNode): DocumentNode {
  return visit(document, {
    SelectionSet(node) {
      const kept = node.selections.filter((s) => s.kind !== Kind.FIELD || s.name.value !== '__typename' || s.alias !== undefined);
      return kept.length && kept.length !== node.selections.length ? { ...node, selections: kept } : undefined;
    },
  });
}

/** What a text is compared by: its normalized form without added `__typename` fields, hashed. */
export function documentIdentity(document: DocumentNode): string {
  return documentId(normalizeDocument(withoutAddedTypenames(document)));
}

function refused(code: 'PERSISTED_QUERY_ONLY' | 'PERSISTED_QUERY_NOT_FOUND', message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

/** What a request may name its document by. */
export interface DocumentRequest {
  query?: string | null;
  documentId?: unknown;
  extensions?: { persistedQuery?: { sha256Hash?: unknown } } | null;
}

/** Most distinct trusted texts remembered as already checked (only trusted ones are: a stranger cannot fill it). */
const CHECKED_TEXTS = 5000;

/**
 * The operations this gateway runs when trusted documents are on (`CRM_TRUSTED_DOCUMENTS`): those of a manifest,
 * named by id (`documentId`, or `extensions.persistedQuery.sha256Hash`) or sent in full (a client that sends the
 * text of a trusted document, such as the dashboard, works unchanged). Any other operation is refused.
 */
export class TrustedDocuments {
  private readonly byId = new Map<string, string>();
  /** The identities of the trusted documents, for texts sent in full. */
  private readonly identities = new Set<string>();
  private readonly checked = new Set<string>();

  constructor(manifest: TrustedDocumentsManifest) {
    for (const [id, text] of Object.entries(manifest)) {
      if (typeof text !== 'string') throw new Error(`Trusted document ${id} is not a string`);
      const document = parse(text);
      const normalized = normalizeDocument(document);
      this.byId.set(id, normalized);
      this.byId.set(documentId(normalized), normalized);
      this.identities.add(documentIdentity(document));
    }
  }

  static fromFile(file: string): TrustedDocuments {
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
      throw new Error(`${file}: a trusted documents manifest is a JSON object of id → document`);
    }
    return new TrustedDocuments(manifest as TrustedDocumentsManifest);
  }

  get size(): number {
    return new Set(this.byId.values()).size;
  }

  /** The document text to run, or a coded error. */
  resolve(request: DocumentRequest): string {
    const id = request.documentId ?? request.extensions?.persistedQuery?.sha256Hash;
    if (typeof id === 'string' && id) {
      const text = this.byId.get(id);
      if (!text) throw refused('PERSISTED_QUERY_NOT_FOUND', `No trusted document has the id ${id.slice(0, 80)}`);
      return text;
    }
    const query = request.query;
    if (typeof query === 'string' && (this.checked.has(query) || this.trusts(query))) return query;
    throw refused('PERSISTED_QUERY_ONLY', 'This server runs only its trusted documents: send one by documentId');
  }

  private trusts(query: string): boolean {
    let identity: string;
    try {
      identity = documentIdentity(parse(query));
    } catch {
      return false;
    }
    if (!this.identities.has(identity)) return false;
    if (this.checked.size >= CHECKED_TEXTS) this.checked.clear();
    this.checked.add(query);
    return true;
  }
}

/** `CRM_TRUSTED_DOCUMENTS`: the path of a manifest; unset runs any operation. */
export function trustedDocumentsFromEnv(env: NodeJS.ProcessEnv = process.env): TrustedDocuments | null {
  const file = env.CRM_TRUSTED_DOCUMENTS?.trim();
  return file ? TrustedDocuments.fromFile(file) : null;
}

/** Where a request's workspace documents are checked: its key names the workspace. */
export interface WorkspaceDocumentsCheck {
  verifier: ApiKeyVerifier;
  documents: WorkspaceTrustedDocuments;
}

/**
 * Refuses, over HTTP, any operation that is neither a trusted document nor (with `workspace`) one of the documents
 * the shared templates give for the caller's workspace (graphql-ws: websocket-server.ts, build-time documents only).
 */
export function useTrustedDocuments(trusted: TrustedDocuments, workspace?: WorkspaceDocumentsCheck): Plugin {
  async function workspaceDocument(request: Request, params: DocumentRequest, refusal: unknown): Promise<string> {
    const text = params.query;
    const refusedText = refusal instanceof GraphQLError && refusal.extensions.code === 'PERSISTED_QUERY_ONLY';
    if (!workspace || !refusedText || typeof text !== 'string') throw refusal;
    const token = bearerToken(request.headers.get('authorization'));
    const session = token ? await workspace.verifier.verify(token) : null;
    if (session && (await workspace.documents.trusts(session.workspaceId, text))) return text;
    throw refusal;
  }
  return {
    async onParams({ request, params, setParams }) {
      let query: string;
      try {
        query = trusted.resolve(params as DocumentRequest);
      } catch (refusal) {
        query = await workspaceDocument(request, params as DocumentRequest, refusal);
      }
      if (query === params.query) return;
      // Yoga refuses parameters it does not know (`documentId`): the id has done its job once resolved.
      const { documentId: _id, ...rest } = params as typeof params & { documentId?: unknown };
      setParams({ ...rest, query });
    },
  };
}
