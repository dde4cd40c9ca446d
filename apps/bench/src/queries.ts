export { customerListQuery as crmListQuery } from '@crm/gateway/testing';

/** The same data from PostGraphile v5's generated schema (Amber preset inflection), filtered to the workspace. */
export const postgraphileListQuery = /* GraphQL */ `
  query CustomerPage($first: Int!, $workspaceId: UUID!) {
    allCustomers(first: $first, condition: { workspaceId: $workspaceId }, orderBy: [CREATED_AT_DESC, PRIMARY_KEY_DESC]) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        cursor
        node {
          id name email lifecycleStage lifetimeValue tags
          companyByCompanyId { id name domain }
          userByOwnerId { id name }
          activitiesByCustomerId(first: 5, orderBy: [OCCURRED_AT_DESC, PRIMARY_KEY_DESC]) { edges { node { id type channel subject occurredAt } } }
          ordersByCustomerId(first: 5, orderBy: [ORDERED_AT_DESC, PRIMARY_KEY_DESC]) { edges { node { id orderedAt total } } }
        }
      }
    }
  }
`;
