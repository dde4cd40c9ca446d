// A queue handler's context in a workspace where its plugin is switched off (QueueDefinition.whileSwitchedOff): the
// cleanup it is let run for needs the plugin's own rows only (`tx`, `rows`, `sql`), not what acts in the workspace on
// the plugin's behalf — an HTTP call, an event, a core command, another plugin's action, a record written through
// `objects`, another actor — which the workspace's admin switched off. Those refuse, with this error.

export class PluginSwitchedOffError extends Error {
  readonly code = 'PLUGIN_SWITCHED_OFF';
  constructor(plugin: string, what: string) {
    super(`Plugin ${plugin} is switched off in this workspace: its whileSwitchedOff queue may clean up its own rows (tx, rows, sql), not use ${what}`);
    this.name = 'PluginSwitchedOffError';
  }
}

/** Something the handler must not use while switched off: any call or property of it throws PluginSwitchedOffError. */
export function refusing<T>(plugin: string, what: string): T {
  const refuse = () => {
    throw new PluginSwitchedOffError(plugin, what);
  };
  return new Proxy(function refused() {}, { apply: refuse, get: refuse, construct: refuse }) as unknown as T;
}
