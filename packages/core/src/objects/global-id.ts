const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The row id inside a Relay global id (base64 of `Type:id`, as Pothos' relay plugin encodes it), or null when the
 * value is not a global id of `typename` with a UUID row id.
 */
export function decodeGlobalId(value: string, typename: string): string | null {
  if (value.length > 200 || !/^[A-Za-z0-9+/=]+$/.test(value)) return null;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0 || decoded.slice(0, colon) !== typename) return null;
  const id = decoded.slice(colon + 1);
  return uuid.test(id) ? id : null;
}

export const encodeGlobalId = (typename: string, id: string) => Buffer.from(`${typename}:${id}`, 'utf8').toString('base64');
