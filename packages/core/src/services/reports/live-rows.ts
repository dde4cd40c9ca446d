// "Not in the trash" for raw-SQL figures (docs/data.md, "Trash"). Raw SQL bypasses the trash scope of the Prisma
// client, so each figure that counts customers, deals or tickets says it with these. Figures built from orders,
// survey answers and campaign responses keep a trashed customer's: they are history and stay counted.

/** The record at `alias` (a trashable table: Customer, Deal, Ticket, Task, …) is not in the trash. */
export const notTrashed = (alias: string) => `${alias}."deletedAt" IS NULL`;

/**
 * The row at `alias` (its `customerId` and `workspaceId` columns) belongs to a customer not in the trash. Written as
 * an anti-join on the trashed customers, who are few: the planner hashes them once, or looks each row up by key.
 */
export const ofLiveCustomer = (alias: string) =>
  `NOT EXISTS (SELECT 1 FROM "Customer" trashed WHERE trashed.id = ${alias}."customerId" AND trashed."workspaceId" = ${alias}."workspaceId" AND trashed."deletedAt" IS NOT NULL)`;
