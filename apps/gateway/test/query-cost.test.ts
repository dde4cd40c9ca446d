import { buildSchema } from '@crm/graph';
import { pluginHostFromEnvironment } from '@crm/plugin-sdk/host';
import { Kind, NoUndefinedVariablesRule, NoUnusedFragmentsRule, specifiedRules, type TypeNode, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_COST } from '../src/input-guard.js';
import { queryCost } from '../src/query-cost.js';
import { customerListQuery, startTestGateway, type TestGateway } from '../src/testing/index.js';
import { documentedOperations } from './support/documented-operations.js';

/** The headline customers page, with its page size written into the query instead of passed as a variable. */
const literalCustomerPage = (first: number) => customerListQuery.replace('$first: Int!, ', '').replace('first: $first', `first: ${first}`);

/** 100 customers × 100 activities × their customer's 100 orders: a million objects, whichever way it is written. */
const abusive = {
  variables: `query Abusive($n: Int!) { customers(first: $n) { edges { node { name activities(first: $n) { edges { node { subject customer { orders(first: $n) { edges { node { total } } } } } } } } } } }`,
  literal: `query Abusive { customers(first: 100) { edges { node { name activities(first: 100) { edges { node { subject customer { orders(first: 100) { edges { node { total } } } } } } } } } } }`,
};
/** 100 customers × 100 activities: refused too (about 30,000), by variable and by literal. */
const twoLevels = {
  variables: `query Wide($n: Int!) { customers(first: $n) { edges { node { activities(first: $n) { edges { node { id } } } } } } }`,
  literal: `query Wide { customers(first: 100) { edges { node { activities(first: 100) { edges { node { id } } } } } } }`,
};

describe('query cost, computed after variable coercion', () => {
  it('lets every documented query and every dashboard document through, page-size variables at the cap', async () => {
    const { host } = await pluginHostFromEnvironment({ bundledOnly: true });
    const schema = buildSchema({ objects: host.objects, extend: [host.extendSchema] });
    // Doc snippets may leave a variable or a fragment to the reader; every other rule holds.
    const rules = specifiedRules.filter((rule) => rule !== NoUndefinedVariablesRule && rule !== NoUnusedFragmentsRule);
    const operations = documentedOperations();
    expect(operations.length).toBeGreaterThan(50);
    const isInt = (type: TypeNode): boolean => (type.kind === Kind.NAMED_TYPE ? type.name.value === 'Int' : isInt(type.type));
    const over: string[] = [];
    for (const { source, document, operation } of operations) {
      expect(validate(schema, document, rules).map((e) => `${source}: ${e.message}`)).toEqual([]);
      // Every Int variable at the page-size cap: the most a client of these documents can ask for.
      const atCap = Object.fromEntries((operation.variableDefinitions ?? []).filter((v) => isInt(v.type)).map((v) => [v.variable.name.value, 100]));
      const cost = Math.max(queryCost(schema, document, operation, {}), queryCost(schema, document, operation, atCap));
      if (cost > DEFAULT_MAX_COST) over.push(`${source}: ${cost}`);
    }
    expect(over).toEqual([]);
  });

  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('passes the headline customers page (company, owner, 5 activities, 5 orders) at 50 and at 100, literal or variable', async () => {
    const { client } = t.workspace;
    for (const first of [50, 100]) {
      const byVariable = await client.request(customerListQuery, { first });
      expect(byVariable.errors).toBeUndefined();
      expect(byVariable.data?.customers.edges).toEqual([]);
      const byLiteral = await client.request(literalCustomerPage(first));
      expect(byLiteral.errors).toBeUndefined();
      expect(byLiteral.status).toBe(200);
    }
  });

  it('refuses abusive nesting with QUERY_TOO_COMPLEX whether page sizes are literals or variables, with the same cost', async () => {
    const { client } = t.workspace;
    for (const query of [abusive, twoLevels]) {
      const literal = await client.request(query.literal);
      const variable = await client.request(query.variables, { n: 100 });
      for (const result of [literal, variable]) {
        expect(result.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
        expect(result.data).toBeUndefined();
        expect(result.status).toBe(400); // the test client accepts application/graphql-response+json
      }
      expect(variable.errors?.[0]?.message).toBe(literal.errors?.[0]?.message); // the message names the cost
    }
  });

  it('counts an omitted page size as the default page and a variable left out as its default value', async () => {
    const { client } = t.workspace;
    // 20 × 20 activities by default: allowed. With $n defaulting to 100 in the query: refused.
    expect((await client.request(`{ customers { edges { node { activities { edges { node { id } } } } } } }`)).errors).toBeUndefined();
    const defaulted = `query Wide($n: Int = 100) { customers(first: $n) { edges { node { activities(first: $n) { edges { node { id } } } } } } }`;
    expect(await client.errorCode(defaulted)).toBe('QUERY_TOO_COMPLEX');
    expect((await client.request(defaulted, { n: 10 })).errors).toBeUndefined();
  });
});
