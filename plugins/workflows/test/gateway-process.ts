// A gateway in a process of its own (`npm start`'s entry point, apps/gateway/dist/main.js) on a test database: what
// another instance, or a restart, is. Its own memory too: what it knows in-process (the workflows plugin's hints of
// held runs, admission.ts) is not the test process's.
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../../apps/gateway/dist/main.js', import.meta.url));

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface GatewayProcess {
  url: string;
  child: ChildProcess;
}

/**
 * Starts the gateway on `databaseUrl`, private webhook targets allowed, no demo and no warm-up, with `env` (its plugins:
 * `CRM_PLUGINS`; the workflows queue's `WORKFLOWS_LEASE_MS`, `WORKFLOWS_POLL_MS`…), once it answers /ready.
 */
export async function startGatewayProcess(databaseUrl: string, env: Record<string, string>): Promise<GatewayProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), CRM_WEBHOOKS_ALLOW_PRIVATE: '1', CRM_DEMO: '0', CRM_WARM_UP: '0', LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let tries = 0; ; tries++) {
    try {
      if ((await fetch(`${url}/ready`)).ok) return { url, child };
    } catch {
      // not listening yet
    }
    if (tries > 600 || child.exitCode !== null) throw new Error('the gateway did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** `kill -9`: the process stops at once, whatever it was doing. */
export function killGatewayProcess(gateway: GatewayProcess): Promise<void> {
  if (gateway.child.exitCode !== null || gateway.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    gateway.child.once('exit', () => resolve());
    gateway.child.kill('SIGKILL');
  });
}
