import { useCustomerFields } from '../data/customer-fields.js';
import type { CustomerPanelProps } from './customer-panel.js';
import { PluginPanels } from './PluginPanels.js';
import { customerPanels } from './registry.js';

/** The registered panels whose Customer field this gateway serves (none until the fields are known), then those plugins ship. */
export function CustomerPanels(props: CustomerPanelProps) {
  const fields = useCustomerFields();
  if (!fields) return null;
  return (
    <>
      {customerPanels
        .filter((panel) => fields.has(panel.field))
        .map(({ id, Component }) => (
          <Component key={id} {...props} />
        ))}
      <PluginPanels {...props} />
    </>
  );
}
