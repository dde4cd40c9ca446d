import { useCustomerFields } from '../data/customer-fields.js';
import type { CustomerPanelProps } from './customer-panel.js';
import { customerPanels } from './registry.js';

/** The registered panels whose Customer field this gateway serves (none until the fields are known). */
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
    </>
  );
}
