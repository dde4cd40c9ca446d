// Panels that plugin packages ship (the panel contract, docs/plugins/dashboard-panels.md): the gateway lists them
// (`dashboardPanels`) and serves their modules; the dashboard imports each module and mounts it. Nothing to register
// here: installing a plugin with a panel is enough.
import { type AnyVariables, graphql } from '@crm/client';
import { useEffect, useRef, useState } from 'react';
import { useClient, useCrmQuery } from '../data/hooks.js';
import type { CustomerPanelProps } from './customer-panel.js';

const dashboardPanelsQuery = graphql(`
  query DashboardPanels($slot: String!) {
    dashboardPanels(slot: $slot) { id plugin title moduleUrl }
  }
`);

/** What a panel module's `mount` gets. */
export interface PanelContext {
  customerId: string;
  /** Runs a GraphQL document with the signed-in key; resolves with its data, rejects with its errors. */
  query<Data = Record<string, unknown>>(document: string, variables?: Record<string, unknown>): Promise<Data>;
}

/** A panel module's default export. */
type Mount = (element: HTMLElement, context: PanelContext) => void | (() => void);

/**
 * The plugins' panels for the customer page. None when the gateway runs no plugin that ships one; a gateway with no
 * plugin at all has no `dashboardPanels` field, and its refusal just means "no panels".
 */
export function PluginPanels(props: CustomerPanelProps) {
  const panels = useCrmQuery(dashboardPanelsQuery, { slot: 'customer' }, { requestPolicy: 'cache-first' });
  if (!panels.data?.dashboardPanels) return null;
  return (
    <>
      {panels.data.dashboardPanels.map((panel) => (
        <PluginPanel key={`${panel.plugin}/${panel.id}`} {...panel} customerId={props.customerId} version={props.version} />
      ))}
    </>
  );
}

interface PluginPanelProps extends CustomerPanelProps {
  id: string;
  plugin: string;
  title: string;
  moduleUrl: string;
}

function PluginPanel({ id, plugin, title, moduleUrl, customerId, version }: PluginPanelProps) {
  const client = useClient();
  const element = useRef<HTMLDivElement>(null);
  const [failure, setFailure] = useState<Error>();
  useEffect(() => {
    let cleanup: void | (() => void);
    let current = true;
    const context: PanelContext = {
      customerId,
      async query<Data>(document: string, variables: Record<string, unknown> = {}) {
        const result = await client.query<Data, AnyVariables>(document, variables, { requestPolicy: 'network-only' }).toPromise();
        if (result.error) throw result.error;
        return result.data as Data;
      },
    };
    // The module is the plugin's, served by the gateway (same origin): not part of this bundle.
    import(/* @vite-ignore */ new URL(moduleUrl, window.location.origin).href).then(
      (module: { default?: Mount }) => {
        if (!current || !element.current) return;
        if (typeof module.default !== 'function') throw new Error(`${moduleUrl} has no default export mount(element, context)`);
        cleanup = module.default(element.current, context);
      },
      (error: unknown) => current && setFailure(error instanceof Error ? error : new Error(String(error))),
    );
    return () => {
      current = false;
      if (typeof cleanup === 'function') cleanup();
      element.current?.replaceChildren();
    };
  }, [client, moduleUrl, customerId, version]);
  const headingId = `panel-${plugin}-${id}-title`;
  return (
    <section className="card" aria-labelledby={headingId} data-testid={`plugin-panel-${plugin}-${id}`}>
      <h2 id={headingId}>{title}</h2>
      {failure ? (
        <div className="state error" role="alert">
          <p>This panel could not load: {failure.message}</p>
        </div>
      ) : (
        <div ref={element} />
      )}
    </section>
  );
}
