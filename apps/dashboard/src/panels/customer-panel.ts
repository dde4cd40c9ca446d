// The contract of a customer 360 panel that reads a field analytics or a plugin adds to Customer.
import type { AnyVariables, TadaDocumentNode } from '@crm/client';
import { type ComponentType, useEffect } from 'react';
import { useCrmQuery } from '../data/hooks.js';

export interface CustomerPanelProps {
  customerId: string;
  /** Grows when an event concerns the customer: the panel fetches again. */
  version: number;
}

export interface CustomerPanel {
  id: string;
  /** The Customer field the panel reads: the panel is shown only when the gateway serves it. */
  field: string;
  Component: ComponentType<CustomerPanelProps>;
}

/** A panel's query for one customer, fetched again when `version` grows. */
export function usePanelQuery<Data>(document: TadaDocumentNode<Data, { id: string }>, { customerId, version }: CustomerPanelProps) {
  const query = useCrmQuery<Data, { id: string } & AnyVariables>(document, { id: customerId });
  const { refetch } = query;
  useEffect(() => {
    if (version > 0) refetch();
  }, [version, refetch]);
  return query;
}
