// Record access's checks of a value ahead of its write (`checkValue`, `checkCustomValue`): by the rule the writer
// applies when it runs, so a workflow's values are refused at publish rather than at the run.
import { badInput, type ObjectCatalog, type ResolvedObject, storedValue, type WorkspaceDefinitions, writerOf } from '@crm/core';
import type { z } from 'zod';
import type { RecordAccess } from './record-access.js';

/** The field a written value named `name` sets: a declared or custom field, or a custom relation's key field. */
function writtenField(object: ResolvedObject, name: string) {
  const relation = object.relations.get(name);
  return relation?.kind === 'toOne' && relation.custom ? object.fields.get(relation.key) : object.fields.get(name);
}

/** The value checks of an access over `catalog`, with one workspace's definitions when given (custom fields need them). */
export function valueChecks(
  catalog: ObjectCatalog,
  workspace: { id: string; definitions: WorkspaceDefinitions } | null,
): Pick<RecordAccess, 'checkCustomValue' | 'checkValue'> {
  const checkCustomValue: RecordAccess['checkCustomValue'] = (name, fieldName, value, at) => {
    if (!workspace || !catalog.has(name)) return;
    const object = catalog.get(name);
    const field = writtenField(object, fieldName);
    if (!field?.stored) return;
    // A custom object's fields name it by its id (its rows' value in the shared table); an extended object's, by name.
    const owner = object.sharedTable ? object.sharedTable.value : object.name;
    const definition = workspace.definitions.fields.find((f) => f.object === owner && f.key === field.stored!.key);
    if (!definition) return;
    if (value === null || value === undefined || (Array.isArray(value) && !value.length)) {
      if (definition.required) throw badInput(`${at}: ${definition.name} is required`, at);
    } else storedValue(definition, value, at);
  };
  const checkValue: RecordAccess['checkValue'] = (name, fieldName, value, action, at) => {
    if (!catalog.has(name)) return;
    const object = catalog.get(name);
    if (writtenField(object, fieldName)?.stored) return checkCustomValue(name, fieldName, value, at);
    const rule = (writerOf(object)?.inputs?.[action]?.shape as Record<string, z.ZodType> | undefined)?.[fieldName];
    const result = rule?.safeParse(value);
    if (result && !result.success) throw badInput(`${at}: ${result.error.issues[0]!.message}`, at);
  };
  return { checkCustomValue, checkValue };
}
