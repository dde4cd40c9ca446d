// The list query of the benchmark: a page of customers with company, owner, last 5 activities and last 5 orders.
export const CUSTOMER_PAGE = /* GraphQL */ `
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
