export { createCrmClient, disposeCrmClient, socketOf, type CrmClientOptions } from './create-client.js';
export { crmCacheConfig, crmCacheExchange } from './cache.js';
export { subscribeToEvents, eventsSubscription, type CrmEvent, type EventStream, type EventStreamOptions } from './event-stream.js';
export { graphql, readFragment, maskFragments, type FragmentOf, type ResultOf, type VariablesOf, type TadaDocumentNode } from './graphql.js';
export { Client, CombinedError, type OperationResult, type AnyVariables } from '@urql/core';
