// Which objects take custom fields is said by their declarations (`customFields: true`), read from the catalog.
import { describe, expect, it } from 'vitest';
import { CatalogError, coreCatalog, coreObjects, defineObject, ObjectCatalog } from '../src/index.js';

const Gadget = defineObject({ name: 'Gadget', customFields: true, fields: { id: { kind: 'id', sort: true } }, defaultOrder: [] });

describe('ObjectCatalog.extensible', () => {
  it("is core's Customer and Company, then the other declarations that opt in", () => {
    expect(coreCatalog.extensible.map((o) => o.name)).toEqual(['Customer', 'Company']);
    expect(new ObjectCatalog([...coreObjects, Gadget]).extensible.map((o) => o.name)).toEqual(['Customer', 'Company', 'Gadget']);
  });

  it('refuses an object that takes custom fields from a table named otherwise (values are written by the object’s name)', () => {
    expect(() => new ObjectCatalog([...coreObjects, { ...Gadget, model: 'Widget' }])).toThrow(CatalogError);
    expect(() => new ObjectCatalog([...coreObjects, { ...Gadget, model: 'Widget' }])).toThrow(/Gadget\.customFields: an object taking custom fields is its own table/);
  });
});
