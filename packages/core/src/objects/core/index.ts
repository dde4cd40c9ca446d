import type { ObjectDeclaration } from '../declaration.js';
import { Activity, Task } from './collaboration.js';
import { Order, OrderLine, Product } from './commerce.js';
import { Company, Customer, CustomerScore, LifecycleChange, User } from './contacts.js';
import { Campaign, CampaignResponse } from './marketing.js';
import { Deal, Pipeline, Stage } from './sales.js';
import { Segment } from './segments.js';
import { SurveyResponse, Ticket } from './service.js';

/** Every core object's declaration (plugins add theirs through the SDK). */
export const coreObjects: readonly ObjectDeclaration[] = [
  Customer,
  CustomerScore,
  LifecycleChange,
  Company,
  User,
  Pipeline,
  Stage,
  Deal,
  Activity,
  Task,
  Product,
  Order,
  OrderLine,
  Ticket,
  SurveyResponse,
  Campaign,
  CampaignResponse,
  Segment,
];
