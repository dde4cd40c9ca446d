import { type ObjectDeclaration, type ResolvedObject, type ResolvedRelation, resolveObject } from './declaration.js';

/** A problem found in a set of declarations, with where it is. */
export interface DeclarationProblem {
  object: string;
  path: string;
  message: string;
}

/**
 * Every declared object of one schema (core's plus the enabled plugins'), resolved and cross-checked: relation
 * targets and keys exist, orders name sortable fields. Built once per schema; every derivation reads it.
 */
export class ObjectCatalog {
  readonly #objects = new Map<string, ResolvedObject>();

  constructor(declarations: readonly ObjectDeclaration[]) {
    for (const declaration of declarations) {
      if (this.#objects.has(declaration.name)) throw new CatalogError([{ object: declaration.name, path: 'name', message: 'declared twice' }]);
      this.#objects.set(declaration.name, resolveObject(declaration));
    }
    const problems = [...this.#objects.values()].flatMap((object) => this.#check(object));
    if (problems.length) throw new CatalogError(problems);
  }

  get objects(): Iterable<ResolvedObject> {
    return this.#objects.values();
  }

  has(name: string): boolean {
    return this.#objects.has(name);
  }

  get(name: string): ResolvedObject {
    const object = this.#objects.get(name);
    if (!object) throw new Error(`No object is declared as ${name}`);
    return object;
  }

  /** The object a relation points to. */
  target(relation: ResolvedRelation): ResolvedObject {
    return this.get(relation.target);
  }

  /** The objects a workspace may add custom fields to (declared `customFields: true`), in declaration order. */
  get extensible(): ResolvedObject[] {
    return [...this.#objects.values()].filter((object) => object.customFields);
  }

  /** The object whose Prisma model is `model` (none for a table custom objects share: it is not one object). */
  byModel(model: string): ResolvedObject | undefined {
    for (const object of this.#objects.values()) if (object.model === model && !object.sharedTable) return object;
    return undefined;
  }

  #check(object: ResolvedObject): DeclarationProblem[] {
    const problems: DeclarationProblem[] = [];
    const problem = (path: string, message: string) => problems.push({ object: object.name, path, message });
    if (!object.fields.has('id') || object.fields.get('id')!.kind !== 'id') problem('fields.id', 'every object has an `id` field of kind id');
    for (const field of object.fields.values()) {
      if (field.kind === 'enum' && !field.enum) problem(`fields.${field.name}`, 'an enum field names its enum');
      if (field.kind === 'reference' && !(field.references && this.#objects.has(field.references))) {
        problem(`fields.${field.name}`, `references an undeclared object ${field.references ?? ''}`);
      }
    }
    for (const relation of object.relations.values()) {
      const target = this.#objects.get(relation.target);
      if (!target) {
        problem(`relations.${relation.name}`, `targets an undeclared object ${relation.target}`);
        continue;
      }
      const keyOwner = relation.kind === 'toMany' || relation.keyOnTarget ? target : object;
      if (!keyOwner.fields.has(relation.key)) problem(`relations.${relation.name}`, `${keyOwner.name} has no field ${relation.key}`);
      if (object.fields.has(relation.graphqlName)) problem(`relations.${relation.name}`, `clashes with the field ${relation.graphqlName}`);
      for (const term of relation.order ?? []) {
        if (!target.fields.get(term.field)?.sort && term.field !== 'id') problem(`relations.${relation.name}.order`, `${target.name}.${term.field} is not sortable`);
      }
    }
    for (const term of object.defaultOrder) {
      const owner = term.relation ? this.#objects.get(object.relations.get(term.relation)?.target ?? '') : object;
      if (!owner?.fields.get(term.field)?.sort && term.field !== 'id') problem('defaultOrder', `${term.field} is not sortable`);
    }
    for (const name of object.searchThrough) {
      const relation = object.relations.get(name);
      if (relation?.kind !== 'toOne' || relation.keyOnTarget) problem('searchThrough', `${name} is not a to-one relation by a key of ${object.name}`);
    }
    if (object.owner !== undefined && object.fields.get(object.owner)?.references !== 'User') problem('owner', `${object.owner} is not a reference to User`);
    // Custom values are read and written in SQL by the object's name (`"Competitor"."customFields"`): one table of its own.
    if (object.customFields && (object.model !== object.name || object.sharedTable)) problem('customFields', 'an object taking custom fields is its own table, named as the object');
    for (const key of object.uniqueKeys) {
      for (const name of key) if (!object.fields.has(name)) problem('uniqueKeys', `no field ${name}`);
    }
    return problems;
  }
}

export class CatalogError extends Error {
  constructor(readonly problems: readonly DeclarationProblem[]) {
    super(`Invalid object declarations:\n${problems.map((p) => `- ${p.object}.${p.path}: ${p.message}`).join('\n')}`);
  }
}
