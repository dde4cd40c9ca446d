import type { CommandScope } from '../command.js';
import type { ObjectCatalog } from '../objects/catalog.js';
import type { FieldRename } from '../services/segments/segment-filter-rename.js';

/** Something stored that names a custom field (a saved segment, a plugin's workflow): `extensions.usedBy` lists it. */
export interface FieldUser {
  type: string;
  id: string;
  name: string;
}

/** The custom field asked about: its object's declared name (`Customer`, `Contract`), its name, its stable key. */
export interface FieldInQuestion {
  object: string;
  name: string;
  key: string;
}

/**
 * An extension's (a plugin's) answer to "which of your stored things use this custom field?", asked by
 * `deleteCustomField` inside its transaction, in the caller's workspace. `catalog` holds the workspace's objects with
 * their custom fields, to parse stored filters (`parseFilter`, then `storedKeysOf`).
 */
export interface FieldUsageExtension {
  /** Who holds them (a plugin id). */
  readonly id: string;
  usersOf(scope: CommandScope, field: FieldInQuestion, catalog: ObjectCatalog): Promise<readonly FieldUser[]>;
  /**
   * The field is being renamed (`rename.renames`: its old names to the new, a relation field's id field and reverse
   * connection included), in `renameCustomField`'s transaction: rewrite what names it, as saved segments are. `catalog`
   * holds the workspace's objects before the rename (`renameInFilter` walks stored filters over it).
   */
  renamed?(scope: CommandScope, field: FieldInQuestion, rename: FieldRename, catalog: ObjectCatalog): Promise<void>;
  /**
   * A custom object is being renamed (`from` → `to`; its event types follow: `contract.created` → `agreement.created`),
   * in `renameCustomObject`'s transaction: rewrite what names it. Called before the definition's row is updated (as
   * `renamed` is): locks a plugin takes here come before that row's, whose update a record's insert waits for.
   */
  objectRenamed?(scope: CommandScope, rename: { from: string; to: string }): Promise<void>;
}
