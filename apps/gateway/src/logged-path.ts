/**
 * A request's path as the access log, traces and metrics may show it: without the query string, and with the
 * credential some paths carry replaced by a placeholder. A workflow's webhook URL
 * (`/plugins/workflows/hooks/<workspaceId>/<workflowId>/<token>`, plugins/workflows/src/triggers/webhook.ts) is its
 * own authorization: whoever reads the token can start the workflow, so it is shown as `:token`.
 */
export function loggedPath(url: string | undefined): string {
  // A request target in absolute form (`POST http://host/plugins/…`, as a proxy sends it) is a path all the same.
  const path = (url ?? '/').split('?')[0]!.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
  return path.replace(/^(\/plugins\/workflows\/hooks\/[^/]*\/[^/]*\/)[^/]+/, '$1:token');
}
