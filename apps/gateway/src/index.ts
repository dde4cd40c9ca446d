export { createGateway, type Gateway, type GatewayOptions } from './gateway.js';
export { createLogger, silentLogger, type Logger } from './logger.js';
export type { QueryLimits } from './armor.js';
export { InProcessEventBus, type EventBus, type EventListener } from './live/event-bus.js';
export { WebhookDispatcher } from './webhooks/dispatcher.js';
export type { WebhookDeliveryOptions } from './webhooks/options.js';
export { RedisEventBus, redisOptionsFromEnv, type RedisEventBusOptions } from './live/redis-event-bus.js';
export { EventRetention, retentionDaysFromEnv, DEFAULT_EVENT_RETENTION_DAYS, type EventRetentionSettings } from './live/event-retention.js';
