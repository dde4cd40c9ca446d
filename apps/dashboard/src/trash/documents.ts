// The trash's documents (docs/data.md, "Trash"). The listing is one typed document per object (`trash(object:)`), the
// objects come from the workspace's `TrashObject` enum (core's, plugins' and the workspace's custom objects); restore
// and destroy are mutations named after the record's type (`restoreContract`), written from the shared templates
// (`@crm/client`, workspace-documents.ts).
import { graphql, type ResultOf } from '@crm/client';

export const trashObjectsQuery = graphql(`
  query TrashObjects { __type(name: "TrashObject") { enumValues { name } } customObjects { id name label } }
`);

export const trashPageQuery = graphql(`
  query TrashPage($object: TrashObject!, $first: Int!, $after: String) {
    trash(object: $object, first: $first, after: $after) {
      edges { node { id object label deletedAt deletedBy deleteReason trashedWith } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export type TrashEntry = ResultOf<typeof trashPageQuery>['trash']['edges'][number]['node'];

/** The type a record's global id names (`Contract`): the API's ids are Relay's, base64 of `<type>:<row id>`. */
export function typeOfGlobalId(id: string): string | null {
  try {
    const decoded = atob(id);
    const colon = decoded.indexOf(':');
    return colon > 0 ? decoded.slice(0, colon) : null;
  } catch {
    return null;
  }
}


export { destroyRecordDocument, restoreRecordDocument } from '@crm/gateway/workspace-documents';
