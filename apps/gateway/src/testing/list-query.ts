/**
 * The customer list the issue-7 benchmark measures and the query-count tests pin down: a page of customers with
 * company, owner, the last 5 activities and the last 5 orders. One definition, for the tests and `npm run bench`.
 */
export const customerListQuery = /* GraphQL */ `
  query CustomerPage($first: Int!, $after: String) {
    customers(first: $first, after: $after, orderBy: [{ field: CREATED_AT, direction: DESC }]) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        cursor
        node {
          id name email lifecycleStage lifetimeValue tags
          company { id name domain }
          owner { id name }
          activities(first: 5) { edges { node { id type channel subject occurredAt } } }
          orders(first: 5) { edges { node { id orderedAt total } } }
        }
      }
    }
  }
`;
