// The documents a client writes at run time for a workspace's own schema (its custom fields and objects are fields and
// types of that schema only, docs/custom-fields.md), from a fixed set of templates keyed by object and field set.
// Written once, here, for both sides: the dashboard writes its documents with these functions, and a gateway that runs
// trusted documents only derives from a workspace's definitions every document these templates give for it, and
// trusts exactly those for that workspace (docs/security.md, "Trusted documents"). The gateway publishes it
// (`@crm/gateway/workspace-documents`) and the dashboard bundles it: it imports nothing, so it runs in a browser.

/** A live custom field as the templates need it; `target` is a relation's target type name (`Customer`, `Contract`). */
export interface WorkspaceField {
  name: string;
  type: string;
  target?: string | null;
}

/** A live custom object: its type name, its list field, its live fields in their order. */
export interface WorkspaceObject {
  name: string;
  pluralName: string;
  fields: readonly WorkspaceField[];
}

/** How a workspace's schema names an object with custom values: its type, by-id and list root fields. */
export interface ObjectNames {
  type: string;
  single: string;
  plural: string;
}

/** The definitions every template depends on: each object's live fields in their order, and the custom objects. */
export interface WorkspaceShape {
  /** The live custom fields of the built-in objects that have some (`Customer`, `Company`), by type name. */
  builtInFields: Readonly<Record<'Customer' | 'Company', readonly WorkspaceField[]>>;
  objects: readonly WorkspaceObject[];
  /** The types whose records the trash restores and destroys (`restoreDeal`, `destroyContract`). */
  trashTypes: readonly string[];
}

export const CUSTOMER_NAMES: ObjectNames = { type: 'Customer', single: 'customer', plural: 'customers' };
export const COMPANY_NAMES: ObjectNames = { type: 'Company', single: 'company', plural: 'companies' };

/** A custom object's root fields are named after it (`Contract` → `contract`, its plural `contracts`). */
export const customObjectNames = (object: Pick<WorkspaceObject, 'name' | 'pluralName'>): ObjectNames => ({
  type: object.name,
  single: object.name.charAt(0).toLowerCase() + object.name.slice(1),
  plural: object.pluralName,
});

const BUILT_IN_TARGETS = new Set(['Customer', 'Company']);
export const isBuiltInTarget = (target: string | null | undefined) => BUILT_IN_TARGETS.has(target ?? '');

/** How a record of `target` is named for people: `name` for customers and companies, else its first text field. */
export function labelFieldOf(target: string | null | undefined, objects: readonly WorkspaceObject[]): string | null {
  if (isBuiltInTarget(target)) return 'name';
  const object = objects.find((o) => o.name === target);
  return object?.fields.find((f) => f.type === 'TEXT' || f.type === 'EMAIL')?.name ?? null;
}

/** The root list field of `target`: `customers`, `companies`, or the custom object's plural. */
export function listFieldOf(target: string | null | undefined, objects: readonly WorkspaceObject[]): string | null {
  if (target === 'Customer') return CUSTOMER_NAMES.plural;
  if (target === 'Company') return COMPANY_NAMES.plural;
  return objects.find((o) => o.name === target)?.pluralName ?? null;
}

/** Fields in a selection set: a relation reads the related record's id and name. */
export function selectionOf(fields: readonly WorkspaceField[], objects: readonly WorkspaceObject[]): string {
  return fields
    .map((field) => {
      if (field.type !== 'RELATION') return field.name;
      const label = labelFieldOf(field.target, objects);
      return `${field.name} { id${label ? ` ${label}` : ''} }`;
    })
    .join(' ');
}

/** The customers list's scores (computed fields: a query selecting them cannot filter on custom fields). */
export const CUSTOMER_SCORES = 'analytics { predictedLifetimeValue rfm { segmentName } }';

/** A record's custom values, by id. */
export const recordValuesDocument = (kind: ObjectNames, fields: readonly WorkspaceField[], objects: readonly WorkspaceObject[]) =>
  `query RecordCustomValues($id: ID!) { ${kind.single}(id: $id) { id ${selectionOf(fields, objects)} } }`;

/** Writes a record's custom values and reads them back. */
export const updateRecordValuesDocument = (kind: ObjectNames, fields: readonly WorkspaceField[], objects: readonly WorkspaceObject[]) =>
  `mutation UpdateRecordCustomValues($input: Update${kind.type}Input!) { update${kind.type}(input: $input) { ${kind.single} { id ${selectionOf(fields, objects)} } } }`;

/**
 * The custom values of a chunk of a list's rows, by id: all the object's fields (which of them show is the person's
 * choice, not the document's), and for customers optionally their scores.
 */
export const columnsDocument = (kind: ObjectNames, fields: readonly WorkspaceField[], objects: readonly WorkspaceObject[], withScores = false) =>
  `query ExtraColumns($ids: [ID!]!, $first: Int!) { ${kind.plural}(first: $first, filter: { id: { in: $ids } }) { edges { node { id ${selectionOf(fields, objects)}${withScores ? ` ${CUSTOMER_SCORES}` : ''} } } } }`;

/** A page of a custom object's list, searched, filtered and sorted by variables. */
export const recordListDocument = (kind: ObjectNames, fields: readonly WorkspaceField[], objects: readonly WorkspaceObject[]) =>
  `query RecordList($search: String, $filter: ${kind.type}Filter, $orderBy: [${kind.type}OrderBy!], $after: String, $first: Int!) {
    ${kind.plural}(search: $search, filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { id createdAt ${selectionOf(fields, objects)} } }
    }
  }`;

/** A custom object's record as its page's head shows it: when it was made and changed, and its name. */
export const recordHeadDocument = (kind: ObjectNames, labelField: string | null) =>
  `query RecordHead($id: ID!) { ${kind.single}(id: $id) { id createdAt updatedAt${labelField ? ` ${labelField}` : ''} } }`;

export const createRecordDocument = (kind: ObjectNames) =>
  `mutation CreateRecord($input: Create${kind.type}Input!) { create${kind.type}(input: $input) { ${kind.single} { id } } }`;

export const deleteRecordDocument = (kind: ObjectNames) =>
  `mutation DeleteRecord($input: Delete${kind.type}Input!) { delete${kind.type}(input: $input) { deleted${kind.type}Id } }`;

/** Brings a record of `type` back from the trash (`restoreContract`, `restoreDeal`). */
export const restoreRecordDocument = (type: string) => `mutation RestoreRecord($input: Restore${type}Input!) { restore${type}(input: $input) { __typename } }`;

/** Removes a record of `type` for good (ADMIN). */
export const destroyRecordDocument = (type: string) =>
  `mutation DestroyRecord($input: Destroy${type}Input!) { destroy${type}(input: $input) { destroyed${type}Id } }`;

/** A search of `target`'s list for a relation's picker; null when the workspace has no such list. */
export function relationChoicesDocument(target: string | null | undefined, objects: readonly WorkspaceObject[]): string | null {
  const list = listFieldOf(target, objects);
  if (!list) return null;
  const label = labelFieldOf(target, objects);
  return `query RelationChoices($search: String) { ${list}(search: $search, first: 8) { edges { node { id${label ? ` ${label}` : ''} } } } }`;
}

/** A reverse connection: the custom object whose relation field points at a type, and the connection's name. */
export interface ReverseConnection<Source extends WorkspaceObject = WorkspaceObject> {
  /** The field on the target type: `contracts`, `contractsAsGuarantor`. */
  name: string;
  source: Source;
  fieldName: string;
}

/** How many linked records each reverse connection reads (its total is said). */
export const REVERSE_CONNECTION_SIZE = 10;

/**
 * The reverse connections of relations to `type` (docs/custom-fields.md, "Relation fields"): each custom object's
 * relation field pointing at it adds one, named the object's plural when the field is named after the target
 * (`Contract.customer` → `Customer.contracts`), else the plural, `As` and the field's name (`contractsAsGuarantor`).
 */
export function connectionsTo<Source extends WorkspaceObject>(type: string, objects: readonly Source[]): ReverseConnection<Source>[] {
  const named = type.charAt(0).toLowerCase() + type.slice(1);
  return objects.flatMap((source) =>
    source.fields
      .filter((field) => field.type === 'RELATION' && field.target === type)
      .map((field) => ({
        name: field.name === named ? source.pluralName : `${source.pluralName}As${field.name.charAt(0).toUpperCase()}${field.name.slice(1)}`,
        source,
        fieldName: field.name,
      })),
  );
}

/** The records pointing at a record, each connection aliased `r<i>` in `connectionsTo`'s order; null when none. */
export function reverseConnectionsDocument(kind: ObjectNames, objects: readonly WorkspaceObject[]): string | null {
  const connections = connectionsTo(kind.type, objects);
  if (!connections.length) return null;
  const selection = connections
    .map((c, i) => {
      const label = labelFieldOf(c.source.name, objects);
      return `r${i}: ${c.name}(first: ${REVERSE_CONNECTION_SIZE}) { totalCount edges { node { id${label ? ` ${label}` : ''} } } }`;
    })
    .join(' ');
  return `query ReverseConnections($id: ID!) { ${kind.single}(id: $id) { id ${selection} } }`;
}

/**
 * Every document the templates give for a workspace: what a client may send it besides its build-time documents.
 * The set depends on the definitions only (never on a person's choices), so a gateway derives it again whenever the
 * definitions change.
 */
export function workspaceDocuments(shape: WorkspaceShape): string[] {
  const { objects } = shape;
  const documents: (string | null)[] = [];
  const kinds: { names: ObjectNames; fields: readonly WorkspaceField[]; custom: boolean }[] = [
    { names: CUSTOMER_NAMES, fields: shape.builtInFields.Customer, custom: false },
    { names: COMPANY_NAMES, fields: shape.builtInFields.Company, custom: false },
    ...objects.map((object) => ({ names: customObjectNames(object), fields: object.fields, custom: true })),
  ];
  for (const { names, fields, custom } of kinds) {
    if (fields.length) {
      documents.push(recordValuesDocument(names, fields, objects), updateRecordValuesDocument(names, fields, objects), columnsDocument(names, fields, objects));
    }
    if (names.type === CUSTOMER_NAMES.type) documents.push(columnsDocument(names, fields, objects, true));
    documents.push(reverseConnectionsDocument(names, objects), relationChoicesDocument(names.type, objects));
    if (custom) {
      documents.push(
        recordListDocument(names, fields, objects),
        recordHeadDocument(names, labelFieldOf(names.type, objects)),
        createRecordDocument(names),
        deleteRecordDocument(names),
      );
    }
  }
  for (const type of shape.trashTypes) documents.push(restoreRecordDocument(type), destroyRecordDocument(type));
  return [...new Set(documents.filter((document): document is string => document !== null))];
}
