// The Node entry (package.json `exports.node`): Node 20 has no global WebSocket, so subscriptions use `ws`.
import WebSocket from 'ws';
import { type CrmClientOptions, createCrmClient as createClient } from './create-client.js';

export * from './index.js';

/** `createCrmClient` with `ws` as the WebSocket (unless another is given). */
export function createCrmClient(options: CrmClientOptions) {
  return createClient({ webSocketImpl: WebSocket, ...options });
}
