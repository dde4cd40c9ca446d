import type { WorkspaceDefinitions } from '@crm/core';
import { type WorkspaceField, type WorkspaceShape, workspaceDocuments } from './workspace-documents.js';
import { type GraphQLSchema, parse } from 'graphql';
import type { WorkspaceSchemas } from './custom-fields/workspace-schemas.js';
import { documentIdentity } from './trusted-documents.js';

/** A field type as the API's `CustomFieldType` names it (`longText` → `LONG_TEXT`), which the dashboard reads. */
const apiTypeName = (type: string) => type.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

/**
 * What the documents' templates (`@crm/gateway/workspace-documents`) need of a workspace, as its API names it (what the
 * dashboard reads): each object's live fields in their order, with the API's type (`RELATION`, not `relation`) and a
 * relation's target by type name (definitions name a custom object by id); the custom objects; and the types the
 * workspace's schema restores from the trash.
 */
export function workspaceShapeOf(definitions: WorkspaceDefinitions, schema: GraphQLSchema): WorkspaceShape {
  const nameOf = new Map(definitions.objects.map((object) => [object.id, object.name]));
  const fieldsOf = (owner: string): WorkspaceField[] =>
    definitions.fields
      .filter((field) => field.object === owner)
      .sort((a, b) => a.position - b.position || (a.name < b.name ? -1 : 1))
      .map((field) => ({ name: field.name, type: apiTypeName(field.type), target: field.target ? (nameOf.get(field.target) ?? field.target) : null }));
  const mutations = Object.keys(schema.getMutationType()?.getFields() ?? {});
  return {
    builtInFields: { Customer: fieldsOf('Customer'), Company: fieldsOf('Company') },
    objects: definitions.objects.map((object) => ({ name: object.name, pluralName: object.pluralName, fields: fieldsOf(object.id) })),
    trashTypes: mutations.flatMap((name) => (/^restore[A-Z]/.test(name) ? [name.slice('restore'.length)] : [])),
  };
}

/**
 * The run-time documents each workspace's clients may send when the gateway runs trusted documents only: those the
 * shared templates give for its definitions (docs/security.md, "Trusted documents"). Derived once per set of
 * definitions, kept as long as the workspace's schema keeps them (a definition change drops both).
 */
export class WorkspaceTrustedDocuments {
  readonly #ids = new WeakMap<WorkspaceDefinitions, Set<string>>();

  constructor(private readonly schemas: WorkspaceSchemas) {}

  /** Whether `query` is one of the workspace's template documents (compared by identity, as the manifest's are). */
  async trusts(workspaceId: string, query: string): Promise<boolean> {
    let id: string;
    try {
      id = documentIdentity(parse(query));
    } catch {
      return false;
    }
    return (await this.idsOf(workspaceId)).has(id);
  }

  /** The ids of the workspace's template documents. */
  async idsOf(workspaceId: string): Promise<ReadonlySet<string>> {
    const { schema, definitions } = await this.schemas.withDefinitions(workspaceId);
    let ids = this.#ids.get(definitions);
    if (!ids) {
      ids = new Set(workspaceDocuments(workspaceShapeOf(definitions, schema)).map((text) => documentIdentity(parse(text))));
      this.#ids.set(definitions, ids);
    }
    return ids;
  }
}
