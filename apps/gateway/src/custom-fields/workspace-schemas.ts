import { createHash } from 'node:crypto';
import type { GraphQLSchema } from 'graphql';
import { definitionsDigestSource, type RecordedEvent, type WorkspaceDefinitions, workspaceDigestSource } from '@crm/core';
import type { EventBus } from '../live/event-bus.js';
import { describeError, type Logger } from '../logger.js';

export interface WorkspaceSchemasOptions {
  /** The schema of a workspace without custom fields (and of unauthenticated requests). */
  base: GraphQLSchema;
  /** Builds the schema of a set of definitions (declarations + plugins + those custom fields and objects). */
  build(definitions: WorkspaceDefinitions): GraphQLSchema;
  /** A workspace's live custom fields and objects. */
  load(workspaceId: string): Promise<WorkspaceDefinitions>;
  /** Where `metadata.changed` arrives from every instance. */
  bus: EventBus;
  logger: Logger;
  /** Distinct schemas kept (least recently used go first). @default 200 */
  maxSchemas?: number;
}

interface Entry {
  schema: GraphQLSchema;
  /** The definitions it was built from (what else is derived from them is derived again when they change). */
  definitions: WorkspaceDefinitions;
  /** The digest of its definitions (null: the base schema). */
  digest: string | null;
  unsubscribe: () => void;
}

/**
 * Each workspace's schema: the declarations plus its custom fields, built once per distinct set of definitions (by
 * digest, so workspaces with equal definitions share one schema object, and those without any share the base one),
 * and dropped when a `metadata.changed` event of the workspace arrives on the bus (from this instance or another:
 * the next request rebuilds it). An empty batch from the bus (it may have missed events) drops it too. At most
 * `maxSchemas` distinct schemas are held: the least recently used one is dropped with the workspaces holding it.
 */
export class WorkspaceSchemas {
  readonly #workspaces = new Map<string, Entry>();
  readonly #loading = new Map<string, Promise<GraphQLSchema>>();
  /** Bumped by each change of a workspace: a load that started before it does not keep its stale result. */
  readonly #generation = new Map<string, number>();
  readonly #byDigest = new Map<string, GraphQLSchema>();
  /** The workspaces holding each digest's schema: evicting a schema forgets them, so it is really released. */
  readonly #holders = new Map<string, Set<string>>();
  readonly #max: number;

  constructor(private readonly options: WorkspaceSchemasOptions) {
    this.#max = options.maxSchemas ?? 200;
  }

  get base(): GraphQLSchema {
    return this.options.base;
  }

  /** Bus listeners held (one per workspace whose schema is cached), not counted as live subscribers. */
  get busListeners(): number {
    return this.#workspaces.size;
  }

  /** Distinct schemas built and kept (the base one not counted). */
  get distinctSchemas(): number {
    return this.#byDigest.size;
  }

  /** The workspace's schema, if it is known now (WebSocket operations call {@link forWorkspace} first). */
  current(workspaceId: string): GraphQLSchema | undefined {
    return this.#workspaces.get(workspaceId)?.schema;
  }

  /**
   * The workspace's schema with the definitions it was built from: the same object until they change, so that what a
   * caller derives from them can be kept by their identity (trusted-documents-workspace.ts).
   */
  async withDefinitions(workspaceId: string): Promise<{ schema: GraphQLSchema; definitions: WorkspaceDefinitions }> {
    const schema = await this.forWorkspace(workspaceId);
    const entry = this.#workspaces.get(workspaceId);
    if (entry?.schema === schema) return { schema, definitions: entry.definitions };
    // Not kept (changed or evicted meanwhile): read them again, once, for this request.
    return { schema, definitions: await this.options.load(workspaceId) };
  }

  forWorkspace(workspaceId: string): Promise<GraphQLSchema> {
    const known = this.#workspaces.get(workspaceId);
    if (known) {
      if (known.digest !== null) this.#touch(known.digest, known.schema);
      return Promise.resolve(known.schema);
    }
    let loading = this.#loading.get(workspaceId);
    if (!loading) {
      loading = this.#load(workspaceId).finally(() => this.#loading.delete(workspaceId));
      this.#loading.set(workspaceId, loading);
    }
    return loading;
  }

  /** Committed events of this instance (before they reach the bus): a definition change applies to the next request. */
  notice(events: readonly RecordedEvent[]): void {
    for (const event of events) if (event.type === 'metadata.changed') this.#forget(event.workspaceId);
  }

  close(): void {
    for (const entry of this.#workspaces.values()) entry.unsubscribe();
    this.#workspaces.clear();
  }

  async #load(workspaceId: string): Promise<GraphQLSchema> {
    const generation = this.#generation.get(workspaceId) ?? 0;
    const definitions = await this.options.load(workspaceId);
    const { schema, digest } = this.#schemaOf(definitions);
    // Kept only while its schema is (an eviction during a slow load leaves it to be rebuilt next time).
    const held = digest === null || this.#byDigest.get(digest) === schema;
    if (held && (this.#generation.get(workspaceId) ?? 0) === generation && !this.#workspaces.has(workspaceId)) {
      const unsubscribe = this.options.bus.subscribe(workspaceId, (events) => {
        if (!events.length || events.some((e) => e.type === 'metadata.changed')) this.#forget(workspaceId);
      });
      this.#workspaces.set(workspaceId, { schema, definitions, digest, unsubscribe });
      if (digest !== null) {
        const holders = this.#holders.get(digest) ?? new Set<string>();
        holders.add(workspaceId);
        this.#holders.set(digest, holders);
      }
    }
    return schema;
  }

  #forget(workspaceId: string): void {
    this.#generation.set(workspaceId, (this.#generation.get(workspaceId) ?? 0) + 1);
    const entry = this.#workspaces.get(workspaceId);
    if (!entry) return;
    entry.unsubscribe();
    this.#workspaces.delete(workspaceId);
    if (entry.digest !== null) this.#holders.get(entry.digest)?.delete(workspaceId);
  }

  #schemaOf(definitions: WorkspaceDefinitions): { schema: GraphQLSchema; digest: string | null } {
    if (!definitions.fields.length && !definitions.objects.length) return { schema: this.options.base, digest: null };
    const digest = createHash('sha256').update(workspaceDigestSource(definitions, definitionsDigestSource)).digest('hex');
    const found = this.#byDigest.get(digest);
    if (found) {
      this.#touch(digest, found);
      return { schema: found, digest };
    }
    let schema: GraphQLSchema;
    try {
      schema = this.options.build(definitions);
    } catch (error) {
      // Definitions are checked before they commit; should a set still not build, the workspace keeps working on
      // the declarations alone rather than on no schema at all.
      this.options.logger.error('custom fields schema failed to build; serving the base schema', { digest, ...describeError(error) });
      return { schema: this.options.base, digest: null };
    }
    this.#byDigest.set(digest, schema);
    if (this.#byDigest.size > this.#max) this.#evict(this.#byDigest.keys().next().value!);
    return { schema, digest };
  }

  /** Marks a schema used now: most recently used last, so the first entry is the one evicted. */
  #touch(digest: string, schema: GraphQLSchema): void {
    this.#byDigest.delete(digest);
    this.#byDigest.set(digest, schema);
  }

  /** Drops a schema and forgets the workspaces holding it (they rebuild it, or share another, when they come back). */
  #evict(digest: string): void {
    this.#byDigest.delete(digest);
    for (const workspaceId of [...(this.#holders.get(digest) ?? [])]) this.#forget(workspaceId);
    this.#holders.delete(digest);
  }
}
