// ADMIN's metadata mutations on custom objects (docs/custom-fields.md, "Custom objects"). After each, the page asks for
// the objects again: the navigation, the Fields page's object list and the archived objects all change.
import { graphql } from '@crm/client';

export const renameCustomObject = graphql(`
  mutation RenameCustomObject($input: RenameCustomObjectInput!) {
    renameCustomObject(input: $input) { customObject { id name pluralName label description } }
  }
`);

export const archiveCustomObject = graphql(`
  mutation ArchiveCustomObject($input: ArchiveCustomObjectInput!) { archiveCustomObject(input: $input) { customObject { id archived } } }
`);

export const deleteCustomObject = graphql(`
  mutation DeleteCustomObject($input: DeleteCustomObjectInput!) { deleteCustomObject(input: $input) { deletedId deletedRecords } }
`);

export const archivedCustomObjectsQuery = graphql(`
  query ArchivedCustomObjects { customObjects(archived: true) { id name pluralName label } }
`);
