// ADMIN's metadata mutations on custom fields (docs/custom-fields.md, "Defining fields"). After each, the page asks
// for the definitions again (a new or deleted field changes the list, which the cache cannot know).
import { graphql, type VariablesOf } from '@crm/client';

export const defineCustomField = graphql(`
  mutation DefineCustomField($input: DefineCustomFieldInput!) { defineCustomField(input: $input) { customField { id name label } } }
`);

export const renameCustomField = graphql(`
  mutation RenameCustomField($input: RenameCustomFieldInput!) { renameCustomField(input: $input) { customField { id name label } } }
`);

export const archiveCustomField = graphql(`
  mutation ArchiveCustomField($input: ArchiveCustomFieldInput!) { archiveCustomField(input: $input) { customField { id } } }
`);

export const deleteCustomField = graphql(`
  mutation DeleteCustomField($input: DeleteCustomFieldInput!) { deleteCustomField(input: $input) { deletedId usedBy } }
`);

export type DefineCustomFieldInput = VariablesOf<typeof defineCustomField>['input'];
