// The queries of `npm run bench:lists` (issue 14), each as our GraphQL and the equivalent PostGraphile v5 query
// (Amber preset inflection, connection-filter and pg-aggregates plugins). PostGraphile has no tenancy of its own:
// its root lists are filtered to the workspace with `condition: { workspaceId }`; nested lists follow foreign keys.
// Both sides ask for the same fields, the same page sizes and the same order (ours: the declared default order,
// which breaks ties by id; PostGraphile: the same columns, then PRIMARY_KEY).
import { crmListQuery, postgraphileListQuery } from './queries.js';

/** What a query needs to know about the data. */
export interface QueryContext {
  workspaceId: string;
  /** Q3's customer: our global id and the row id. */
  profile: { id: string; rowId: string };
  industry: string;
}

export interface QueryPair {
  name: string;
  what: string;
  /** The page size measured under load (statements are counted at 10 and 50 as well). */
  page: number;
  ours: { query: string; variables: (page: number, c: QueryContext) => Record<string, unknown> };
  postgraphile: { query: string; variables: (page: number, c: QueryContext) => Record<string, unknown> };
  /** A figure both answers must agree on (rows, a total), to check the two queries are equivalent. */
  check: { ours: (data: Data) => unknown; postgraphile: (data: Data) => unknown };
}

/** A response's JSON `data`, navigated by the checks (untyped JSON, hence `any`). */
type Data = any;

const q2 = /* GraphQL */ `
  query DealPage($first: Int!) {
    deals(first: $first) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        cursor
        node {
          id title amount status createdAt
          stage { id name }
          customer { id name email }
          company { id name }
          activities(first: 3) { edges { node { id type subject occurredAt } } }
        }
      }
    }
  }
`;
const q2PostGraphile = /* GraphQL */ `
  query DealPage($first: Int!, $workspaceId: UUID!) {
    allDeals(first: $first, condition: { workspaceId: $workspaceId }, orderBy: [CREATED_AT_DESC, PRIMARY_KEY_DESC]) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        cursor
        node {
          id title amount status createdAt
          stageByStageId { id name }
          customerByCustomerId { id name email }
          companyByCompanyId { id name }
          activitiesByDealId(first: 3, orderBy: [OCCURRED_AT_DESC, PRIMARY_KEY_DESC]) { edges { node { id type subject occurredAt } } }
        }
      }
    }
  }
`;

const q3 = /* GraphQL */ `
  query Customer360($id: ID!, $first: Int!) {
    customer(id: $id) {
      id name email phone lifecycleStage lifetimeValue orderCount tags createdAt
      company { id name industry }
      owner { id name }
      activities(first: $first) { totalCount edges { node { id type channel direction subject occurredAt } } }
      orders(first: $first) { totalCount edges { node { id orderedAt total currency channel lines { sku quantity unitPrice total product { id name } } } } }
      tickets(first: $first) { totalCount edges { node { id subject status priority createdAt } } }
      tasks(first: $first) { totalCount edges { node { id title status dueAt } } }
    }
  }
`;
const q3PostGraphile = /* GraphQL */ `
  query Customer360($rowId: UUID!, $first: Int!) {
    customerByRowId(rowId: $rowId) {
      id name email phone lifecycleStage lifetimeValue orderCount tags createdAt
      companyByCompanyId { id name industry }
      userByOwnerId { id name }
      activitiesByCustomerId(first: $first, orderBy: [OCCURRED_AT_DESC, PRIMARY_KEY_DESC]) { totalCount edges { node { id type channel direction subject occurredAt } } }
      ordersByCustomerId(first: $first, orderBy: [ORDERED_AT_DESC, PRIMARY_KEY_DESC]) {
        totalCount
        edges { node { id orderedAt total currency channel orderLinesByOrderId(orderBy: PRIMARY_KEY_ASC) { nodes { sku quantity unitPrice total productByProductId { id name } } } } }
      }
      ticketsByCustomerId(first: $first, orderBy: [CREATED_AT_DESC, PRIMARY_KEY_DESC]) { totalCount edges { node { id subject status priority createdAt } } }
      tasksByCustomerId(first: $first, orderBy: [DUE_AT_ASC, PRIMARY_KEY_ASC]) { totalCount edges { node { id title status dueAt } } }
    }
  }
`;

const q4 = /* GraphQL */ `
  query LatestActivities($first: Int!) {
    activities(first: $first) {
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id type channel subject occurredAt customer { id name email } } }
    }
  }
`;
const q4PostGraphile = /* GraphQL */ `
  query LatestActivities($first: Int!, $workspaceId: UUID!) {
    allActivities(first: $first, condition: { workspaceId: $workspaceId }, orderBy: [OCCURRED_AT_DESC, PRIMARY_KEY_DESC]) {
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id type channel subject occurredAt customerByCustomerId { id name email } } }
    }
  }
`;

const q5 = /* GraphQL */ `
  query FilteredCustomers($first: Int!, $industry: String!) {
    customers(
      first: $first
      orderBy: [{ field: CREATED_AT, direction: DESC }]
      filter: { company: { industry: { eq: $industry } }, orders: { some: { total: { gt: "100" } } } }
    ) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id name email lifecycleStage lifetimeValue company { id name industry } } }
    }
  }
`;
const q5PostGraphile = /* GraphQL */ `
  query FilteredCustomers($first: Int!, $industry: String!, $workspaceId: UUID!) {
    allCustomers(
      first: $first
      condition: { workspaceId: $workspaceId }
      orderBy: [CREATED_AT_DESC, PRIMARY_KEY_DESC]
      filter: { companyByCompanyId: { industry: { equalTo: $industry } }, ordersByCustomerId: { some: { total: { greaterThan: "100" } } } }
    ) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id name email lifecycleStage lifetimeValue companyByCompanyId { id name industry } } }
    }
  }
`;

/** Orders by month with sum and count (ours: one GROUP BY; PostGraphile: pg-aggregates, count as distinct ids). */
export const q6 = /* GraphQL */ `
  query OrdersByMonth($first: Int!) {
    ordersGroupBy(by: [{ field: ORDERED_AT, truncate: MONTH }], first: $first) { key { orderedAt } aggregate { count sum { total } } }
  }
`;
export const q6PostGraphile = /* GraphQL */ `
  query OrdersByMonth($workspaceId: UUID!) {
    allOrders(condition: { workspaceId: $workspaceId }) {
      groupedAggregates(groupBy: [ORDERED_AT_TRUNCATED_TO_MONTH]) { keys sum { total } distinctCount { rowId } }
    }
  }
`;

const workspace = (c: QueryContext) => ({ workspaceId: c.workspaceId });
const edges = (connection: Data) => connection.edges.length;
/** Total orders across the groups (a sum both sides must agree on). */
export const groupedOrders = {
  ours: (d: Data) => d.ordersGroupBy.reduce((n: number, g: Data) => n + g.aggregate.count, 0),
  postgraphile: (d: Data) => d.allOrders.groupedAggregates.reduce((n: number, g: Data) => n + Number(g.distinctCount.rowId), 0),
};

export const queryPairs: QueryPair[] = [
  {
    name: 'Q1',
    what: 'customers page: company, owner, last 5 activities, last 5 orders',
    page: 50,
    ours: { query: crmListQuery, variables: (first) => ({ first }) },
    postgraphile: { query: postgraphileListQuery, variables: (first, c) => ({ first, ...workspace(c) }) },
    check: { ours: (d) => [d.customers.totalCount, edges(d.customers)], postgraphile: (d) => [d.allCustomers.totalCount, edges(d.allCustomers)] },
  },
  {
    name: 'Q2',
    what: 'deals: stage, customer, company, last 3 activities',
    page: 50,
    ours: { query: q2, variables: (first) => ({ first }) },
    postgraphile: { query: q2PostGraphile, variables: (first, c) => ({ first, ...workspace(c) }) },
    check: { ours: (d) => [d.deals.totalCount, edges(d.deals)], postgraphile: (d) => [d.allDeals.totalCount, edges(d.allDeals)] },
  },
  {
    name: 'Q3',
    what: "one customer's 360: activities, orders with lines and products, tickets, tasks",
    page: 20,
    ours: { query: q3, variables: (first, c) => ({ first, id: c.profile.id }) },
    postgraphile: { query: q3PostGraphile, variables: (first, c) => ({ first, rowId: c.profile.rowId }) },
    check: {
      ours: (d) => [d.customer.activities.totalCount, d.customer.orders.totalCount, edges(d.customer.orders)],
      postgraphile: (d) => [d.customerByRowId.activitiesByCustomerId.totalCount, d.customerByRowId.ordersByCustomerId.totalCount, edges(d.customerByRowId.ordersByCustomerId)],
    },
  },
  {
    name: 'Q4',
    what: 'latest activities across the workspace with their customer',
    page: 50,
    ours: { query: q4, variables: (first) => ({ first }) },
    postgraphile: { query: q4PostGraphile, variables: (first, c) => ({ first, ...workspace(c) }) },
    check: { ours: (d) => edges(d.activities), postgraphile: (d) => edges(d.allActivities) },
  },
  {
    name: 'Q5',
    what: 'customers filtered by company industry and an order over 100, with totalCount',
    page: 50,
    ours: { query: q5, variables: (first, c) => ({ first, industry: c.industry }) },
    postgraphile: { query: q5PostGraphile, variables: (first, c) => ({ first, industry: c.industry, ...workspace(c) }) },
    check: { ours: (d) => [d.customers.totalCount, edges(d.customers)], postgraphile: (d) => [d.allCustomers.totalCount, edges(d.allCustomers)] },
  },
  {
    name: 'Q6',
    what: 'orders grouped by month with sum and count',
    page: 100,
    ours: { query: q6, variables: (first) => ({ first }) },
    postgraphile: { query: q6PostGraphile, variables: (_first, c) => workspace(c) },
    check: groupedOrders,
  },
];

/** Our two searches (the p95 figures): the customer list's `search` and the global `search`. */
export const customerSearch = /* GraphQL */ `
  query CustomerSearch($q: String!) { customers(search: $q, first: 10) { edges { node { id name email } } } }
`;
export const globalSearch = /* GraphQL */ `
  query GlobalSearch($q: String!) { search(query: $q, first: 10) { type score highlight { field snippet } node { id ... on Customer { name } ... on Company { name } } } }
`;
