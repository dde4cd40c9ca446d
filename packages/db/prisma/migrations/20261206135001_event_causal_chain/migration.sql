-- Events carry the causal chain they are part of (stamped by the plugin host): the actor that began it and the number
-- of subscriber hops since. Both set in the event's own INSERT; adding them rewrites no row (a constant default).
ALTER TABLE "Event" ADD COLUMN "causedBy" TEXT;
ALTER TABLE "Event" ADD COLUMN "chainDepth" INTEGER NOT NULL DEFAULT 0;
