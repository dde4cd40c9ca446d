// The dashboard names a relation's reverse connection (`Customer.contracts`) as the server does: checked against the
// core's own rule (`reverseRelationName`), which the workspace's schema is built from, so the two cannot drift apart.
import { reverseRelationName } from '@crm/core';
import { describe, expect, it } from 'vitest';
import type { CustomObject } from '../custom-fields/definitions.js';
import { COMPANY, CUSTOMER } from '../custom-fields/record-kinds.js';
import { connectionsTo } from './ReverseConnections.js';

const contract: CustomObject = {
  id: 'o1',
  name: 'Contract',
  pluralName: 'contracts',
  label: 'Contract',
  description: null,
  fields: [
    { name: 'number', type: 'TEXT', target: null },
    { name: 'customer', type: 'RELATION', target: 'Customer' },
    { name: 'guarantor', type: 'RELATION', target: 'Customer' },
    { name: 'company', type: 'RELATION', target: 'Company' },
  ],
};
const visit: CustomObject = { ...contract, id: 'o2', name: 'StoreVisit', pluralName: 'storeVisits', fields: [{ name: 'visitor', type: 'RELATION', target: 'Customer' }] };

describe('connectionsTo', () => {
  it("names each relation field's reverse connection on its target as the core does", () => {
    const names = connectionsTo(CUSTOMER, [contract, visit]).map((c) => c.name);
    expect(names).toEqual(['contracts', 'contractsAsGuarantor', 'storeVisitsAsVisitor']);
    expect(names).toEqual([
      reverseRelationName({ name: 'customer' }, 'contracts', 'Customer'),
      reverseRelationName({ name: 'guarantor' }, 'contracts', 'Customer'),
      reverseRelationName({ name: 'visitor' }, 'storeVisits', 'Customer'),
    ]);
    expect(connectionsTo(COMPANY, [contract, visit]).map((c) => c.name)).toEqual([reverseRelationName({ name: 'company' }, 'contracts', 'Company')]);
  });
});
