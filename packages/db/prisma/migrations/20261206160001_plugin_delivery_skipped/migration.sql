-- A delivery the plugin host did not make: the event's causal chain was deeper than the host's bound
-- (PLUGIN_MAX_CHAIN_DEPTH). Recorded so an ADMIN sees the cut in `pluginDeliveries`, and final: catch-up and redelivery
-- leave it as it is.
ALTER TYPE "PluginDeliveryStatus" ADD VALUE 'SKIPPED';
