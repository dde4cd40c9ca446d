import { type GraphQLInputObjectType, type GraphQLObjectType, isInputObjectType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSchema } from '../src/schema.js';

// The public contract (CONTRACT.md, "GraphQL surface"): names clients rely on. Renaming one fails here first.
const schema = buildSchema();
const fieldsOf = (name: string) => Object.keys((schema.getType(name) as GraphQLObjectType | GraphQLInputObjectType).getFields());

describe('the GraphQL contract', () => {
  it('has the Relay root fields and by-id lookups', () => {
    expect(fieldsOf('Query')).toEqual(expect.arrayContaining(['node', 'customer', 'company', 'deal', 'ticket', 'customers', 'pipelines']));
    const customers = schema.getQueryType()!.getFields().customers!;
    expect(customers.args.map((a) => a.name)).toEqual(expect.arrayContaining(['first', 'after', 'last', 'before', 'filter', 'orderBy', 'search']));
    expect(String(customers.type)).toBe('QueryCustomersConnection!');
    expect(fieldsOf('QueryCustomersConnection')).toEqual(expect.arrayContaining(['edges', 'pageInfo', 'totalCount']));
  });

  it('has the customer fields and filters', () => {
    expect(fieldsOf('Customer')).toEqual(
      expect.arrayContaining(['id', 'name', 'email', 'phone', 'lifecycleStage', 'company', 'owner', 'tags', 'createdAt', 'updatedAt',
        'activities', 'orders', 'deals', 'tickets', 'lifetimeValue']),
    );
    expect(fieldsOf('CustomerFilter')).toEqual(expect.arrayContaining(['lifecycleStage', 'companyId', 'ownerId', 'tags', 'createdAt', 'lifetimeValue', 'and', 'or', 'not', 'company', 'orders', 'inSegment']));
    expect(fieldsOf('CreateCustomerInput')).toEqual(expect.arrayContaining(['name', 'email', 'phone', 'lifecycleStage', 'companyId', 'ownerId', 'tags']));
    expect(fieldsOf('UpdateCustomerInput')).toEqual(expect.arrayContaining(['id', 'name', 'email']));
    expect(fieldsOf('CreateCompanyInput')).toEqual(expect.arrayContaining(['name', 'domain']));
  });

  it('has every mutation the contract names, each taking one input and returning a payload', () => {
    const mutations = schema.getMutationType()!.getFields();
    for (const name of ['createCustomer', 'updateCustomer', 'deleteCustomer', 'createCompany', 'logActivity', 'recordOrder', 'createDeal',
      'moveDeal', 'createTicket', 'updateTicket', 'createProduct']) {
      const field = mutations[name];
      expect(field, name).toBeDefined();
      expect(field!.args.map((a) => a.name), name).toEqual(['input']);
      expect(String(field!.type), name).toMatch(/Payload!$/);
      expect(isObjectType(schema.getType(String(field!.type).slice(0, -1))), name).toBe(true);
    }
  });

  it('has the contract input fields', () => {
    const expectInput = (name: string, fields: string[]) => {
      expect(isInputObjectType(schema.getType(name)), name).toBe(true);
      expect(fieldsOf(name), name).toEqual(expect.arrayContaining(fields));
    };
    expectInput('CreateProductInput', ['sku', 'name', 'unitPrice']);
    expectInput('LogActivityInput', ['customerId', 'type', 'channel', 'subject', 'body', 'occurredAt']);
    expectInput('RecordOrderInput', ['customerId', 'orderedAt', 'lines']);
    expectInput('CreateDealInput', ['title', 'customerId', 'pipelineId', 'stageId', 'amount']);
    expectInput('MoveDealInput', ['id', 'stageId', 'lostReason']);
    expectInput('CreateTicketInput', ['customerId', 'subject', 'priority']);
  });

  it('uses the contract scalars and enums', () => {
    expect(schema.getType('Decimal')).toBeDefined();
    expect(schema.getType('DateTime')).toBeDefined();
    const stages = schema.getType('LifecycleStage') as unknown as { getValues(): { name: string }[] };
    expect(stages.getValues().map((v) => v.name)).toEqual(['PROSPECT', 'LEAD', 'CUSTOMER', 'ADVOCATE', 'CHURNED']);
    const channels = schema.getType('Channel') as unknown as { getValues(): { name: string }[] };
    expect(channels.getValues().map((v) => v.name)).toEqual(['WEB', 'PHONE', 'CHAT', 'EMAIL', 'SOCIAL', 'IN_PERSON']);
  });

  it('has dashboardMetrics as a query and a subscription, with the shape dashboards build against', () => {
    expect(String(schema.getQueryType()!.getFields().dashboardMetrics?.type)).toBe('DashboardMetrics!');
    expect(String(schema.getSubscriptionType()!.getFields().dashboardMetrics?.type)).toBe('DashboardMetrics!');
    const fields = (schema.getType('DashboardMetrics') as GraphQLObjectType).getFields();
    const types = Object.fromEntries(Object.entries(fields).map(([name, field]) => [name, String(field.type)]));
    expect(types).toMatchObject({
      asOf: 'DateTime!',
      customersByStage: '[LifecycleStageCount!]!',
      openPipelineValue: 'Decimal!',
      weightedPipelineValue: 'Decimal!',
      dealsWonThisMonth: 'Int!',
      dealsLostThisMonth: 'Int!',
      revenueThisMonth: 'Decimal!',
      openTickets: 'Int!',
      averageCsat: 'Float',
      newCustomersThisWeek: 'Int!',
    });
    const count = (schema.getType('LifecycleStageCount') as GraphQLObjectType).getFields();
    expect(Object.fromEntries(Object.entries(count).map(([name, field]) => [name, String(field.type)]))).toEqual({
      stage: 'LifecycleStage!',
      count: 'Int!',
    });
  });
});
