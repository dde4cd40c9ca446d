import type {
  ActivityType,
  CampaignResponseKind,
  Channel,
  DealStatus,
  Direction,
  LifecycleStage,
  Prisma,
  SurveyKind,
  TaskStatus,
  TicketPriority,
  TicketStatus,
} from '@crm/db';

// The rows the generator writes, one interface per table. Money is a decimal string ("12.30"), never a float.

export type Money = string;

export interface CustomerRow {
  id: string;
  workspaceId: string;
  name: string;
  email: string;
  phone: string | null;
  lifecycleStage: LifecycleStage;
  stageChangedAt: Date;
  churnReason: string | null;
  source: Channel;
  ownerId: string | null;
  companyId: string | null;
  tags: string[];
  externalRef: string;
  annualWallet: Money | null;
  lifetimeValue: Money;
  orderCount: number;
  firstOrderAt: Date | null;
  lastOrderAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface LifecycleChangeRow {
  id: string;
  workspaceId: string;
  customerId: string;
  fromStage: LifecycleStage | null;
  toStage: LifecycleStage;
  reason: string | null;
  actorId: string;
  changedAt: Date;
}

export interface OrderRow {
  id: string;
  workspaceId: string;
  customerId: string;
  orderRef: string;
  orderedAt: Date;
  total: Money;
  /** Sum of the lines' unit costs where known, null when none is (as the order service does). */
  cost: Money | null;
  channel: Channel;
  createdAt: Date;
}

export interface OrderLineRow {
  id: string;
  workspaceId: string;
  orderId: string;
  productId: string;
  sku: string;
  quantity: number;
  unitPrice: Money;
  unitCost: Money | null;
  total: Money;
}

export interface ActivityRow {
  id: string;
  workspaceId: string;
  customerId: string;
  dealId: string | null;
  ticketId: string | null;
  type: ActivityType;
  channel: Channel;
  direction: Direction;
  subject: string;
  body: string | null;
  actorId: string | null;
  occurredAt: Date;
  createdAt: Date;
}

export interface DealRow {
  id: string;
  workspaceId: string;
  title: string;
  amount: Money;
  customerId: string;
  companyId: string | null;
  pipelineId: string;
  stageId: string;
  ownerId: string | null;
  status: DealStatus;
  expectedCloseAt: Date;
  closedAt: Date | null;
  lostReason: string | null;
  stageChangedAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

export interface TicketRow {
  id: string;
  workspaceId: string;
  customerId: string;
  subject: string;
  description: string | null;
  status: TicketStatus;
  priority: TicketPriority;
  channel: Channel;
  assigneeId: string | null;
  satisfactionRating: number | null;
  closedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface SurveyResponseRow {
  id: string;
  workspaceId: string;
  customerId: string;
  ticketId: string | null;
  kind: SurveyKind;
  score: number;
  comment: string | null;
  respondedAt: Date;
  createdAt: Date;
}

export interface CampaignResponseRow {
  id: string;
  workspaceId: string;
  campaignId: string;
  customerId: string;
  kind: CampaignResponseKind;
  couponCode: string | null;
  occurredAt: Date;
}

export interface TaskRow {
  id: string;
  workspaceId: string;
  title: string;
  notes: string | null;
  status: TaskStatus;
  dueAt: Date;
  completedAt: Date | null;
  assigneeId: string | null;
  customerId: string;
  dealId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The rows of a batch of customers. Written in this order: parents before children. */
export interface SeedRows {
  customers: CustomerRow[];
  stageChanges: LifecycleChangeRow[];
  orders: OrderRow[];
  lines: OrderLineRow[];
  deals: DealRow[];
  tickets: TicketRow[];
  activities: ActivityRow[];
  surveys: SurveyResponseRow[];
  responses: CampaignResponseRow[];
  tasks: TaskRow[];
}

export const emptyRows = (): SeedRows => ({
  customers: [], stageChanges: [], orders: [], lines: [], deals: [], tickets: [], activities: [], surveys: [], responses: [], tasks: [],
});

// Compile-time proof that each row is a valid Prisma create input of its model: a renamed or retyped column in the
// schema breaks the build here rather than at insert time.
type Fits<Row extends Model, Model> = Row;
export type RowsMatchTheSchema = [
  Fits<CustomerRow, Prisma.CustomerCreateManyInput>,
  Fits<LifecycleChangeRow, Prisma.LifecycleChangeCreateManyInput>,
  Fits<OrderRow, Prisma.OrderCreateManyInput>,
  Fits<OrderLineRow, Prisma.OrderLineCreateManyInput>,
  Fits<ActivityRow, Prisma.ActivityCreateManyInput>,
  Fits<DealRow, Prisma.DealCreateManyInput>,
  Fits<TicketRow, Prisma.TicketCreateManyInput>,
  Fits<SurveyResponseRow, Prisma.SurveyResponseCreateManyInput>,
  Fits<CampaignResponseRow, Prisma.CampaignResponseCreateManyInput>,
  Fits<TaskRow, Prisma.TaskCreateManyInput>,
];
