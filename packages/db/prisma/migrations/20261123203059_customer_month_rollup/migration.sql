-- CreateTable
CREATE TABLE "CustomerMonth" (
    "customerId" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "month" DATE NOT NULL,
    "orders" INTEGER NOT NULL DEFAULT 0,
    "revenue" DECIMAL(16,2) NOT NULL DEFAULT 0,
    "productCost" DECIMAL(16,2) NOT NULL DEFAULT 0,
    "tickets" INTEGER NOT NULL DEFAULT 0,
    "activities" INTEGER NOT NULL DEFAULT 0,
    "campaignContacts" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "CustomerMonth_pkey" PRIMARY KEY ("customerId","month")
);

-- CreateIndex
CREATE INDEX "CustomerMonth_workspaceId_month_idx" ON "CustomerMonth"("workspaceId", "month");

-- AddForeignKey
ALTER TABLE "CustomerMonth" ADD CONSTRAINT "CustomerMonth_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Written by hand from here (Prisma does not model functions or triggers): the rollup is maintained by statement-level
-- triggers with transition tables on the four tables it sums, so every write path (commands, the order import, the
-- demo seed, plugins, tests writing rows directly) keeps it current in its own transaction, at one aggregate upsert
-- per statement (a 5,000-row import batch is one upsert, not 5,000).

-- The workspace's margin as `analyticsSettingsOf` reads it (default 0.3, defaultLifetimeValueSettings.margin).
CREATE FUNCTION crm_analytics_margin(settings JSONB) RETURNS NUMERIC LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN jsonb_typeof(settings -> 'analytics' -> 'margin') = 'number'
              THEN (settings -> 'analytics' ->> 'margin')::numeric ELSE 0.3 END
$$;

-- Adds signed deltas per (customer, month); rows of deleted customers are skipped (their rows cascade away) and rows
-- left with nothing to count are removed.
CREATE FUNCTION crm_customer_month_add(
  workspaces UUID[], customers UUID[], months DATE[], orders INT[], revenue NUMERIC[], cost NUMERIC[],
  tickets INT[], activities INT[], contacts INT[]
) RETURNS VOID LANGUAGE sql AS $$
  INSERT INTO "CustomerMonth" AS cm ("customerId", "workspaceId", month, orders, revenue, "productCost", tickets, activities, "campaignContacts")
  SELECT u.customer, u.workspace, u.month, u.orders, u.revenue, u.cost, u.tickets, u.activities, u.contacts
    FROM unnest(workspaces, customers, months, orders, revenue, cost, tickets, activities, contacts)
      AS u(workspace, customer, month, orders, revenue, cost, tickets, activities, contacts)
   WHERE EXISTS (SELECT 1 FROM "Customer" c WHERE c.id = u.customer)
   ORDER BY u.customer, u.month
  ON CONFLICT ("customerId", month) DO UPDATE SET
    orders = cm.orders + EXCLUDED.orders, revenue = cm.revenue + EXCLUDED.revenue,
    "productCost" = cm."productCost" + EXCLUDED."productCost", tickets = cm.tickets + EXCLUDED.tickets,
    activities = cm.activities + EXCLUDED.activities, "campaignContacts" = cm."campaignContacts" + EXCLUDED."campaignContacts";
  DELETE FROM "CustomerMonth" cm USING unnest(customers, months) AS u(customer, month)
   WHERE cm."customerId" = u.customer AND cm.month = u.month
     AND cm.orders = 0 AND cm.tickets = 0 AND cm.activities = 0 AND cm."campaignContacts" = 0;
$$;

-- The rows a statement changed, signed: +1 for new rows, −1 for old ones (an UPDATE is both). Transition tables are
-- visible to dynamic SQL; a static reference to `old_rows` would not compile in an INSERT trigger.
CREATE FUNCTION crm_changed_rows(op TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE op WHEN 'INSERT' THEN 'SELECT n.*, 1 AS sign FROM new_rows n'
                 WHEN 'DELETE' THEN 'SELECT o.*, -1 AS sign FROM old_rows o'
                 ELSE 'SELECT n.*, 1 AS sign FROM new_rows n UNION ALL SELECT o.*, -1 AS sign FROM old_rows o' END
$$;

CREATE FUNCTION crm_customer_month_orders() RETURNS TRIGGER LANGUAGE plpgsql AS $$
DECLARE w UUID[]; c UUID[]; m DATE[]; n INT[]; rev NUMERIC[]; cost NUMERIC[]; zeros INT[];
BEGIN
  -- Key-share lock on the workspaces before reading their margin: updateAnalyticsSettings locks the row FOR UPDATE
  -- before it re-costs the rollup, so an order costed at the old margin cannot slip in after the re-costing.
  EXECUTE format('SELECT 1 FROM "Workspace" WHERE id IN (SELECT d."workspaceId" FROM (%s) d) ORDER BY id FOR KEY SHARE', crm_changed_rows(TG_OP));
  EXECUTE format(
    'SELECT array_agg(w), array_agg(c), array_agg(m), array_agg(n), array_agg(rev), array_agg(cost), array_agg(0)
       FROM (SELECT d."workspaceId" AS w, d."customerId" AS c, date_trunc(''month'', d."orderedAt" AT TIME ZONE ''UTC'')::date AS m,
                    sum(d.sign)::int AS n, sum(d.sign * d.total) AS rev,
                    sum(d.sign * coalesce(d.cost, round(d.total * (1 - crm_analytics_margin(ws.settings)), 2))) AS cost
               FROM (%s) d JOIN "Workspace" ws ON ws.id = d."workspaceId"
              GROUP BY 1, 2, 3) g
      WHERE n <> 0 OR rev <> 0 OR cost <> 0', crm_changed_rows(TG_OP))
    INTO w, c, m, n, rev, cost, zeros;
  IF w IS NOT NULL THEN PERFORM crm_customer_month_add(w, c, m, n, rev, cost, zeros, zeros, zeros); END IF;
  RETURN NULL;
END $$;

-- Tickets (by createdAt), activities (by occurredAt) and campaign contacts (SENT responses, by occurredAt): counts.
CREATE FUNCTION crm_customer_month_counts() RETURNS TRIGGER LANGUAGE plpgsql AS $$
DECLARE w UUID[]; c UUID[]; m DATE[]; k INT[]; zeros INT[]; nothing NUMERIC[];
  at_column TEXT := CASE TG_TABLE_NAME WHEN 'Ticket' THEN 'createdAt' ELSE 'occurredAt' END;
  only_sent TEXT := CASE TG_TABLE_NAME WHEN 'CampaignResponse' THEN 'WHERE d.kind = ''SENT''' ELSE '' END;
BEGIN
  EXECUTE format(
    'SELECT array_agg(w), array_agg(c), array_agg(m), array_agg(k), array_agg(0), array_agg(0::numeric)
       FROM (SELECT d."workspaceId" AS w, d."customerId" AS c, date_trunc(''month'', d.%I AT TIME ZONE ''UTC'')::date AS m, sum(d.sign)::int AS k
               FROM (%s) d %s GROUP BY 1, 2, 3) g
      WHERE k <> 0', at_column, crm_changed_rows(TG_OP), only_sent)
    INTO w, c, m, k, zeros, nothing;
  IF w IS NULL THEN RETURN NULL; END IF;
  CASE TG_TABLE_NAME
    WHEN 'Ticket' THEN PERFORM crm_customer_month_add(w, c, m, zeros, nothing, nothing, k, zeros, zeros);
    WHEN 'Activity' THEN PERFORM crm_customer_month_add(w, c, m, zeros, nothing, nothing, zeros, k, zeros);
    ELSE PERFORM crm_customer_month_add(w, c, m, zeros, nothing, nothing, zeros, zeros, k);
  END CASE;
  RETURN NULL;
END $$;

CREATE TRIGGER "Order_customer_month_insert" AFTER INSERT ON "Order" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION crm_customer_month_orders();
CREATE TRIGGER "Order_customer_month_update" AFTER UPDATE ON "Order" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION crm_customer_month_orders();
CREATE TRIGGER "Order_customer_month_delete" AFTER DELETE ON "Order" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION crm_customer_month_orders();
CREATE TRIGGER "Ticket_customer_month_insert" AFTER INSERT ON "Ticket" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION crm_customer_month_counts();
CREATE TRIGGER "Ticket_customer_month_update" AFTER UPDATE ON "Ticket" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION crm_customer_month_counts();
CREATE TRIGGER "Ticket_customer_month_delete" AFTER DELETE ON "Ticket" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION crm_customer_month_counts();
CREATE TRIGGER "Activity_customer_month_insert" AFTER INSERT ON "Activity" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION crm_customer_month_counts();
CREATE TRIGGER "Activity_customer_month_update" AFTER UPDATE ON "Activity" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION crm_customer_month_counts();
CREATE TRIGGER "Activity_customer_month_delete" AFTER DELETE ON "Activity" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION crm_customer_month_counts();
CREATE TRIGGER "CampaignResponse_customer_month_insert" AFTER INSERT ON "CampaignResponse" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION crm_customer_month_counts();
CREATE TRIGGER "CampaignResponse_customer_month_update" AFTER UPDATE ON "CampaignResponse" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION crm_customer_month_counts();
CREATE TRIGGER "CampaignResponse_customer_month_delete" AFTER DELETE ON "CampaignResponse" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION crm_customer_month_counts();

-- Backfill from the rows that exist.
INSERT INTO "CustomerMonth" ("customerId", "workspaceId", month, orders, revenue, "productCost", tickets, activities, "campaignContacts")
SELECT e."customerId", e."workspaceId", e.month, sum(e.orders)::int, sum(e.revenue), sum(e.cost), sum(e.tickets)::int, sum(e.activities)::int, sum(e.contacts)::int
  FROM (
    SELECT o."customerId", o."workspaceId", date_trunc('month', o."orderedAt" AT TIME ZONE 'UTC')::date AS month, count(*) AS orders,
           sum(o.total) AS revenue, sum(coalesce(o.cost, round(o.total * (1 - crm_analytics_margin(ws.settings)), 2))) AS cost,
           0 AS tickets, 0 AS activities, 0 AS contacts
      FROM "Order" o JOIN "Workspace" ws ON ws.id = o."workspaceId" GROUP BY 1, 2, 3
    UNION ALL
    SELECT "customerId", "workspaceId", date_trunc('month', "createdAt" AT TIME ZONE 'UTC')::date, 0, 0, 0, count(*), 0, 0 FROM "Ticket" GROUP BY 1, 2, 3
    UNION ALL
    SELECT "customerId", "workspaceId", date_trunc('month', "occurredAt" AT TIME ZONE 'UTC')::date, 0, 0, 0, 0, count(*), 0 FROM "Activity" GROUP BY 1, 2, 3
    UNION ALL
    SELECT "customerId", "workspaceId", date_trunc('month', "occurredAt" AT TIME ZONE 'UTC')::date, 0, 0, 0, 0, 0, count(*)
      FROM "CampaignResponse" WHERE kind = 'SENT' GROUP BY 1, 2, 3
  ) e
 GROUP BY 1, 2, 3;
