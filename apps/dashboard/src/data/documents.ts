// The documents the dashboard shares between pages (page-specific ones live with their page).
import { graphql } from '@crm/client';

export const whoAmI = graphql(`
  query WhoAmI { viewer { role actor } workspace { id name } }
`);

export const pipelinesQuery = graphql(`
  query Pipelines {
    pipelines { id name isDefault openValue weightedValue stages { id name position probability isWon isLost } }
  }
`);
