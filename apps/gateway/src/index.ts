export { createGateway, type Gateway, type GatewayOptions } from './gateway.js';
export { createLogger, silentLogger, type Logger } from './logger.js';
export type { QueryLimits } from './armor.js';
export { InProcessEventBus, type EventBus, type EventListener } from './live/event-bus.js';
export { DASHBOARD_PATH, dashboardBuilt } from './dashboard-files.js';
export { printGatewaySchema } from './schema-sdl.js';
