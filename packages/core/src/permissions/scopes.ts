import { badInput } from '../errors.js';
import type { ObjectCatalog, ResolvedObject } from '../objects/index.js';
import { isGoverned, type ObjectAction } from './role-grants.js';

/**
 * Narrower scopes of an API key: `<object>:read` or `<object>:write` (write includes read), where `<object>` is the
 * object's root list name (`deals`, `customers`, a plugin's `competitors`), and a plugin's declared permissions as
 * `<pluginId>.<permission>`. A key with scopes does only what both its role and one of its scopes allow; a key
 * without scopes does what its role allows.
 */
const SCOPE = /^([A-Za-z][A-Za-z0-9]*):(read|write)$/;

/** The name scopes use for an object. */
export const scopeName = (object: Pick<ResolvedObject, 'name' | 'plural'>) => object.plural ?? object.name.charAt(0).toLowerCase() + object.name.slice(1);

/** A plugin's declared permission as a scope: `<pluginId>.<permission>` (`loyalty.redeem`). */
const PLUGIN_SCOPE = /^[a-z0-9][a-z0-9-]*\.[A-Za-z][A-Za-z0-9_]*$/;

/** Checks scopes against the catalog: BAD_USER_INPUT naming `scopes.<i>`. */
export function checkScopes(catalog: ObjectCatalog, scopes: readonly string[]): string[] {
  const names = new Set([...catalog.objects].filter(isGoverned).map(scopeName));
  scopes.forEach((scope, i) => {
    const match = SCOPE.exec(scope);
    if (PLUGIN_SCOPE.test(scope)) return;
    if (!match || !names.has(match[1]!)) {
      throw badInput(`scopes.${i}: ${scope} is not <objects>:read, <objects>:write or <pluginId>.<permission>`, `scopes.${i}`);
    }
  });
  return [...new Set(scopes)];
}

/** Whether scopes allow an action on an object (no scopes: everything the role allows). */
export function scopesAllow(scopes: readonly string[], object: ResolvedObject, action: ObjectAction): boolean {
  if (!scopes.length) return true;
  const name = scopeName(object);
  return scopes.includes(`${name}:write`) || (action === 'read' && scopes.includes(`${name}:read`));
}
