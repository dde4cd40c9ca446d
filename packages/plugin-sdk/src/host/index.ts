// The host side of the SDK: used by the gateway and the CLI, not by plugins.
export { createPluginHost, coreVersion, emptyPluginHost, formatProblems, PluginHostError, type CreatePluginHostOptions, type PluginHost } from './plugin-host.js';
export { pluginSession, type DeliveryOptions, type HostOutboundHttp, type LimitVerdict, type PluginRuntime, type RouteFailureLimit } from './plugin-runtime.js';
export {
  bundledPluginDirs,
  defaultRoot,
  importPlugin,
  loadPlugins,
  pluginHostFromEnvironment,
  readConfig,
  resolveConfigEntry,
  type LoadedPlugins,
  type LoadPluginsOptions,
  type PluginSource,
} from './load-plugins.js';
export type { OutboundAnswer, OutboundHttp, OutboundMethod, OutboundRequest } from '../outbound-http.js';
export { HEADER_VALUE, OUTBOUND_RESERVED_HEADERS } from '../outbound-http.js';
export type { Plugin, PluginProblem } from '../plugin.js';
export { rowsFor, sqlFor } from './plugin-sql-for.js';
export { DEFAULT_MAX_CHAIN_DEPTH, maxChainDepthFromEnv, MAX_CHAIN_DEPTH_VARIABLE, type ChainCut } from './chain-bound.js';
