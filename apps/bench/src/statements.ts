/** A GraphQL POST to `url`/graphql; a response with `errors` is an error (a benchmark must measure answers). */
export async function postGraphQL(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const json = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown };
  if (json.errors || !json.data) throw new Error(`query failed: ${JSON.stringify(json.errors ?? json).slice(0, 500)}`);
  return json.data;
}

/**
 * SQL statements one request costs: the request is sent once unmeasured (caches, the API key's verification), then
 * again between two readings of `count` (a counter of the statements the server has sent).
 */
export async function statementsPerRequest(url: string, body: unknown, headers: Record<string, string>, count: () => Promise<number> | number): Promise<number> {
  await postGraphQL(url, body, headers);
  const before = await count();
  await postGraphQL(url, body, headers);
  return (await count()) - before;
}
