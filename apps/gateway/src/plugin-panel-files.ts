// Serves the dashboard panel modules that plugins ship (`GET /plugins/<plugin>/panels/<panel>.js`): only the files
// their definitions name, never a path built from the URL. Code, not data: the panel reads data with the user's key.
import { readFile } from 'node:fs/promises';
import type http from 'node:http';
import type { PluginHost } from '@crm/plugin-sdk/host';

export function pluginPanelRoute(host: PluginHost) {
  const files = new Map(host.panels.map((panel) => [panel.path, panel.file]));
  return async (req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const file = files.get((req.url ?? '/').split('?')[0]!);
    if (!file) return false;
    const body = await readFile(file);
    res.writeHead(200, {
      'content-type': 'text/javascript; charset=utf-8',
      'content-length': body.length,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
